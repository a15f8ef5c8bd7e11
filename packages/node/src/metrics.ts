/**
 * Prometheus metrics of a node (prom-client), one registry per node so that several
 * nodes in one process (tests) do not mix their figures.
 */
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { WorkerHeap } from './verify.js';

/** The metrics a node records. */
export interface NodeMetrics {
  readonly registry: Registry;
  readonly txSubmitted: Counter<'result'>;
  readonly txCommitted: Counter<'status'>;
  readonly blocks: Counter;
  readonly height: Gauge;
  readonly logSize: Gauge;
  readonly mempool: Gauge;
  readonly blockExecSeconds: Histogram;
  readonly blockCommitSeconds: Histogram;
  readonly blockTotalSeconds: Histogram;
  readonly commitLatencySeconds: Histogram;
  readonly ready: Gauge;
  readonly checkpointsCertified: Counter;
  readonly certifiedSize: Gauge;
  readonly certifyLatencySeconds: Histogram;
  readonly diverged: Gauge;
  readonly equivocations: Counter;
}

/** Create a node's metrics. */
export function createNodeMetrics(opts: { defaultMetrics?: boolean; mempoolSize?: () => number; verifierHeaps?: () => Promise<WorkerHeap[]> } = {}): NodeMetrics {
  const mempoolSize = opts.mempoolSize;
  const verifierHeaps = opts.verifierHeaps;
  const registry = new Registry();
  const registers = [registry];
  if (opts.defaultMetrics ?? true) {
    collectDefaultMetrics({ register: registry, prefix: 'govchain_process_' });
    // prom-client reports external memory, not the ArrayBuffer share of it (NATS and LMDB buffers).
    new Gauge({
      name: 'govchain_process_nodejs_array_buffers_bytes',
      help: 'Memory of ArrayBuffers and Buffers (part of nodejs_external_memory_bytes)',
      registers,
      collect() {
        this.set(process.memoryUsage().arrayBuffers);
      },
    });
    // Heap in use also counts garbage not collected yet (V8 lets it pile up to a limit between
    // full collections); just after a full collection it is what the program retains, so a
    // leak shows as this rising. Read when the observer runs, a moment after the collection.
    const live = new Gauge({ name: 'govchain_process_nodejs_heap_live_bytes', help: 'V8 heap in use just after the last full (mark-compact) collection of the main thread', registers });
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if ((e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) live.set(getHeapStatistics().used_heap_size);
    }).observe({ entryTypes: ['gc'] });
  }
  if (verifierHeaps !== undefined) {
    // The verifier threads' isolates are not in the process's heap figures above. Asked when
    // scraped; a thread busy with a batch answers after it (ms), and one that does not answer
    // within a second is left out of this scrape.
    let asked: Promise<void> | undefined;
    // One request to the threads serves the three gauges of a scrape.
    const refresh = (): Promise<void> =>
      (asked ??= Promise.race([
        verifierHeaps().then((heaps) =>
          heaps.forEach((h, i) => {
            used.set({ worker: String(i) }, h.used);
            total.set({ worker: String(i) }, h.total);
            external.set({ worker: String(i) }, h.external);
          }),
        ),
        new Promise<void>((r) => setTimeout(r, 1000).unref()),
      ]).finally(() => (asked = undefined)));
    const used = new Gauge({ name: 'govchain_verifier_heap_used_bytes', help: 'V8 heap in use of each verifier worker thread', labelNames: ['worker'], registers, collect: refresh });
    const total = new Gauge({ name: 'govchain_verifier_heap_total_bytes', help: 'V8 heap committed by each verifier worker thread', labelNames: ['worker'], registers, collect: refresh });
    const external = new Gauge({ name: 'govchain_verifier_external_memory_bytes', help: 'Memory of C++ objects bound to JS objects of each verifier worker thread', labelNames: ['worker'], registers, collect: refresh });
  }
  return {
    registry,
    txSubmitted: new Counter({ name: 'govchain_tx_submitted_total', help: 'Transactions submitted, by admission result', labelNames: ['result'], registers }),
    txCommitted: new Counter({ name: 'govchain_tx_committed_total', help: 'Transactions committed, by receipt status', labelNames: ['status'], registers }),
    blocks: new Counter({ name: 'govchain_blocks_total', help: 'Blocks committed', registers }),
    height: new Gauge({ name: 'govchain_height', help: 'Height of the committed head', registers }),
    logSize: new Gauge({ name: 'govchain_log_size', help: 'Leaves in the transaction log', registers }),
    // Read when scraped (given a size function), not set per transaction.
    mempool: new Gauge({
      name: 'govchain_mempool_transactions',
      help: 'Transactions admitted and not yet committed',
      registers,
      ...(mempoolSize === undefined ? {} : { collect(this: Gauge) { this.set(mempoolSize()); } }),
    }),
    blockExecSeconds: new Histogram({ name: 'govchain_block_execute_seconds', help: 'Time to execute a block', registers, buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2] }),
    blockCommitSeconds: new Histogram({ name: 'govchain_block_commit_seconds', help: 'Time to write a block durably', registers, buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2] }),
    blockTotalSeconds: new Histogram({ name: 'govchain_block_total_seconds', help: 'From the start of execution to durable commit', registers, buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5] }),
    commitLatencySeconds: new Histogram({ name: 'govchain_commit_latency_seconds', help: 'From admission to durable commit', registers, buckets: [0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 10] }),
    ready: new Gauge({ name: 'govchain_ready', help: '1 when the node commits and serves certified data', registers }),
    checkpointsCertified: new Counter({ name: 'govchain_checkpoints_certified_total', help: 'Checkpoints certified by a quorum of validator signatures (network mode)', registers }),
    certifiedSize: new Gauge({ name: 'govchain_certified_log_size', help: 'Log size of the latest certified checkpoint', registers }),
    certifyLatencySeconds: new Histogram({ name: 'govchain_checkpoint_certify_seconds', help: 'From a block being durable here to its checkpoint being certified by a quorum', registers, buckets: [0.01, 0.05, 0.1, 0.2, 0.5, 1, 2, 5] }),
    diverged: new Gauge({ name: 'govchain_diverged', help: '1 when this node computed a checkpoint that differs from the one a quorum signed (it has halted)', registers }),
    equivocations: new Counter({ name: 'govchain_equivocations_total', help: 'Validators seen signing two different checkpoints for one log size', registers }),
  };
}

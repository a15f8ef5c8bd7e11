/**
 * Stateless admission checks, and a pool of worker threads that runs them on every core.
 * Signature verification is most of the cost of accepting a transaction (Ed25519 with
 * node:crypto, ~60 µs), so it is spread over workers while the main thread executes.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { checkEnvelope, GovchainError, toHex, type KeyResolver, type StateReader } from '@govchain/core';
import { createModuleRegistry, defaultModules, type ModuleRegistry } from '@govchain/modules';

/**
 * A submission to check: the envelope's JSON text. `admit` (a client submits): every check,
 * ledger-DID keys resolved from the latest durable state, expiry against the clock.
 * `order` (an ordered transaction this node did not admit): only what cannot depend on
 * state or clocks decides; ledger-DID signatures that cannot be verified here are left
 * for block execution, which checks them against the state of their block.
 */
export interface VerifyRequest {
  id: number;
  text: string;
  mode: 'admit' | 'order';
}

/**
 * The outcome of the stateless checks. `keys`: per signature, the hex key a ledger-DID
 * signature verified under (execution re-checks it against the state of its block), or null
 * (deferred, or a did:key signature, whose key is its DID and cannot change).
 */
export type VerifyResult =
  | { id: number; ok: true; txid: string; signer: string; signers: string[]; keys: Array<string | null>; canonical: string }
  | { id: number; ok: false; code: string; message: string; field: string | undefined };

const defaultRegistry = createModuleRegistry(defaultModules);

/** Run every stateless check on one envelope text (payloads validated by `registry`, default: the default modules). Never throws. */
export function checkStatelessly(chainId: string, req: VerifyRequest, state?: StateReader, registry: ModuleRegistry = defaultRegistry): VerifyResult {
  try {
    let value: unknown;
    try {
      value = JSON.parse(req.text);
    } catch (e) {
      throw new GovchainError('tx.malformed', `envelope is not valid JSON: ${(e as Error).message}`, { field: '' });
    }
    const resolver = (defer: boolean): KeyResolver => (kid, did) => {
      if (!registry.isStateKey(kid)) return registry.resolveKey({ get: () => undefined }, kid);
      if (defer || state === undefined) {
        if (req.mode === 'order') return null;
        if (state === undefined) throw new GovchainError('tx.unknown_key', `${kid} cannot be resolved`);
      }
      return registry.resolveKey(state!, kid);
    };
    const opts = {
      chainId,
      now: req.mode === 'admit' ? Date.now() : 0,
      validateBody: (body: { type: string; payload: unknown }) => void registry.validatePayload(body.type, body.payload),
    };
    let c;
    try {
      c = checkEnvelope(value, { ...opts, resolveKey: resolver(false) });
    } catch (e) {
      // An ordered transaction whose ledger-DID key this node's state does not (yet) know,
      // or knows differently: execution decides, against the state of its block.
      if (req.mode !== 'order' || !(e instanceof GovchainError) || !/^(tx\.unknown_key|tx\.bad_signature|identity\.|did\.)/.test(e.code)) throw e;
      c = checkEnvelope(value, { ...opts, resolveKey: resolver(true) });
    }
    return { id: req.id, ok: true, txid: c.txid, signer: c.envelope.body.signer, signers: c.signers, keys: c.keys.map((k, i) => (k === null || !registry.isStateKey(c.envelope.signatures[i]!.kid) ? null : toHex(k))), canonical: c.canonical };
  } catch (e) {
    if (e instanceof GovchainError) return { id: req.id, ok: false, code: e.code, message: e.message, field: e.field };
    return { id: req.id, ok: false, code: 'tx.malformed', message: (e as Error).message, field: undefined };
  }
}

/** Throw the GovchainError a failed result describes. */
export function throwVerifyFailure(r: Extract<VerifyResult, { ok: false }>): never {
  throw new GovchainError(r.code, r.message, r.field === undefined ? {} : { field: r.field });
}

/** Options of {@link createVerifierPool}. */
export interface VerifierPoolOptions {
  chainId: string;
  /** Worker threads (default: available cores; 0 = check on the calling thread). */
  workers?: number;
  /** Largest batch posted to one worker. */
  batchSize?: number;
  /** The chain store folder: workers open it read-only to resolve ledger-DID keys. */
  dbPath?: string;
  /** State for inline checking (workers: 0). */
  state?: StateReader;
  /** Modules for inline checking (workers: 0); worker threads use the default modules. */
  registry?: ModuleRegistry;
}

/** A pool of verifier threads. */
export interface VerifierPool {
  check(text: string, mode?: VerifyRequest['mode']): Promise<VerifyResult>;
  checkMany(texts: readonly string[], mode?: VerifyRequest['mode']): Promise<VerifyResult[]>;
  /** The V8 heap of each worker thread (none when checking inline), for metrics. */
  heapStatistics(): Promise<WorkerHeap[]>;
  close(): Promise<void>;
}

/** One verifier thread's V8 heap: in use, committed (total), and its off-heap ArrayBuffers. */
export interface WorkerHeap {
  used: number;
  total: number;
  external: number;
}

/** What a worker thread answers: a batch's results, or its heap figures. */
export type VerifyWorkerReply = VerifyResult[] | { heap: WorkerHeap };

/**
 * Most unanswered batches per verifier worker. The main thread posts work only between its
 * own tasks, and executing a block holds it for 50-150 ms at a few thousand transactions: with
 * 2 batches (~20 ms of checks) posted, the workers went idle for most of every block and the
 * node's admission rate followed (7,574 tx/s; with 8 batches, 8,481 tx/s on the same 2 cores,
 * 2026-12-03). Ordered transactions' checks are queued ahead of admissions, so they wait at
 * most for the batches already posted.
 */
const MAX_BATCHES_OUT = 8;

/**
 * Young generation of each verifier thread's V8 heap, MiB. A worker retains ~10 MiB; with V8's
 * default its committed heap swung between 22 and 40 MiB per worker in the soak, part of the
 * anonymous RSS the memory check judges. Capped, it uses less memory at no measured cost
 * (8,251 tx/s with 8 MiB against 8,090 without, one run each).
 */
const WORKER_YOUNG_GENERATION_MB = 8;

/** Create a verifier pool. */
export function createVerifierPool(opts: VerifierPoolOptions): VerifierPool {
  const count = opts.workers ?? availableParallelism();
  // At most 2 x 128 envelopes wait per worker (~25 ms of checks): larger batches (tried up
  // to 1,024) raised no node's throughput here and delayed the checks of ordered blocks,
  // which wait behind them, on a network.
  const batchSize = opts.batchSize ?? 128;
  if (count === 0) {
    let id = 0;
    return {
      check: async (text, mode = 'admit') => checkStatelessly(opts.chainId, { id: id++, text, mode }, opts.state, opts.registry),
      checkMany: async (texts, mode = 'order') => texts.map((text) => checkStatelessly(opts.chainId, { id: id++, text, mode }, opts.state, opts.registry)),
      heapStatistics: async () => [],
      close: async () => {},
    };
  }
  const url = new URL('./verify-worker.js', import.meta.url);
  const workers = Array.from({ length: count }, () => {
    const w = new Worker(url, { workerData: { chainId: opts.chainId, dbPath: opts.dbPath }, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
    w.unref();
    return w;
  });
  const waiting = new Map<number, (r: VerifyResult) => void>();
  const inflight = workers.map(() => 0);
  // Batches posted to each worker and not answered yet. A worker gets at most
  // MAX_BATCHES_OUT; what arrives meanwhile waits and leaves as one larger batch when a
  // batch comes back. Under load (one HTTP request per envelope) this turns hundreds of
  // one-envelope messages into a few large ones: each postMessage costs about as much as
  // the checks of a dozen envelopes.
  const batchesOut = workers.map(() => 0);
  // Heap requests answered in order per worker (a worker handles its messages in order).
  const heapWaiters = workers.map((): Array<(h: WorkerHeap) => void> => []);
  for (const [i, w] of workers.entries()) {
    w.on('message', (reply: VerifyWorkerReply) => {
      if (!Array.isArray(reply)) return heapWaiters[i]!.shift()?.(reply.heap);
      const results = reply;
      inflight[i]! -= results.length;
      batchesOut[i]!--;
      for (const r of results) {
        const resolve = waiting.get(r.id);
        waiting.delete(r.id);
        resolve?.(r);
      }
      if (waitingCount() > 0 && !scheduled) flush();
    });
    w.on('error', (e) => {
      for (const resolve of waiting.values()) resolve({ id: -1, ok: false, code: 'internal.verifier', message: `verifier thread failed: ${e.message}`, field: undefined });
      waiting.clear();
      heapWaiters[i]!.length = 0; // a failed thread answers no heap request (metrics time out instead)
    });
  }
  let nextId = 0;
  // Waiting requests: ordered transactions' (a block waits for them) before admissions'.
  // Admissions are taken from `head` on (no copy of the queue per batch); the taken part is
  // dropped once it is most of the array.
  let urgent: VerifyRequest[] = [];
  let queue: VerifyRequest[] = [];
  let head = 0;
  const waitingCount = (): number => urgent.length + queue.length - head;
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    while (waitingCount() > 0) {
      let best = 0;
      let freeSlots = 0;
      for (let i = 0; i < workers.length; i++) {
        freeSlots += MAX_BATCHES_OUT - batchesOut[i]!;
        if (batchesOut[i]! < batchesOut[best]! || (batchesOut[i] === batchesOut[best] && inflight[i]! < inflight[best]!)) best = i;
      }
      if (batchesOut[best]! >= MAX_BATCHES_OUT) return; // every worker is busy: sent when one answers
      // What waits is shared out over the free slots, so no worker idles while another holds it all.
      const size = Math.min(batchSize, Math.ceil(waitingCount() / freeSlots));
      let batch: VerifyRequest[];
      if (urgent.length >= size) batch = urgent.splice(0, size);
      else {
        batch = urgent;
        urgent = [];
        while (batch.length < size && head < queue.length) batch.push(queue[head++]!);
        if (head === queue.length) {
          queue = [];
          head = 0;
        } else if (head >= 1024 && 2 * head >= queue.length) {
          queue = queue.slice(head);
          head = 0;
        }
      }
      inflight[best]! += batch.length;
      batchesOut[best]!++;
      workers[best]!.postMessage(batch);
    }
  };
  const check = (text: string, mode: VerifyRequest['mode'] = 'admit'): Promise<VerifyResult> =>
    new Promise((resolve) => {
      const id = nextId++;
      // A worker leaves `canonical` out when it is the submitted text (the usual case), so the
      // text is not copied back across the thread boundary.
      waiting.set(id, (r) => {
        if (r.ok && r.canonical === undefined) r.canonical = text;
        resolve(r);
      });
      (mode === 'order' ? urgent : queue).push({ id, text, mode });
      if (waitingCount() >= batchSize * workers.length) flush();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
  return {
    check,
    checkMany: (texts, mode = 'order') => Promise.all(texts.map((t) => check(t, mode))),
    heapStatistics: () =>
      Promise.all(
        workers.map(
          (w, i) =>
            new Promise<WorkerHeap>((resolve) => {
              heapWaiters[i]!.push(resolve);
              w.postMessage('heap');
            }),
        ),
      ),
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

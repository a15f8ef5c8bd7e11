/**
 * The `solo` orderer: one process orders its own transactions. It cuts a block as soon as
 * `maxBlockTxs` are waiting, and otherwise once `blockIntervalMs` have passed since the
 * previous cut (at once for a transaction arriving at an idle orderer), and delivers blocks
 * one at a time: the next cut waits until the previous block is handed over, so blocks grow
 * under load instead of queueing up. The interval is counted from the previous cut, not from
 * the first waiting transaction's arrival: a node busy executing a block admits nothing
 * meanwhile, and a clock started by the first transaction admitted afterwards would leave
 * the node idle for most of an interval after every block.
 *
 * A cut runs after the I/O callbacks already pending (setImmediate), so the transactions
 * whose checks finished while the previous block executed are admitted and join it.
 */
import { OrdererFullError, nextBlockTime, type BlockHandler, type Orderer, type OrderedTx, type OrderingPosition } from './orderer.js';

/** Options of {@link createSoloOrderer}. */
export interface SoloOrdererOptions {
  /** Longest wait before cutting a non-empty block (default 200 ms). */
  blockIntervalMs?: number;
  /** Most transactions in one block (default 5,000). */
  maxBlockTxs?: number;
  /** Most transactions waiting (default 100,000); further submissions are refused. */
  maxPending?: number;
  /** Clock, injectable for tests. */
  now?: () => number;
}

/** Create a solo orderer. */
export function createSoloOrderer(options: SoloOrdererOptions = {}): Orderer {
  const blockIntervalMs = options.blockIntervalMs ?? 200;
  const maxBlockTxs = options.maxBlockTxs ?? 5000;
  const maxPending = options.maxPending ?? 100_000;
  const now = options.now ?? Date.now;
  let queue: OrderedTx[] = [];
  /** When the previous block was cut (never: long ago). */
  let lastCutAt = -Infinity;
  let position: OrderingPosition | undefined;
  let handler: BlockHandler | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let delivering = false;
  let closed = false;

  const schedule = (): void => {
    if (closed || delivering || handler === undefined || queue.length === 0) return;
    if (queue.length >= maxBlockTxs) {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      void cut();
    } else if (timer === undefined) {
      timer = setTimeout(
        () => setImmediate(() => {
          timer = undefined;
          void cut();
        }),
        Math.max(0, lastCutAt + blockIntervalMs - now()),
      );
    }
  };

  const cut = async (): Promise<void> => {
    if (closed || delivering || handler === undefined || position === undefined || queue.length === 0) return;
    delivering = true;
    const txs = queue.length <= maxBlockTxs ? queue : queue.slice(0, maxBlockTxs);
    queue = queue.length <= maxBlockTxs ? [] : queue.slice(maxBlockTxs);
    lastCutAt = now();
    const block = { height: position.height + 1, time: nextBlockTime(position.time, now()), txs };
    try {
      await handler(block);
      position = { height: block.height, time: block.time };
    } catch {
      // The node could not commit (it is stopping or its storage failed); it will
      // resume from its last committed block, so re-queue nothing and stop.
      closed = true;
    } finally {
      delivering = false;
    }
    schedule();
  };

  return {
    kind: 'solo',
    async submit(tx) {
      if (closed) throw new OrdererFullError('orderer is closed');
      if (queue.length >= maxPending) throw new OrdererFullError(`too many pending transactions (${maxPending})`);
      queue.push(tx);
      schedule();
    },
    async start(from, onBlock) {
      position = from;
      handler = onBlock;
      schedule();
    },
    pending: () => queue.length,
    async close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      queue = [];
    },
  };
}

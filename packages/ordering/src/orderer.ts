/**
 * The ordering interface. An orderer turns submitted transactions into a sequence of
 * blocks (height, time, transactions) that every node of a network receives identically;
 * it never executes anything. Implementations: `solo` (in-process, one node) and
 * JetStream (a replicated NATS stream, many nodes).
 */

/** A transaction as carried by an orderer: its txid and the envelope's JSON text. */
export interface OrderedTx {
  readonly txid: string;
  readonly envelope: string;
}

/** One ordered block: what to execute at `height`, with the block time to use. */
export interface OrderedBlock {
  readonly height: number;
  /** RFC 3339 UTC with milliseconds; never earlier than the previous block's. */
  readonly time: string;
  readonly txs: readonly OrderedTx[];
}

/** Where an orderer resumes: the last block the node has committed. */
export interface OrderingPosition {
  readonly height: number;
  readonly time: string;
}

/** Called for each block in order; the next block is not delivered before it resolves. */
export type BlockHandler = (block: OrderedBlock) => Promise<void>;

/** Reasons an orderer refuses a submission. */
export class OrdererFullError extends Error {
  readonly code = 'mempool.full';
  constructor(message: string) {
    super(message);
    this.name = 'OrdererFullError';
  }
}

/** An ordering service. */
export interface Orderer {
  /** Name for status and metrics (`solo`, `jetstream`). */
  readonly kind: string;
  /**
   * Hand a checked transaction to ordering. Resolves once the orderer has accepted it
   * (durably, for replicated orderers); rejects with OrdererFullError under overload.
   */
  submit(tx: OrderedTx): Promise<void>;
  /** Start delivering the blocks after `from` to `onBlock`, one at a time. */
  start(from: OrderingPosition, onBlock: BlockHandler): Promise<void>;
  /** Transactions accepted but not yet delivered in a block. */
  pending(): number;
  /** Stop delivering and release resources; pending transactions may be dropped. */
  close(): Promise<void>;
}

/** Format a millisecond timestamp as RFC 3339 UTC with milliseconds. */
export function formatBlockTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** The next block time: now, but never earlier than the previous block's time. */
export function nextBlockTime(previous: string, nowMs: number): string {
  const prev = previous === '' ? 0 : Date.parse(previous);
  return formatBlockTime(Math.max(prev, nowMs));
}

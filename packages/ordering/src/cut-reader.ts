/**
 * How a node turns the ordering stream's messages into blocks, independently of how the
 * NATS server it reads from numbers them.
 *
 * Why: JetStream 2.9 replicas can disagree on stream sequences. Found by the fault suite
 * (docs/faults.md, "replicas that disagree"): a nats-server holding a replica of the ordering
 * stream, SIGKILLed twice under load, re-applied two batch messages on restart; its copy of the stream held
 * them twice, every later message two sequences higher than on the other two servers. A
 * node reading from that server took block `(from, to]` two messages short of what the
 * proposer (reading another server) meant, and the chain forked.
 *
 * So a cut record names its block by content: `msgs` lists the content id of every
 * transaction message of the block, in order, and a node builds the block from the
 * messages it read with those ids, wherever its server put them. Duplicates (same id) are
 * read once; ids of recent blocks are remembered, so a message re-applied later is not
 * ordered again. `from`/`to` remain as hints (where to resume reading after a restart).
 * Cut records without `msgs` (written before this change) keep the sequence rule.
 *
 * Pure: no I/O; the JetStream orderer feeds it messages and acts on its answers.
 */
import { createHash } from 'node:crypto';
import type { OrderedTx } from './orderer.js';

/** Largest accepted difference between a cut's time and the stream's timestamp of it. */
export const MAX_CLOCK_SKEW_MS = 60_000;

/** Ids of this many recent transaction messages are remembered to drop re-applied duplicates. */
export const RECENT_IDS_KEPT = 50_000;

/** A cut record as stored in the stream. */
export interface CutRecord {
  height: number;
  /** The previous valid cut's `to` (a stream sequence as its proposer read it). */
  from: number;
  /** The stream sequence of the block's last message, as the proposer read it (a hint when `msgs` is set). */
  to: number;
  time: string;
  proposer?: string;
  /** Content ids ({@link messageId}) of the block's transaction messages, in order. */
  msgs?: string[];
}

/** A transaction message as read: its stream sequence (on the server read from), id and transactions. */
export interface TxMessage {
  seq: number;
  id: string;
  txs: OrderedTx[];
}

/** What a reader needs of a stream message: its local sequence and the stream's timestamp. */
export interface StampedSeq {
  seq: number;
  /** The stream's timestamp of the message, ms since the epoch (replicated with it). */
  stampedMs: number;
}

/**
 * Content id of a transaction message: SHA-256 (base64url) over its txid header, its batch
 * count header and its body. Two copies of one message have one id on every server.
 */
export function messageId(txidHeader: string, countHeader: string, data: Uint8Array): string {
  return createHash('sha256').update(`${txidHeader}\n${countHeader}\n`).update(data).digest('base64url');
}

const ID = /^[A-Za-z0-9_-]{43}$/;

/** Parse a cut record; undefined when it is not one. */
export function parseCut(data: Uint8Array): CutRecord | undefined {
  try {
    const r = JSON.parse(new TextDecoder().decode(data)) as CutRecord;
    const int = (x: unknown): boolean => Number.isSafeInteger(x) && (x as number) >= 0;
    if (!int(r.height) || !int(r.from) || !int(r.to) || typeof r.time !== 'string' || Number.isNaN(Date.parse(r.time))) return undefined;
    if (r.msgs !== undefined && (!Array.isArray(r.msgs) || r.msgs.length === 0 || !r.msgs.every((id) => typeof id === 'string' && ID.test(id)) || new Set(r.msgs).size !== r.msgs.length)) return undefined;
    return r;
  } catch {
    return undefined;
  }
}

/**
 * The one rule every node applies to a cut record, given the last valid block (`height`,
 * whose cut said `to`): the next height, starting where the last block's cut ended, and its
 * time within MAX_CLOCK_SKEW_MS of the stream's own timestamp of it. Nothing here depends on
 * the sequence numbers of the server read from, except for a cut without `msgs` (the
 * earlier format), which must also end before its own message.
 */
export function isValidCut(r: CutRecord, m: StampedSeq, height: number, to: number): boolean {
  if (r.height !== height + 1 || r.from !== to || r.to < r.from || Math.abs(Date.parse(r.time) - m.stampedMs) > MAX_CLOCK_SKEW_MS) return false;
  return r.msgs !== undefined || r.to < m.seq;
}

/** The answer of {@link CutReader.cut}. */
export type CutOutcome =
  | { kind: 'stale' } // not a cut, or for a height already decided
  | { kind: 'invalid' }
  | { kind: 'block'; height: number; time: string; txs: OrderedTx[] }
  // A valid cut naming messages this node has not read: its server's copy of the stream
  // differs (or the cut is bogus); the caller re-reads or catches up from peers.
  | { kind: 'missing'; height: number; ids: string[] };

/**
 * The reader's state between two blocks: the last valid block, the transaction messages
 * read since (not in a block yet), and the ids of recent blocks' messages.
 */
export class CutReader {
  height: number;
  /** The last valid cut's `to`. */
  to: number;
  /** The last valid cut's time (block times never run backwards: see nextBlockTime). */
  time: string;
  private pending: TxMessage[] = [];
  private pendingIds = new Set<string>();
  private pendingTxCount = 0;
  private readonly recent = new Set<string>();
  private readonly recentOrder: string[] = [];
  private recentHead = 0;

  constructor(height: number, to: number, time: string, recentIds: Iterable<string> = []) {
    this.height = height;
    this.to = to;
    this.time = time;
    for (const id of recentIds) this.remember(id);
  }

  /** Transactions read and not in a block yet. */
  get pendingTxs(): number {
    return this.pendingTxCount;
  }

  /** A transaction message read at `seq`; false when it is a copy of one already read. */
  message(m: TxMessage): boolean {
    if (this.recent.has(m.id) || this.pendingIds.has(m.id)) return false;
    this.pending.push(m);
    this.pendingIds.add(m.id);
    this.pendingTxCount += m.txs.length;
    return true;
  }

  /** A cut record read at `m`: decide it and, when it is the next block, take its transactions. */
  cut(r: CutRecord | undefined, m: StampedSeq, nextBlockTime: (prev: string, ms: number) => string): CutOutcome {
    if (r === undefined || r.height <= this.height) return { kind: 'stale' };
    if (!isValidCut(r, m, this.height, this.to)) return { kind: 'invalid' };
    let taken: TxMessage[];
    if (r.msgs !== undefined) {
      // A listed message already in an earlier block (a copy a restarted proposer did not
      // recognise) adds nothing: its transactions were ordered then, and execution runs a
      // txid once, ever. Whether a node still remembers it or not, the block executes alike.
      const byId = new Map(this.pending.map((p) => [p.id, p]));
      const missing = r.msgs.filter((id) => !byId.has(id) && !this.recent.has(id));
      if (missing.length > 0) return { kind: 'missing', height: r.height, ids: missing };
      taken = r.msgs.flatMap((id) => byId.get(id) ?? []);
      const chosen = new Set(r.msgs);
      // What this server holds before the block's first message and the block does not name
      // was in earlier blocks (read again after resuming a few blocks back): dropped.
      const firstSeq = taken.length === 0 ? -Infinity : taken.reduce((min, p) => Math.min(min, p.seq), Infinity);
      const kept: TxMessage[] = [];
      for (const p of this.pending) {
        if (chosen.has(p.id)) continue;
        if (p.seq < firstSeq) this.retire(p);
        else kept.push(p);
      }
      this.pending = kept;
    } else {
      // The earlier format: the messages with sequence <= to, as this server numbers them.
      let n = 0;
      while (n < this.pending.length && this.pending[n]!.seq <= r.to) n++;
      taken = this.pending.slice(0, n);
      this.pending = this.pending.slice(n);
    }
    for (const p of taken) this.retire(p);
    this.height = r.height;
    this.to = r.to;
    this.time = nextBlockTime(this.time, Date.parse(r.time));
    return { kind: 'block', height: r.height, time: this.time, txs: taken.flatMap((p) => p.txs) };
  }

  /**
   * What a proposer would cut now: whole messages from the oldest, at most `maxTxs`
   * transactions unless the first message alone holds more. Undefined when nothing waits.
   */
  proposal(maxTxs: number): { msgs: TxMessage[]; txs: number } | undefined {
    if (this.pending.length === 0) return undefined;
    let n = 0;
    let txs = 0;
    while (n < this.pending.length && (n === 0 || txs + this.pending[n]!.txs.length <= maxTxs)) txs += this.pending[n++]!.txs.length;
    return { msgs: this.pending.slice(0, n), txs };
  }

  /** A message leaves the pending ones for good (in a block, or known to be in an earlier one); the caller removes it from `pending`. */
  private retire(p: TxMessage): void {
    this.pendingIds.delete(p.id);
    this.pendingTxCount -= p.txs.length;
    this.remember(p.id);
  }

  private remember(id: string): void {
    if (this.recent.has(id)) return;
    this.recent.add(id);
    this.recentOrder.push(id);
    if (this.recentOrder.length - this.recentHead > RECENT_IDS_KEPT) {
      this.recent.delete(this.recentOrder[this.recentHead++]!);
      if (this.recentHead >= 4096 && 2 * this.recentHead >= this.recentOrder.length) {
        this.recentOrder.splice(0, this.recentHead);
        this.recentHead = 0;
      }
    }
  }
}

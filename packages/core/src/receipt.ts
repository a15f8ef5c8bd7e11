/**
 * Receipts (CONTRACT.md s.3): the outcome of one committed transaction. The log leaf
 * of a transaction is JCS(receipt).
 */
import { utf8 } from './bytes.js';
import { canonicalJson, type JsonValue } from './jcs.js';

/** An event emitted by a module while applying a transaction. */
export interface TxEvent {
  type: string;
  data: { [key: string]: JsonValue };
}

/** The outcome of a committed transaction. */
export interface Receipt {
  txid: string;
  height: number;
  index: number;
  status: 'ok' | 'failed';
  code?: string;
  events?: TxEvent[];
}

/** Leaf data of a receipt in the transaction log: JCS(receipt). */
export function receiptLeafData(receipt: Receipt): Uint8Array {
  return utf8(receiptJson(receipt));
}

/**
 * JCS(receipt), written out member by member in JCS order (code, events, height, index,
 * status, txid): this runs once per committed transaction on every node. Any member
 * beyond those of {@link Receipt} falls back to the generic serializer. `eventsJson`:
 * JCS(r.events), when the caller already has it (block execution canonicalises each event
 * as it is emitted).
 */
export function receiptJson(r: Receipt, eventsJson?: string): string {
  for (const k in r) if (!RECEIPT_MEMBERS.has(k)) return canonicalJson(r);
  let s = '{';
  if (r.code !== undefined) s += `"code":${canonicalJson(r.code)},`;
  if (r.events !== undefined) s += `"events":${eventsJson ?? canonicalJson(r.events)},`;
  return `${s}"height":${canonicalJson(r.height)},"index":${canonicalJson(r.index)},"status":${canonicalJson(r.status)},"txid":${canonicalJson(r.txid)}}`;
}

const RECEIPT_MEMBERS: ReadonlySet<string> = new Set(['code', 'events', 'height', 'index', 'status', 'txid']);

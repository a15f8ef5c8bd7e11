/**
 * Receipts (CONTRACT.md s.3): the outcome of one committed transaction. The log leaf
 * of a transaction is JCS(receipt).
 */
import type { JsonValue } from './jcs.js';
import { canonicalBytes } from './jcs.js';

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
  return canonicalBytes(receipt);
}

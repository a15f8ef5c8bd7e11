/**
 * Block headers. A block is an ordered list of txids plus the header that commits to
 * them and to the roots after executing them. blockHash = hex SHA-256(JCS(header)).
 */
import { toHex } from './bytes.js';
import { sha256 } from './crypto.js';
import { canonicalBytes } from './jcs.js';

/** The header of a block; all hashes are lowercase hex. */
export interface BlockHeader {
  chain: string;
  height: number;
  /** Hash of the previous header; 64 zeros for height 1. */
  prev: string;
  /** Block time (RFC 3339, ms precision, UTC), decided by the orderer; never decreases. */
  time: string;
  txCount: number;
  /** Hex SHA-256 of JCS(txids). */
  txsHash: string;
  /** RFC 6962 log after the block. */
  logSize: number;
  logRoot: string;
  /** Root of the state map after the block. */
  stateRoot: string;
}

/** The previous-hash of the first block. */
export const GENESIS_PREV = '0'.repeat(64);

/** hex SHA-256 of JCS(header). */
export function hashBlockHeader(header: BlockHeader): string {
  return toHex(sha256(canonicalBytes(header)));
}

/** hex SHA-256 of JCS(txids): commits a header to its transactions and their order. */
export function hashTxids(txids: readonly string[]): string {
  return toHex(sha256(canonicalBytes(txids)));
}

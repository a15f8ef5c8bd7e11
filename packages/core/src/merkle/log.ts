/**
 * The storage-backed, append-only transaction log: the Merkle tree of RFC 6962 s.2.1
 * (RFC 9162 s.2.1) kept as the hashes of its complete subtrees, so that roots and proofs of
 * any past size are served with O(log n) reads however long the log grows.
 *
 * Storage model: node (level, index) is the hash of the complete subtree over leaves
 * [index * 2^level, (index + 1) * 2^level); level 0 holds the leaf hashes. A node is stored
 * once all its leaves exist and never changes afterwards, so every earlier tree stays
 * provable. Every tree of size n is a right fold of the complete subtrees named by the
 * binary digits of n, and every subtree an RFC 6962 proof needs is complete except the
 * ragged ones along the right edge, which are folded from complete subtrees on demand.
 *
 * Pure: reads go through the synchronous `LogNodeReader`; writes are returned to the caller,
 * who stores them (in one transaction) however it likes.
 */
import { assertBytes, equalBytes } from '../bytes.js';
import { GovchainError } from '../errors.js';
import { EMPTY_TREE_ROOT, MERKLE_HASH_SIZE, assertTreeIndex, hashChildren, splitPoint } from './rfc6962.js';

/** Synchronous read access to the stored complete-subtree hashes. */
export interface LogNodeReader {
  /** Hash of the complete subtree (level, index), or undefined when not stored. */
  getNode(level: number, index: number): Uint8Array | undefined;
}

/** One complete-subtree hash to store. */
export interface LogNodeWrite {
  /** Height of the subtree: 0 for a leaf hash. */
  level: number;
  /** Position of the subtree among those of its level. */
  index: number;
  /** The subtree's RFC 6962 hash (32 bytes). */
  hash: Uint8Array;
}

/** What `appendLeafHashes` returns. */
export interface AppendLeafHashesResult {
  /** Every newly complete subtree, leaves included, in creation order: store them all. */
  writes: LogNodeWrite[];
  /** Size of the log after the append. */
  size: number;
  /** Root of the log after the append (so no second read is needed before flushing). */
  root: Uint8Array;
}

/** Read a node that must exist; a missing one means a damaged store or a size beyond the log. */
function readNode(reader: LogNodeReader, level: number, index: number): Uint8Array {
  const hash = reader.getNode(level, index);
  if (hash !== undefined && !(hash instanceof Uint8Array && hash.length === MERKLE_HASH_SIZE)) {
    throw new GovchainError('store.corrupt', `log node (level ${level}, index ${index}) is not a 32-byte hash`, { details: { level, index } });
  }
  if (hash === undefined) {
    throw new GovchainError(
      'store.corrupt',
      `log node (level ${level}, index ${index}) is missing from the store (size beyond the log, or a damaged store)`,
      { details: { level, index } },
    );
  }
  return hash;
}

/**
 * Hash of the leaf range [start, end) when that range is a subtree of the RFC 6962
 * recursion (start is a multiple of the smallest power of two >= end - start): a stored
 * node when complete, else folded from the complete subtrees it splits into
 * (popcount(end - start) reads).
 */
function subtreeHash(reader: LogNodeReader, start: number, end: number): Uint8Array {
  const n = end - start;
  if (n <= 0) throw new RangeError(`empty subtree [${start}, ${end})`);
  // The complete subtrees, left to right: one per binary digit of n, largest first.
  let level = 0;
  let width = 1;
  while (width * 2 <= n) {
    width *= 2;
    level += 1;
  }
  const parts: Uint8Array[] = [];
  let offset = start;
  let rest = n;
  for (; rest > 0; level -= 1, width /= 2) {
    if (rest >= width) {
      parts.push(readNode(reader, level, offset / width));
      offset += width;
      rest -= width;
    }
  }
  // MTH splits at the largest power of two, so the tree is the right fold of the parts.
  let hash = parts[parts.length - 1]!;
  for (let i = parts.length - 2; i >= 0; i--) hash = hashChildren(parts[i]!, hash);
  return hash;
}

/**
 * Append leaf hashes to a log of `size` leaves. Returns every new complete subtree to
 * store (leaves included), the new size and the new root. Left siblings come from `reader`
 * or from nodes created earlier in the same call, so all writes can be flushed at once.
 */
export function appendLeafHashes(
  reader: LogNodeReader,
  size: number,
  leafHashes: readonly Uint8Array[],
): AppendLeafHashesResult {
  assertReader(reader);
  assertTreeIndex(size, 'size');
  if (!Array.isArray(leafHashes)) throw new TypeError('leafHashes: expected an array');
  for (let i = 0; i < leafHashes.length; i++) assertBytes(leafHashes[i], MERKLE_HASH_SIZE, `leafHashes[${i}]`);
  if (!Number.isSafeInteger(size + leafHashes.length)) throw new RangeError('leafHashes: the log would exceed 2^53 - 1 leaves');

  // The newest node written at each level during this call: the only ones a later parent
  // can need as its left sibling, so the overlay stays O(log n) however large the batch.
  const latest: (LogNodeWrite | undefined)[] = [];
  const nodeAt = (level: number, index: number): Uint8Array => {
    const w = latest[level];
    if (w !== undefined && w.index === index) return w.hash;
    return readNode(reader, level, index);
  };

  const writes: LogNodeWrite[] = [];
  for (let j = 0; j < leafHashes.length; j++) {
    let level = 0;
    let index = size + j;
    let hash = leafHashes[j]!;
    for (;;) {
      const write: LogNodeWrite = { level, index, hash };
      writes.push(write);
      // A right child completes its parent; read its left sibling before `latest` moves on.
      const left = index % 2 === 1 ? nodeAt(level, index - 1) : undefined;
      latest[level] = write;
      if (left === undefined) break;
      hash = hashChildren(left, hash);
      level += 1;
      index = (index - 1) / 2;
    }
  }

  const newSize = size + leafHashes.length;
  const overlay: LogNodeReader = { getNode: (level, index) => {
    const w = latest[level];
    return w !== undefined && w.index === index ? w.hash : reader.getNode(level, index);
  } };
  return { writes, size: newSize, root: newSize === 0 ? EMPTY_TREE_ROOT : subtreeHash(overlay, 0, newSize) };
}

/** Root of the first `size` leaves of the log (EMPTY_TREE_ROOT for 0); O(log n) reads. */
export function logRoot(reader: LogNodeReader, size: number): Uint8Array {
  assertReader(reader);
  assertTreeIndex(size, 'size');
  if (size === 0) return EMPTY_TREE_ROOT;
  return subtreeHash(reader, 0, size);
}

/**
 * Audit path of leaf `leafIndex` in the tree of the first `treeSize` leaves, in RFC 6962
 * s.2.1.1 order (leaf to root). Reads O(log n) nodes: only one sibling can be ragged.
 */
export function inclusionProof(reader: LogNodeReader, leafIndex: number, treeSize: number): Uint8Array[] {
  assertReader(reader);
  assertTreeIndex(leafIndex, 'leafIndex');
  assertTreeIndex(treeSize, 'treeSize');
  if (leafIndex >= treeSize) throw new RangeError(`leafIndex: ${leafIndex} is not below treeSize ${treeSize}`);

  // PATH(m, D[lo:hi]) walked from the root down; siblings collected root first.
  const siblings: Uint8Array[] = [];
  let lo = 0;
  let hi = treeSize;
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo);
    if (leafIndex < lo + k) {
      siblings.push(subtreeHash(reader, lo + k, hi));
      hi = lo + k;
    } else {
      siblings.push(subtreeHash(reader, lo, lo + k));
      lo += k;
    }
  }
  return siblings.reverse();
}

/**
 * Consistency proof from the tree of the first `size1` leaves to that of the first `size2`,
 * in RFC 6962 s.2.1.2 order; empty when size1 is 0 or equals size2. O(log n) reads.
 */
export function consistencyProof(reader: LogNodeReader, size1: number, size2: number): Uint8Array[] {
  assertReader(reader);
  assertTreeIndex(size1, 'size1');
  assertTreeIndex(size2, 'size2');
  if (size1 > size2) throw new RangeError(`size1: ${size1} exceeds size2 ${size2}`);
  if (size1 === 0 || size1 === size2) return [];

  // SUBPROOF(m, D[lo:hi], b) walked from the root down; m - lo leaves of [lo, hi) are old.
  const nodes: Uint8Array[] = [];
  let lo = 0;
  let hi = size2;
  let complete = true; // b of RFC 6962: whether [lo, lo + m) is the whole old tree.
  for (;;) {
    if (size1 === hi) {
      // [lo, hi) is the old tree's part: its root is needed unless it is the old root.
      if (!complete) nodes.push(subtreeHash(reader, lo, hi));
      break;
    }
    const k = splitPoint(hi - lo);
    if (size1 - lo <= k) {
      nodes.push(subtreeHash(reader, lo + k, hi));
      hi = lo + k;
    } else {
      nodes.push(subtreeHash(reader, lo, lo + k));
      lo += k;
      complete = false;
    }
  }
  return nodes.reverse();
}

/** An in-memory `LogNodeReader` with `apply(writes)`, for tests and light uses. */
export class MemoryLogStore implements LogNodeReader {
  /** levels[level][index] = node hash. */
  private readonly levels: Uint8Array[][] = [];

  /** Number of leaves stored (the log size when writes are applied in order). */
  get size(): number {
    return this.levels[0]?.length ?? 0;
  }

  /** The stored hash of (level, index), if any. */
  getNode(level: number, index: number): Uint8Array | undefined {
    return this.levels[level]?.[index];
  }

  /** Store writes from `appendLeafHashes`; refuses to change an existing node (append-only). */
  apply(writes: readonly LogNodeWrite[]): void {
    if (!Array.isArray(writes)) throw new TypeError('writes: expected an array');
    for (let i = 0; i < writes.length; i++) {
      const w = writes[i]!;
      assertTreeIndex(w.level, `writes[${i}].level`);
      assertTreeIndex(w.index, `writes[${i}].index`);
      assertBytes(w.hash, MERKLE_HASH_SIZE, `writes[${i}].hash`);
      const level = (this.levels[w.level] ??= []);
      const existing = level[w.index];
      if (existing !== undefined && !equalBytes(existing, w.hash)) {
        throw new GovchainError('store.corrupt', `log node (level ${w.level}, index ${w.index}) already holds another hash`);
      }
      level[w.index] = w.hash;
    }
  }
}

function assertReader(reader: unknown): asserts reader is LogNodeReader {
  if (typeof reader !== 'object' || reader === null || typeof (reader as LogNodeReader).getNode !== 'function') {
    throw new TypeError('reader: expected a LogNodeReader');
  }
}

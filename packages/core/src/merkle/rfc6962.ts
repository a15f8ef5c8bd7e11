/**
 * The Merkle tree of RFC 6962 s.2.1 (and its successor RFC 9162 s.2.1) over SHA-256:
 *
 * - leaf hash = SHA-256(0x00 || data), interior node = SHA-256(0x01 || left || right)
 *   (the 0x00/0x01 prefixes keep a leaf from ever being read as a node: second-preimage
 *   resistance, RFC 6962 s.2.1);
 * - MTH({}) = SHA-256(""); MTH(D[n]) splits at k, the largest power of two smaller than n.
 *
 * Verifiers follow RFC 9162 s.2.1.3.2 (inclusion) and s.2.1.4.2 (consistency) step by
 * step; the naive generators follow RFC 6962 s.2.1.1 PATH and s.2.1.2 PROOF/SUBPROOF and
 * exist as the reference the storage-backed log (./log.ts) is tested against.
 *
 * Tree sizes and indices are JavaScript numbers, exact up to 2^53 - 1, so all bit
 * arithmetic below is done with `% 2` and `Math.floor(x / 2)` rather than 32-bit operators.
 */
import { assertBytes, concatBytes, equalBytes } from '../bytes.js';
import { sha256 } from '../crypto.js';

/** Size in bytes of every hash in the tree (SHA-256). */
export const MERKLE_HASH_SIZE = 32;

const LEAF_PREFIX = new Uint8Array([0x00]);

/**
 * Scratch preimage of interior nodes (0x01 || left || right), reused because proofs and
 * appends hash millions of nodes; safe because sha256 is synchronous and keeps no reference.
 */
const NODE_PREIMAGE = new Uint8Array(1 + 2 * MERKLE_HASH_SIZE);
NODE_PREIMAGE[0] = 0x01;

/** Root of the empty tree, MTH({}) = SHA-256("") (RFC 6962 s.2.1). */
export const EMPTY_TREE_ROOT: Uint8Array = sha256(new Uint8Array(0));

/** RFC 6962 leaf hash: SHA-256(0x00 || data). */
export function hashLeaf(data: Uint8Array): Uint8Array {
  assertBytes(data, undefined, 'data');
  return sha256(concatBytes(LEAF_PREFIX, data));
}

/** RFC 6962 interior node hash: SHA-256(0x01 || left || right); both children are 32 bytes. */
export function hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
  assertBytes(left, MERKLE_HASH_SIZE, 'left');
  assertBytes(right, MERKLE_HASH_SIZE, 'right');
  NODE_PREIMAGE.set(left, 1);
  NODE_PREIMAGE.set(right, 1 + MERKLE_HASH_SIZE);
  return sha256(NODE_PREIMAGE);
}

/** Throw unless `value` is a non-negative safe integer (sizes and indices). */
export function assertTreeIndex(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number') throw new TypeError(`${name}: expected a number`);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name}: expected a non-negative safe integer, got ${value}`);
  }
}

/** The largest power of two strictly smaller than `n` (n >= 2): the split point k of MTH. */
export function splitPoint(n: number): number {
  if (!Number.isSafeInteger(n) || n < 2) throw new RangeError(`n: expected an integer >= 2, got ${n}`);
  // 2^floor(log2(n - 1)), by count-leading-zeros while n - 1 fits in 32 bits.
  if (n - 1 <= 0xffffffff) return 0x80000000 >>> Math.clz32(n - 1);
  let k = 0x100000000;
  while (k * 2 < n) k *= 2;
  return k;
}

function assertHashList(list: unknown, name: string): asserts list is readonly Uint8Array[] {
  if (!Array.isArray(list)) throw new TypeError(`${name}: expected an array`);
  for (let i = 0; i < list.length; i++) assertBytes(list[i], MERKLE_HASH_SIZE, `${name}[${i}]`);
}

/** True when `list` is an array of 32-byte hashes (verifiers answer false otherwise). */
function isHashList(list: unknown): list is readonly Uint8Array[] {
  if (!Array.isArray(list)) return false;
  for (const h of list) if (!(h instanceof Uint8Array) || h.length !== MERKLE_HASH_SIZE) return false;
  return true;
}

function isHash(h: unknown): h is Uint8Array {
  return h instanceof Uint8Array && h.length === MERKLE_HASH_SIZE;
}

/** MTH of a range of leaf hashes, by the recursive definition of RFC 6962 s.2.1. */
function mth(leafHashes: readonly Uint8Array[], start: number, end: number): Uint8Array {
  const n = end - start;
  if (n === 0) return EMPTY_TREE_ROOT;
  if (n === 1) return leafHashes[start]!;
  const k = splitPoint(n);
  return hashChildren(mth(leafHashes, start, start + k), mth(leafHashes, start + k, end));
}

/** Merkle Tree Hash of a list of leaf hashes, computed naively (RFC 6962 s.2.1); a reference. */
export function rootFromLeafHashes(leafHashes: readonly Uint8Array[]): Uint8Array {
  assertHashList(leafHashes, 'leafHashes');
  return mth(leafHashes, 0, leafHashes.length);
}

/** Audit path of leaf `index` by RFC 6962 s.2.1.1 PATH(m, D[n]), computed naively; a reference. */
export function naiveInclusionProof(leafHashes: readonly Uint8Array[], index: number): Uint8Array[] {
  assertHashList(leafHashes, 'leafHashes');
  assertTreeIndex(index, 'index');
  if (index >= leafHashes.length) {
    throw new RangeError(`index: ${index} is not below the tree size ${leafHashes.length}`);
  }
  const path = (m: number, start: number, end: number): Uint8Array[] => {
    const n = end - start;
    if (n === 1) return [];
    const k = splitPoint(n);
    if (m < k) return [...path(m, start, start + k), mth(leafHashes, start + k, end)];
    return [...path(m - k, start + k, end), mth(leafHashes, start, start + k)];
  };
  return path(index, 0, leafHashes.length);
}

/**
 * Consistency proof from the first `size1` leaves to all of `leafHashes`, by RFC 6962
 * s.2.1.2 PROOF/SUBPROOF, computed naively; empty when size1 is 0 or the whole list.
 */
export function naiveConsistencyProof(leafHashes: readonly Uint8Array[], size1: number): Uint8Array[] {
  assertHashList(leafHashes, 'leafHashes');
  assertTreeIndex(size1, 'size1');
  if (size1 > leafHashes.length) {
    throw new RangeError(`size1: ${size1} exceeds the tree size ${leafHashes.length}`);
  }
  const subproof = (m: number, start: number, end: number, b: boolean): Uint8Array[] => {
    const n = end - start;
    if (m === n) return b ? [] : [mth(leafHashes, start, end)];
    const k = splitPoint(n);
    if (m <= k) return [...subproof(m, start, start + k, b), mth(leafHashes, start + k, end)];
    return [...subproof(m - k, start + k, end, false), mth(leafHashes, start, start + k)];
  };
  if (size1 === 0) return [];
  return subproof(size1, 0, leafHashes.length, true);
}

/** The RFC 9162 s.2.1.3.2 computation; the root, or undefined where the RFC says "fail". */
function computeInclusionRoot(
  leafHash: Uint8Array,
  leafIndex: number,
  treeSize: number,
  proof: readonly Uint8Array[],
): Uint8Array | undefined {
  // 1. leaf_index must be below tree_size.
  if (leafIndex >= treeSize) return undefined;
  // 2. fn = leaf_index, sn = tree_size - 1.
  let fn = leafIndex;
  let sn = treeSize - 1;
  // 3. r = hash.
  let r = leafHash;
  // 4. Fold in each path element.
  for (const p of proof) {
    // 4a. A path longer than the tree is deep fails.
    if (sn === 0) return undefined;
    if (fn % 2 === 1 || fn === sn) {
      // 4b. p is a left sibling.
      r = hashChildren(p, r);
      // Skip the levels where the node is the last one of its level and has no sibling.
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      // p is a right sibling.
      r = hashChildren(r, p);
    }
    // 4c.
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  // 5. The path must reach the root exactly.
  if (sn !== 0) return undefined;
  return r;
}

/**
 * Root implied by an inclusion proof (RFC 9162 s.2.1.3.2); throws RangeError when the
 * proof cannot be a path for `leafIndex` in a tree of `treeSize` (index or length wrong).
 */
export function rootFromInclusionProof(
  leafHash: Uint8Array,
  leafIndex: number,
  treeSize: number,
  proof: readonly Uint8Array[],
): Uint8Array {
  assertBytes(leafHash, MERKLE_HASH_SIZE, 'leafHash');
  assertTreeIndex(leafIndex, 'leafIndex');
  assertTreeIndex(treeSize, 'treeSize');
  assertHashList(proof, 'proof');
  if (leafIndex >= treeSize) throw new RangeError(`leafIndex: ${leafIndex} is not below treeSize ${treeSize}`);
  const root = computeInclusionRoot(leafHash, leafIndex, treeSize, proof);
  if (root === undefined) {
    throw new RangeError(`proof: ${proof.length} hashes is the wrong length for leaf ${leafIndex} of ${treeSize}`);
  }
  return root;
}

/**
 * Verify that `leafHash` is leaf `leafIndex` of the tree of `treeSize` leaves with `root`
 * (RFC 9162 s.2.1.3.2). False for any proof that fails, including malformed hashes; throws
 * only for arguments of the wrong type or negative/non-integer numbers.
 */
export function verifyInclusion(
  leafHash: Uint8Array,
  leafIndex: number,
  treeSize: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!(leafHash instanceof Uint8Array)) throw new TypeError('leafHash: expected Uint8Array');
  if (!(root instanceof Uint8Array)) throw new TypeError('root: expected Uint8Array');
  if (!Array.isArray(proof)) throw new TypeError('proof: expected an array');
  assertTreeIndex(leafIndex, 'leafIndex');
  assertTreeIndex(treeSize, 'treeSize');
  if (!isHash(leafHash) || !isHash(root) || !isHashList(proof)) return false;
  const computed = computeInclusionRoot(leafHash, leafIndex, treeSize, proof);
  return computed !== undefined && equalBytes(computed, root);
}

/**
 * Verify that the tree of `size2` leaves with `root2` extends the tree of `size1` leaves
 * with `root1` (RFC 9162 s.2.1.4.2). size1 == size2 needs equal roots and an empty proof;
 * size1 == 0 needs an empty proof. False for any failing proof; throws only for arguments
 * of the wrong type or negative/non-integer sizes.
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  root1: Uint8Array,
  root2: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  assertTreeIndex(size1, 'size1');
  assertTreeIndex(size2, 'size2');
  if (!(root1 instanceof Uint8Array)) throw new TypeError('root1: expected Uint8Array');
  if (!(root2 instanceof Uint8Array)) throw new TypeError('root2: expected Uint8Array');
  if (!Array.isArray(proof)) throw new TypeError('proof: expected an array');
  if (!isHash(root1) || !isHash(root2) || !isHashList(proof)) return false;

  // Trees never shrink.
  if (size2 < size1) return false;
  // A tree is consistent with itself only, and needs no proof.
  if (size1 === size2) return proof.length === 0 && equalBytes(root1, root2);
  // Every tree extends the empty tree; there is nothing to prove.
  if (size1 === 0) return proof.length === 0;

  // 1. An empty path fails.
  if (proof.length === 0) return false;
  // 2. When size1 is a power of two, its root is a node of the new tree: prepend it.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : proof;
  // 3.
  let fn = size1 - 1;
  let sn = size2 - 1;
  // 4. Skip the levels where the old tree's last node is a right child.
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  // 5.
  let fr = path[0]!;
  let sr = path[0]!;
  // 6.
  for (let i = 1; i < path.length; i++) {
    const c = path[i]!;
    // 6a.
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      // 6b. c is a left sibling on both paths.
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      // c is a right sibling on the new tree's path only.
      sr = hashChildren(sr, c);
    }
    // 6c.
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  // 7.
  return sn === 0 && equalBytes(fr, root1) && equalBytes(sr, root2);
}

function isPowerOfTwo(n: number): boolean {
  if (n < 1) return false;
  while (n % 2 === 0) n /= 2;
  return n === 1;
}

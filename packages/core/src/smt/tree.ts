/**
 * The authenticated state map: a binary, path-compressed sparse Merkle tree over 256-bit
 * keys (the binary form of Diem's Jellyfish Merkle tree; Gao et al., "Jellyfish Merkle
 * Tree", 2021). The exact definition, and the proof verification algorithm an independent
 * implementation follows, are in docs/state-proofs.md:
 *
 * - bit i of a key is bit (7 - i % 8) of byte floor(i / 8); bit `depth` chooses left (0)
 *   or right (1) below a node at that depth;
 * - empty subtree = 32 zero bytes; leaf = SHA-256(0x00 || key || valueHash);
 *   internal = SHA-256(0x01 || left || right);
 * - a subtree holding exactly one leaf is that leaf's hash (the leaf sits at the highest
 *   position where it is alone), so the root depends on the key/value set only.
 *
 * Nodes are content-addressed and immutable (`hash -> node`); a version of the map is just
 * a root, and every earlier root stays readable and provable. Pure: reads go through the
 * synchronous `SmtNodeReader`, writes are returned to the caller.
 *
 * Storage versions (not part of any hash): an update may be given a `version` (the node
 * stores the block height), and then every node it creates records the version of each
 * child, as in Jellyfish's node keys. A store can then keep nodes under (version, hash),
 * so one block's nodes are written side by side instead of at random places in a
 * hash-ordered index; readers pass the version along with the hash. Stores that are
 * purely content-addressed (MemorySmtStore) ignore it.
 */
import { assertBytes, equalBytes } from '../bytes.js';
import { sha256 } from '../crypto.js';
import { GovchainError } from '../errors.js';

/** Root of the empty map (and hash of every empty subtree): 32 zero bytes. */
export const SMT_EMPTY_ROOT: Uint8Array = new Uint8Array(32);

/** Private zero hash, so a caller writing into the exported constant cannot corrupt trees. */
const ZERO = new Uint8Array(32);

/** Keys are 256 bits, so no path is longer than this many levels below the root. */
export const SMT_MAX_DEPTH = 256;

/**
 * A stored node: an internal node (two child hashes, and optionally the storage version of
 * each child) or a leaf (a key and its value hash).
 */
export type SmtNode =
  | { readonly kind: 'internal'; readonly left: Uint8Array; readonly right: Uint8Array; readonly leftVersion?: number | undefined; readonly rightVersion?: number | undefined }
  | { readonly kind: 'leaf'; readonly key: Uint8Array; readonly valueHash: Uint8Array };

/** Synchronous read access to nodes by hash; `undefined` when the store does not hold it. */
export interface SmtNodeReader {
  /**
   * The node whose hash is `hash`, if stored. `version` is the storage version recorded
   * for it by its parent (or the root's), when known; content-addressed stores ignore it.
   */
  getNode(hash: Uint8Array, version?: number): SmtNode | undefined;
}

/** Options of {@link updateSmt}. */
export interface SmtUpdateOptions {
  /** Storage version of the nodes this update creates (a block height); default: none. */
  version?: number | undefined;
  /** Storage version of the root node being updated, when known. */
  rootVersion?: number | undefined;
}

/** A node created by an update, with its hash (what a store writes). */
export interface SmtNodeEntry {
  /** SHA-256 of the node's preimage (its content address). */
  readonly hash: Uint8Array;
  /** The node. */
  readonly node: SmtNode;
}

/** One change of a batch: set `key` to `valueHash`, or delete it when `valueHash` is null. */
export interface SmtUpdate {
  /** The 32-byte map key. */
  readonly key: Uint8Array;
  /** The 32-byte value hash, or null to delete the key. */
  readonly valueHash: Uint8Array | null;
}

/** What `updateSmt` returns: the new root and the new nodes reachable from it. */
export interface SmtUpdateResult {
  /** Root of the map after the batch. */
  root: Uint8Array;
  /** Storage version of the root node (the update's version when it created the root). */
  rootVersion: number | undefined;
  /** Nodes created by the batch (each once), to be written together in one transaction. */
  nodes: SmtNodeEntry[];
}

/** A proof for one key against one root (docs/state-proofs.md). */
export interface SmtProof {
  /** Sibling hashes along the key's path, deepest first, the root's child last (at most 256). */
  siblings: Uint8Array[];
  /** The leaf at the end of the path (the key's own, or another key's sharing the path), or null for an empty slot. */
  leaf: { key: Uint8Array; valueHash: Uint8Array } | null;
}

const LEAF_TAG = 0x00;
const INTERNAL_TAG = 0x01;

// One preimage buffer reused for every node hash: sha256 copies its input, and a fresh
// 65-byte array per node would be an off-heap allocation in V8 (typed arrays over 64 bytes).
const scratch = new Uint8Array(65);

/** SHA-256(tag || a || b) for 32-byte a and b. */
function hashNode(tag: number, a: Uint8Array, b: Uint8Array): Uint8Array {
  scratch[0] = tag;
  scratch.set(a, 1);
  scratch.set(b, 33);
  return sha256(scratch);
}

/** Leaf hash: SHA-256(0x00 || key || valueHash). */
export function smtLeafHash(key: Uint8Array, valueHash: Uint8Array): Uint8Array {
  assertBytes(key, 32, 'key');
  assertBytes(valueHash, 32, 'valueHash');
  return hashNode(LEAF_TAG, key, valueHash);
}

/** Internal node hash: SHA-256(0x01 || left || right). */
export function smtInternalHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  assertBytes(left, 32, 'left');
  assertBytes(right, 32, 'right');
  return hashNode(INTERNAL_TAG, left, right);
}

/** Bit `i` of a 32-byte key, most significant bit of byte 0 first. */
function bitAt(key: Uint8Array, i: number): number {
  return (key[i >>> 3]! >>> (7 - (i & 7))) & 1;
}

function isZero(hash: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) if (hash[i] !== 0) return false;
  return true;
}

/** Equality of two 32-byte hashes (public data, so an early exit is fine). */
function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return false;
  return true;
}

function compareKeys(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < 32; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return 0;
}

function readNode(reader: SmtNodeReader, hash: Uint8Array, version?: number): SmtNode {
  const node = reader.getNode(hash, version);
  if (node === undefined) throw new GovchainError('store.corrupt', 'state-map node missing from the store (unknown root or damaged store)');
  return node;
}

// ---------------------------------------------------------------------------------------
// Batch update.
//
// One recursive descent over the sorted, de-duplicated update keys. A call handles the
// subtree at (`depth`, the common prefix of keys[lo..hi)) whose current hash is `hash`; the
// keys are split by bit `depth` so every shared upper node is rehashed once per batch.
// Results carry the subtree's kind so a parent can lift a lone leaf (canonical form).
// ---------------------------------------------------------------------------------------

const EMPTY = 0;
const LEAF = 1;
const INTERNAL = 2;
const UNKNOWN = 3; // an untouched non-empty subtree; its kind is read only if needed

interface Sub {
  hash: Uint8Array;
  kind: number;
  /** Storage version of the subtree's top node, when known. */
  version: number | undefined;
}

const EMPTY_SUB: Sub = { hash: ZERO, kind: EMPTY, version: undefined };

class BatchUpdate {
  readonly nodes: SmtNodeEntry[] = [];

  constructor(
    private readonly reader: SmtNodeReader,
    private readonly keys: Uint8Array[],
    private readonly values: Array<Uint8Array | null>,
    private readonly version: number | undefined,
  ) {}

  /** First index in [lo, hi) whose key has bit `depth` set (keys are sorted and share `depth` bits). */
  private split(lo: number, hi: number, depth: number): number {
    const keys = this.keys;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (bitAt(keys[mid]!, depth) === 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private newLeaf(i: number): Sub {
    const key = this.keys[i]!.slice();
    const valueHash = this.values[i]!.slice();
    const hash = hashNode(LEAF_TAG, key, valueHash);
    this.nodes.push({ hash, node: { kind: 'leaf', key, valueHash } });
    return { hash, kind: LEAF, version: this.version };
  }

  private kindOf(sub: Sub): number {
    if (sub.kind === UNKNOWN) sub.kind = readNode(this.reader, sub.hash, sub.version).kind === 'leaf' ? LEAF : INTERNAL;
    return sub.kind;
  }

  /** Join two child results canonically; `old` is the node being replaced, if internal. */
  private combine(left: Sub, right: Sub, old: { hash: Uint8Array; version: number | undefined; left: Uint8Array; right: Uint8Array } | null): Sub {
    if (left.kind === EMPTY) {
      if (right.kind === EMPTY) return EMPTY_SUB;
      if (this.kindOf(right) === LEAF) return right;
    } else if (right.kind === EMPTY && this.kindOf(left) === LEAF) {
      return left;
    }
    if (old !== null && sameHash(left.hash, old.left) && sameHash(right.hash, old.right)) return { hash: old.hash, kind: INTERNAL, version: old.version };
    const hash = hashNode(INTERNAL_TAG, left.hash, right.hash);
    const node: SmtNode =
      this.version === undefined
        ? { kind: 'internal', left: left.hash, right: right.hash }
        : { kind: 'internal', left: left.hash, right: right.hash, leftVersion: left.version, rightVersion: right.version };
    this.nodes.push({ hash, node });
    return { hash, kind: INTERNAL, version: this.version };
  }

  /** Apply keys[lo..hi) to the subtree `hash` (stored at `version`) at `depth`. */
  update(hash: Uint8Array, version: number | undefined, depth: number, lo: number, hi: number): Sub {
    if (isZero(hash)) return this.build(depth, lo, hi);
    if (lo === hi) return { hash, kind: UNKNOWN, version };
    const node = readNode(this.reader, hash, version);
    if (node.kind === 'leaf') return this.updateLeaf(hash, version, node, depth, lo, hi);
    if (depth >= SMT_MAX_DEPTH) throw new GovchainError('store.corrupt', 'state-map path longer than 256 levels');
    const mid = this.split(lo, hi, depth);
    const left = this.update(node.left, node.leftVersion, depth + 1, lo, mid);
    const right = this.update(node.right, node.rightVersion, depth + 1, mid, hi);
    return this.combine(left, right, { hash, version, left: node.left, right: node.right });
  }

  /** Apply keys[lo..hi) to a subtree holding the single existing leaf `leaf` (hash `leafHash`, stored at `version`). */
  private updateLeaf(leafHash: Uint8Array, version: number | undefined, leaf: { key: Uint8Array; valueHash: Uint8Array }, depth: number, lo: number, hi: number): Sub {
    if (lo === hi) return { hash: leafHash, kind: LEAF, version };
    const leafKey = leaf.key;
    if (hi - lo === 1 && equalBytes(this.keys[lo]!, leafKey)) {
      const v = this.values[lo];
      if (v === null) return EMPTY_SUB;
      return equalBytes(v, leaf.valueHash) ? { hash: leafHash, kind: LEAF, version } : this.newLeaf(lo);
    }
    // The leaf and at least one other key share this subtree: push the leaf down a level.
    const mid = this.split(lo, hi, depth);
    if (bitAt(leafKey, depth) === 0) {
      return this.combine(this.updateLeaf(leafHash, version, leaf, depth + 1, lo, mid), this.build(depth + 1, mid, hi), null);
    }
    return this.combine(this.build(depth + 1, lo, mid), this.updateLeaf(leafHash, version, leaf, depth + 1, mid, hi), null);
  }

  /** The canonical subtree of the insertions among keys[lo..hi) (deletions there are no-ops). */
  private build(depth: number, lo: number, hi: number): Sub {
    if (lo === hi) return EMPTY_SUB;
    if (hi - lo === 1) return this.values[lo] === null ? EMPTY_SUB : this.newLeaf(lo);
    const mid = this.split(lo, hi, depth);
    return this.combine(this.build(depth + 1, lo, mid), this.build(depth + 1, mid, hi), null);
  }
}

/**
 * Apply a batch of updates (null value hash = delete) to the map at `root`; a later entry
 * for the same key wins. Returns the new root and the nodes it needs that the batch created;
 * nodes of `root` are left as they are, so `root` stays readable.
 */
export function updateSmt(reader: SmtNodeReader, root: Uint8Array, updates: ReadonlyArray<SmtUpdate>, opts: SmtUpdateOptions = {}): SmtUpdateResult {
  assertBytes(root, 32, 'root');
  const version = opts.version;
  if (version !== undefined && !(Number.isSafeInteger(version) && version >= 0)) throw new RangeError('opts.version: expected a non-negative integer');
  if (!Array.isArray(updates)) throw new TypeError('updates: expected an array');
  const order: number[] = new Array(updates.length);
  for (let i = 0; i < updates.length; i++) {
    const u = updates[i];
    if (typeof u !== 'object' || u === null) throw new TypeError(`updates[${i}]: expected an object`);
    assertBytes(u.key, 32, `updates[${i}].key`);
    if (u.valueHash !== null) assertBytes(u.valueHash, 32, `updates[${i}].valueHash`);
    order[i] = i;
  }
  // Stable sort by key, then keep the last entry of each run of equal keys.
  order.sort((a, b) => compareKeys(updates[a]!.key, updates[b]!.key) || a - b);
  const keys: Uint8Array[] = [];
  const values: Array<Uint8Array | null> = [];
  for (let j = 0; j < order.length; j++) {
    const u = updates[order[j]!]!;
    if (j + 1 < order.length && equalBytes(u.key, updates[order[j + 1]!]!.key)) continue;
    keys.push(u.key);
    values.push(u.valueHash);
  }
  const batch = new BatchUpdate(reader, keys, values, version);
  const result = batch.update(root, opts.rootVersion, 0, 0, keys.length);
  if (result.kind === EMPTY) return { root: new Uint8Array(32), rootVersion: undefined, nodes: batch.nodes };
  return { root: result.hash, rootVersion: result.version, nodes: batch.nodes };
}

/** Walk `key`'s path from `root` (stored at `rootVersion`); calls `onSibling` top-down and returns the node the path ends at. */
function walk(
  reader: SmtNodeReader,
  root: Uint8Array,
  rootVersion: number | undefined,
  key: Uint8Array,
  onSibling: ((hash: Uint8Array) => void) | null,
): { key: Uint8Array; valueHash: Uint8Array } | null {
  let hash = root;
  let version = rootVersion;
  for (let depth = 0; ; depth++) {
    if (isZero(hash)) return null;
    const node = readNode(reader, hash, version);
    if (node.kind === 'leaf') return node;
    if (depth >= SMT_MAX_DEPTH) throw new GovchainError('store.corrupt', 'state-map path longer than 256 levels');
    if (bitAt(key, depth) === 0) {
      onSibling?.(node.right);
      hash = node.left;
      version = node.leftVersion;
    } else {
      onSibling?.(node.left);
      hash = node.right;
      version = node.rightVersion;
    }
  }
}

/** The value hash stored under `key` in the map at `root` (root node stored at `rootVersion`, when known), or null when the key is absent. */
export function getSmtValueHash(reader: SmtNodeReader, root: Uint8Array, key: Uint8Array, rootVersion?: number): Uint8Array | null {
  assertBytes(root, 32, 'root');
  assertBytes(key, 32, 'key');
  const leaf = walk(reader, root, rootVersion, key, null);
  return leaf !== null && equalBytes(leaf.key, key) ? leaf.valueHash : null;
}

/** A membership proof for `key` in the map at `root` (root node stored at `rootVersion`, when known) when present, otherwise a non-membership proof. */
export function proveSmt(reader: SmtNodeReader, root: Uint8Array, key: Uint8Array, rootVersion?: number): SmtProof {
  assertBytes(root, 32, 'root');
  assertBytes(key, 32, 'key');
  const siblings: Uint8Array[] = [];
  const leaf = walk(reader, root, rootVersion, key, (h) => siblings.push(h));
  siblings.reverse();
  return { siblings, leaf: leaf === null ? null : { key: leaf.key, valueHash: leaf.valueHash } };
}

function isBytes32(x: unknown): x is Uint8Array {
  return x instanceof Uint8Array && x.length === 32;
}

/** Number of leading bits `a` and `b` share (256 when equal). */
function commonPrefixBits(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < 32; i++) {
    const x = a[i]! ^ b[i]!;
    if (x !== 0) return i * 8 + Math.clz32(x) - 24;
  }
  return 256;
}

/**
 * Check `proof` for `key` against `root` (docs/state-proofs.md, "Verifying a proof"):
 * membership of `valueHash` when it is given, absence of `key` when it is null. Returns
 * false, never throws, for any malformed or inconsistent input.
 */
export function verifySmtProof(root: Uint8Array, key: Uint8Array, valueHash: Uint8Array | null, proof: SmtProof): boolean {
  if (!isBytes32(root) || !isBytes32(key) || (valueHash !== null && !isBytes32(valueHash))) return false;
  if (typeof proof !== 'object' || proof === null) return false;
  const { siblings, leaf } = proof;
  if (!Array.isArray(siblings) || siblings.length > SMT_MAX_DEPTH) return false;
  for (const s of siblings) if (!isBytes32(s)) return false;
  const depth = siblings.length;
  let hash: Uint8Array;
  if (leaf === null) {
    if (valueHash !== null) return false; // membership needs the key's own leaf
    hash = ZERO;
  } else {
    if (typeof leaf !== 'object' || !isBytes32(leaf.key) || !isBytes32(leaf.valueHash)) return false;
    if (valueHash !== null) {
      if (!equalBytes(leaf.key, key) || !equalBytes(leaf.valueHash, valueHash)) return false;
    } else {
      // Absence shown by another key's leaf: it must sit on this key's path.
      if (equalBytes(leaf.key, key) || commonPrefixBits(leaf.key, key) < depth) return false;
    }
    hash = hashNode(LEAF_TAG, leaf.key, leaf.valueHash);
  }
  // Canonical form: below an internal node the path ends only beside a non-empty sibling.
  if (depth > 0 && isZero(siblings[0]!)) return false;
  for (let i = 0; i < depth; i++) {
    const sibling = siblings[i]!;
    hash = bitAt(key, depth - 1 - i) === 0 ? hashNode(INTERNAL_TAG, hash, sibling) : hashNode(INTERNAL_TAG, sibling, hash);
  }
  return equalBytes(hash, root);
}

// In-memory store: node records packed in large byte slabs, found through an open-addressing
// index of (record number, 32 more hash bits) pairs, so millions of nodes cost ~115-130 bytes
// each, hold no per-node JS objects, and a probe touches a record only on a likely match.
const RECORD_BYTES = 97; // hash (32) | tag (1) | key or left (32) | valueHash or right (32)
const CHUNK_SHIFT = 15;
const CHUNK_RECORDS = 1 << CHUNK_SHIFT;
const CHUNK_MASK = CHUNK_RECORDS - 1;

/** Bytes `at..at+3` of a hash as an int32 (hashes are SHA-256 outputs, uniformly spread). */
function word(hash: Uint8Array, at: number): number {
  return hash[at]! | (hash[at + 1]! << 8) | (hash[at + 2]! << 16) | (hash[at + 3]! << 24);
}

/** An in-memory node store (tests, benchmarks, replay audits); keeps every version. Returned nodes are read-only views. */
export class MemorySmtStore implements SmtNodeReader {
  private readonly chunks: Uint8Array[] = [];
  private count = 0;
  /** Slot s holds index[2s] = record number + 1 (0 = free) and index[2s + 1] = word(hash, 4). */
  private index = new Int32Array(2 << 12);
  private mask = (1 << 12) - 1;

  /** Record number of `hash`, or -(free slot) - 1 where it would go. */
  private find(hash: Uint8Array): number {
    const index = this.index;
    const mask = this.mask;
    const check = word(hash, 4);
    for (let slot = word(hash, 0) & mask; ; slot = (slot + 1) & mask) {
      const r = index[2 * slot]!;
      if (r === 0) return -slot - 1;
      if (index[2 * slot + 1] !== check) continue;
      const chunk = this.chunks[(r - 1) >>> CHUNK_SHIFT]!;
      const off = ((r - 1) & CHUNK_MASK) * RECORD_BYTES;
      let i = 8;
      while (i < 32 && chunk[off + i] === hash[i]) i++;
      if (i === 32) return r - 1;
    }
  }

  private grow(): void {
    const slots = (this.mask + 1) * 2;
    const index = new Int32Array(2 * slots);
    const mask = slots - 1;
    for (let r = 0; r < this.count; r++) {
      const chunk = this.chunks[r >>> CHUNK_SHIFT]!;
      const off = (r & CHUNK_MASK) * RECORD_BYTES;
      let slot = word(chunk, off) & mask;
      while (index[2 * slot] !== 0) slot = (slot + 1) & mask;
      index[2 * slot] = r + 1;
      index[2 * slot + 1] = word(chunk, off + 4);
    }
    this.index = index;
    this.mask = mask;
  }

  /** The node whose hash is `hash`, if stored. */
  getNode(hash: Uint8Array): SmtNode | undefined {
    if (!(hash instanceof Uint8Array) || hash.length !== 32) return undefined;
    const r = this.find(hash);
    if (r < 0) return undefined;
    const chunk = this.chunks[r >>> CHUNK_SHIFT]!;
    const at = chunk.byteOffset + (r & CHUNK_MASK) * RECORD_BYTES;
    const a = new Uint8Array(chunk.buffer, at + 33, 32);
    const b = new Uint8Array(chunk.buffer, at + 65, 32);
    return chunk[at + 32] === LEAF_TAG ? { kind: 'leaf', key: a, valueHash: b } : { kind: 'internal', left: a, right: b };
  }

  /** Store nodes (as returned by `updateSmt`); storing a node twice is harmless. */
  put(nodes: Iterable<SmtNodeEntry>): void {
    for (const { hash, node } of nodes) {
      assertBytes(hash, 32, 'hash');
      const leaf = node.kind === 'leaf';
      const a = leaf ? node.key : node.left;
      const b = leaf ? node.valueHash : node.right;
      assertBytes(a, 32, leaf ? 'node.key' : 'node.left');
      assertBytes(b, 32, leaf ? 'node.valueHash' : 'node.right');
      if ((this.count + 1) * 2 > this.mask + 1) this.grow();
      const found = this.find(hash);
      if (found >= 0) continue;
      const slot = -found - 1;
      const r = this.count++;
      if ((r & CHUNK_MASK) === 0) this.chunks.push(new Uint8Array(CHUNK_RECORDS * RECORD_BYTES));
      const chunk = this.chunks[r >>> CHUNK_SHIFT]!;
      const off = (r & CHUNK_MASK) * RECORD_BYTES;
      chunk.set(hash, off);
      chunk[off + 32] = leaf ? LEAF_TAG : INTERNAL_TAG;
      chunk.set(a, off + 33);
      chunk.set(b, off + 65);
      this.index[2 * slot] = r + 1;
      this.index[2 * slot + 1] = word(hash, 4);
    }
  }

  /** Number of distinct nodes held. */
  get size(): number {
    return this.count;
  }
}

/**
 * Storage encoding of state-map nodes. The first 65 bytes of an encoding are exactly the
 * node's hash preimage (docs/state-proofs.md): leaf = 0x00 || key || valueHash, internal =
 * 0x01 || left || right, so hash(node) = SHA-256(first 65 bytes) and a stored node can be
 * checked against its key. An internal node written with storage versions (store format 2)
 * appends the version of each child as a 48-bit big-endian integer (all ones = none: the
 * child is stored by hash alone, as format-1 stores keep every node).
 */
import { GovchainError, type SmtNode } from '@govchain/core';

/** A 32-byte hash as a string key for in-memory maps (one char per byte). */
export const hashMapKey = (h: Uint8Array): string => String.fromCharCode.apply(null, h as unknown as number[]);

/** Largest storage version (block height) that fits the encoding; the all-ones value means none. */
export const MAX_SMT_VERSION = 2 ** 48 - 2;
const NO_VERSION = 2 ** 48 - 1;

function writeVersion(out: Uint8Array, at: number, v: number | undefined): void {
  const x = v ?? NO_VERSION;
  if (v !== undefined && !(Number.isSafeInteger(v) && v >= 0 && v <= MAX_SMT_VERSION)) throw new RangeError(`state-map node version ${v} out of range`);
  // 48 bits as 16 high + 32 low (bit operators are 32-bit).
  const hi = Math.floor(x / 2 ** 32);
  const lo = x >>> 0;
  out[at] = hi >>> 8;
  out[at + 1] = hi & 0xff;
  out[at + 2] = lo >>> 24;
  out[at + 3] = (lo >>> 16) & 0xff;
  out[at + 4] = (lo >>> 8) & 0xff;
  out[at + 5] = lo & 0xff;
}

function readVersion(enc: Uint8Array, at: number): number | undefined {
  const x = (enc[at]! * 256 + enc[at + 1]!) * 2 ** 32 + ((enc[at + 2]! << 24) >>> 0) + (enc[at + 3]! << 16) + (enc[at + 4]! << 8) + enc[at + 5]!;
  return x === NO_VERSION ? undefined : x;
}

/** Encoded size of a node: 65 bytes, or 77 for an internal node that records its children's versions. */
function encodedSize(node: SmtNode): number {
  return node.kind === 'internal' && (node.leftVersion !== undefined || node.rightVersion !== undefined) ? 77 : 65;
}

/** Write the encoding of `node` into `out` at `at`; returns its size. */
function encodeInto(node: SmtNode, out: Uint8Array, at: number): number {
  if (node.kind === 'leaf') {
    out[at] = 0;
    out.set(node.key, at + 1);
    out.set(node.valueHash, at + 33);
    return 65;
  }
  out[at] = 1;
  out.set(node.left, at + 1);
  out.set(node.right, at + 33);
  if (encodedSize(node) === 65) return 65;
  writeVersion(out, at + 65, node.leftVersion);
  writeVersion(out, at + 71, node.rightVersion);
  return 77;
}

/** Encode a node: 65 bytes, or 77 for an internal node that records its children's versions. */
export function encodeSmtNode(node: SmtNode): Uint8Array {
  const out = new Uint8Array(encodedSize(node));
  encodeInto(node, out, 0);
  return out;
}

/**
 * Encode many nodes (one block's) as views into one buffer: one allocation instead of one
 * off-heap buffer per node, which the garbage collector would otherwise track one by one.
 */
export function encodeSmtNodes(nodes: readonly SmtNode[]): Uint8Array[] {
  let total = 0;
  for (const n of nodes) total += encodedSize(n);
  const buf = new Uint8Array(total);
  const out: Uint8Array[] = new Array(nodes.length);
  let at = 0;
  for (let i = 0; i < nodes.length; i++) {
    const size = encodeInto(nodes[i]!, buf, at);
    out[i] = buf.subarray(at, at + size);
    at += size;
  }
  return out;
}

/**
 * Decode a stored node (the result shares no memory with `enc`, which may be lmdb-js's
 * reused read buffer: its `length` property is the value's size, and Buffer#slice would
 * not copy); throws `store.corrupt` on a malformed encoding.
 */
export function decodeSmtNode(enc: Uint8Array): SmtNode {
  const tag = enc[0];
  const copy = (from: number, to: number): Uint8Array => Uint8Array.prototype.slice.call(enc, from, to);
  if (tag === 0 && enc.length === 65) return { kind: 'leaf', key: copy(1, 33), valueHash: copy(33, 65) };
  if (tag === 1 && enc.length === 65) return { kind: 'internal', left: copy(1, 33), right: copy(33, 65) };
  if (tag === 1 && enc.length === 77) {
    return { kind: 'internal', left: copy(1, 33), right: copy(33, 65), leftVersion: readVersion(enc, 65), rightVersion: readVersion(enc, 71) };
  }
  throw new GovchainError('store.corrupt', 'malformed state-map node in the store');
}

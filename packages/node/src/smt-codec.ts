/**
 * Storage encoding of state-map nodes. The encoding of a node is exactly its hash
 * preimage (docs/state-proofs.md): leaf = 0x00 || key || valueHash, internal =
 * 0x01 || left || right, so hash(node) = SHA-256(encoding) and a stored node can be
 * checked against its key.
 */
import { GovchainError, type SmtNode } from '@govchain/core';

/** Encode a node (65 bytes). */
export function encodeSmtNode(node: SmtNode): Uint8Array {
  const out = new Uint8Array(65);
  if (node.kind === 'leaf') {
    out[0] = 0;
    out.set(node.key, 1);
    out.set(node.valueHash, 33);
  } else {
    out[0] = 1;
    out.set(node.left, 1);
    out.set(node.right, 33);
  }
  return out;
}

/** Decode a stored node; throws `store.corrupt` on a malformed encoding. */
export function decodeSmtNode(enc: Uint8Array): SmtNode {
  if (enc.length !== 65 || enc[0]! > 1) throw new GovchainError('store.corrupt', 'malformed state-map node in the store');
  if (enc[0] === 0) return { kind: 'leaf', key: enc.slice(1, 33), valueHash: enc.slice(33, 65) };
  return { kind: 'internal', left: enc.slice(1, 33), right: enc.slice(33, 65) };
}

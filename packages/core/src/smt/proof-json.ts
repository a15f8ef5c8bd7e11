/**
 * JSON form of a state-map proof, as served by `GET /v1/state/<module>/<key>?proof=1`
 * (CONTRACT.md s.5, docs/state-proofs.md "Proof JSON"):
 *
 *   { "siblings": ["<base64 (RFC 4648 s.4) of 32 bytes>", ...deepest first],
 *     "leaf": { "key": "<64 lowercase hex>", "valueHash": "<64 lowercase hex>" } | null }
 */
import { fromBase64, fromHex, toBase64, toHex } from '../bytes.js';
import { GovchainError } from '../errors.js';
import { SMT_MAX_DEPTH, type SmtProof } from './tree.js';

/** The JSON object form of an `SmtProof`. */
export interface SmtProofJson {
  /** Base64 sibling hashes, deepest first. */
  siblings: string[];
  /** The leaf at the end of the path, hex-encoded, or null for an empty slot. */
  leaf: { key: string; valueHash: string } | null;
}

const HEX32 = /^[0-9a-f]{64}$/;
// 32 bytes in padded standard base64: 43 symbols, the last one carrying 2 data bits, then '='.
const BASE64_32 = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

/** The JSON form of a proof. */
export function smtProofToJson(proof: SmtProof): SmtProofJson {
  return {
    siblings: proof.siblings.map((s) => toBase64(s)),
    leaf: proof.leaf === null ? null : { key: toHex(proof.leaf.key), valueHash: toHex(proof.leaf.valueHash) },
  };
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function onlyKeys(obj: Record<string, unknown>, allowed: string[], where: string): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) throw malformed(`smtProofFromJson: ${where}${k}: unexpected field`);
  }
}

function hex32(x: unknown, field: string): Uint8Array {
  if (typeof x !== 'string' || !HEX32.test(x)) throw malformed(`smtProofFromJson: ${field}: expected 64 lowercase hex digits`);
  return fromHex(x);
}

// A proof arrives from the network: refusing it is a documented error, not a crash.
function malformed(message: string): GovchainError {
  return new GovchainError('proof.malformed', message);
}

/** Parse and strictly validate the JSON form of a proof; throws `proof.malformed` naming the bad field. */
export function smtProofFromJson(json: unknown): SmtProof {
  if (!isPlainObject(json)) throw malformed('smtProofFromJson: proof: expected an object');
  onlyKeys(json, ['siblings', 'leaf'], '');
  const { siblings, leaf } = json;
  if (!Array.isArray(siblings)) throw malformed('smtProofFromJson: siblings: expected an array');
  if (siblings.length > SMT_MAX_DEPTH) throw malformed(`smtProofFromJson: siblings: more than ${SMT_MAX_DEPTH} entries`);
  const out: Uint8Array[] = [];
  for (let i = 0; i < siblings.length; i++) {
    const s: unknown = siblings[i];
    if (typeof s !== 'string' || !BASE64_32.test(s)) throw malformed(`smtProofFromJson: siblings[${i}]: expected base64 of 32 bytes`);
    out.push(fromBase64(s));
  }
  if (!('leaf' in json)) throw malformed('smtProofFromJson: leaf: missing (use null for an empty slot)');
  if (leaf === null) return { siblings: out, leaf: null };
  if (!isPlainObject(leaf)) throw malformed('smtProofFromJson: leaf: expected an object or null');
  onlyKeys(leaf, ['key', 'valueHash'], 'leaf.');
  return { siblings: out, leaf: { key: hex32(leaf.key, 'leaf.key'), valueHash: hex32(leaf.valueHash, 'leaf.valueHash') } };
}

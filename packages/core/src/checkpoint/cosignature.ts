/**
 * Witness cosignatures: C2SP tlog-cosignature (https://c2sp.org/tlog-cosignature),
 * the Ed25519 "cosignature/v1" type. A cosignature is a signed-note signature line
 *
 *   "— " <witness name> " " base64(key id || u64be timestamp || Ed25519 signature) "\n"
 *
 * with key id = SHA-256(name || 0x0A || 0x04 || public key)[:4], over the message
 *
 *   "cosignature/v1\n" "time " <timestamp, decimal> "\n" <checkpoint body>
 *
 * The witness's verifier key is "<name>+<hex key id>+<base64(0x04 || public key)>". A
 * cosignature states that, at that time, this checkpoint was the largest consistent tree
 * the witness had seen for the origin. Cosignature lines sit next to the validators'
 * lines in one note; validators' verifiers ignore them (their key ids differ) and the
 * other way round. Pure and browser-safe.
 */
import { assertBytes, concatBytes, equalBytes, fromBase64, toBase64, toHex, utf8 } from '../bytes.js';
import { keyPairFromSeed, sha256, signEd25519, verifyEd25519 } from '../crypto.js';
import { GovchainError } from '../errors.js';
import { isValidNoteKeyName, parseSignedNote, type NoteSignature, type NoteVerifier } from './note.js';

/** Key-id algorithm byte of Ed25519 cosignature/v1 (tlog-cosignature). */
export const COSIGNATURE_ED25519_TYPE = 0x04;

/** A verified witness cosignature: who, and the POSIX time it was made. */
export interface Cosignature {
  name: string;
  timestamp: number;
}

const KEY_HASH_HEX = /^[0-9a-f]{8}$/;
const COSIG_BYTES = 8 + 64;

/** The 4-byte key id SHA-256(name || 0x0A || 0x04 || publicKey)[:4] of a witness key. */
export function cosignerKeyHash(name: string, publicKey: Uint8Array): Uint8Array {
  if (!isValidNoteKeyName(name)) throw new RangeError('name: not a valid note key name');
  assertBytes(publicKey, 32, 'publicKey');
  return sha256(concatBytes(utf8(name), Uint8Array.of(0x0a, COSIGNATURE_ED25519_TYPE), publicKey)).slice(0, 4);
}

/** The witness verifier key "<name>+<hex key id>+<base64(0x04 || publicKey)>". */
export function formatCosignerVerifierKey(name: string, publicKey: Uint8Array): string {
  const hash = cosignerKeyHash(name, publicKey);
  return `${name}+${toHex(hash)}+${toBase64(concatBytes(Uint8Array.of(COSIGNATURE_ED25519_TYPE), publicKey))}`;
}

/** Parse a witness verifier key (type 0x04); throws `note.malformed`. */
export function parseCosignerVerifierKey(vkey: string): NoteVerifier {
  if (typeof vkey !== 'string') throw new TypeError('vkey: expected a string');
  const bad = (reason: string): never => {
    throw new GovchainError('note.malformed', `invalid witness key ${JSON.stringify(vkey.slice(0, 200))}: ${reason}`, { field: 'vkey', details: { reason } });
  };
  const i = vkey.indexOf('+');
  const j = i < 0 ? -1 : vkey.indexOf('+', i + 1);
  if (i < 0 || j < 0) return bad('expected <name>+<key id>+<key>');
  const name = vkey.slice(0, i);
  if (!isValidNoteKeyName(name)) return bad('invalid key name');
  if (!KEY_HASH_HEX.test(vkey.slice(i + 1, j))) return bad('key id must be 8 lowercase hex digits');
  let key: Uint8Array;
  try {
    key = fromBase64(vkey.slice(j + 1));
  } catch {
    return bad('key is not base64');
  }
  if (key.length !== 33 || key[0] !== COSIGNATURE_ED25519_TYPE) return bad('expected 0x04 followed by a 32-byte Ed25519 key');
  const publicKey = key.slice(1);
  const keyHash = cosignerKeyHash(name, publicKey);
  if (toHex(keyHash) !== vkey.slice(i + 1, j)) return bad('key id does not match name and key');
  return { name, keyHash, publicKey };
}

/** The message a cosignature/v1 signs: header, time line, then the checkpoint body. */
export function cosignatureMessage(body: string, timestamp: number): Uint8Array {
  assertTimestamp(timestamp);
  if (typeof body !== 'string' || !body.endsWith('\n')) throw new RangeError('body: a checkpoint body ending in a newline');
  return utf8(`cosignature/v1\ntime ${timestamp}\n${body}`);
}

/** Cosign a checkpoint body at POSIX time `timestamp` (seconds) as witness `name`. */
export function cosignCheckpoint(body: string, name: string, seed: Uint8Array, timestamp: number): NoteSignature {
  const { publicKey } = keyPairFromSeed(seed);
  const ts = new Uint8Array(8);
  new DataView(ts.buffer).setBigUint64(0, BigInt(timestamp));
  const sig = signEd25519(seed, cosignatureMessage(body, timestamp));
  return { name, keyHash: cosignerKeyHash(name, publicKey), signature: concatBytes(ts, sig) };
}

/**
 * The valid cosignatures of `witnesses` (verifier key strings or parsed) on a signed
 * note. Lines of unknown keys are ignored; a known witness's invalid line throws
 * `checkpoint.bad_signature`. Each witness counts once.
 */
export function verifyCosignatures(note: string | Uint8Array, witnesses: readonly (string | NoteVerifier)[]): Cosignature[] {
  if (!Array.isArray(witnesses)) throw new TypeError('witnesses: expected an array');
  const known = witnesses.map((w) => (typeof w === 'string' ? parseCosignerVerifierKey(w) : w));
  const { text, signatures } = parseSignedNote(note);
  const out: Cosignature[] = [];
  for (const s of signatures) {
    const w = known.find((k) => k.name === s.name && equalBytes(k.keyHash, s.keyHash));
    if (w === undefined) continue;
    const bad = (): never => {
      throw new GovchainError('checkpoint.bad_signature', `invalid cosignature of witness ${s.name}+${toHex(s.keyHash)}`, { details: { name: s.name } });
    };
    if (s.signature.length !== COSIG_BYTES) return bad();
    const timestamp = new DataView(s.signature.buffer, s.signature.byteOffset, 8).getBigUint64(0);
    if (timestamp > BigInt(Number.MAX_SAFE_INTEGER)) return bad();
    const t = Number(timestamp);
    if (!verifyEd25519(w.publicKey, cosignatureMessage(text, t), s.signature.subarray(8))) return bad();
    if (!out.some((c) => c.name === s.name)) out.push({ name: s.name, timestamp: t });
  }
  return out;
}

function assertTimestamp(t: unknown): asserts t is number {
  if (typeof t !== 'number') throw new TypeError('timestamp: expected a number');
  if (!Number.isSafeInteger(t) || t < 0) throw new RangeError('timestamp: a non-negative integer of seconds');
}

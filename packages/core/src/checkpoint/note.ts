/**
 * C2SP signed notes (https://c2sp.org/signed-note), Ed25519 keys only (signature type
 * 0x01), matching Go's golang.org/x/mod/sumdb/note byte for byte:
 *
 *   <text, ending in "\n">
 *   "\n"                                   (one blank line: the LAST one in the note)
 *   "— " <key name> " " base64(key hash || signature) "\n"   (one or more)
 *
 * - key name: non-empty, no Unicode White_Space, no '+' (and, because a note may hold no
 *   control characters, none below U+0020);
 * - key hash = SHA-256(name || 0x0A || 0x01 || 32-byte public key)[:4];
 * - the signed message is the note text including its final newline, without the blank
 *   line; a note is valid UTF-8 with no control character other than "\n";
 * - verifier key: "<name>+<8 lowercase hex key hash>+<base64(0x01 || public key)>";
 * - a signature is identified by (name, key hash): verifiers ignore unknown ones, reject
 *   the note when a known key's signature fails, and count each key once.
 * Stricter than Go where Go is lenient: base64 must be canonical (no stray bits), the
 * hash of a verifier key must be lowercase hex, and every signature of a known key is
 * checked (Go skips repeats of a key it has already accepted). Pure and browser-safe.
 */
import { assertBytes, concatBytes, equalBytes, fromBase64, toBase64, toHex, utf8 } from '../bytes.js';
import { keyPairFromSeed, sha256, signEd25519, verifyEd25519 } from '../crypto.js';
import { GovchainError } from '../errors.js';

/** Signature type byte of Ed25519 in C2SP signed-note key hashes and verifier keys. */
export const NOTE_ED25519_TYPE = 0x01;

/** Most signature lines a note may carry (as Go's sumdb/note; the spec asks for >= 16). */
export const MAX_NOTE_SIGNATURES = 100;

/** Largest accepted note, in UTF-8 bytes (1 MiB). */
export const MAX_NOTE_BYTES = 1 << 20;

/** A trusted Ed25519 key: its note key name, 4-byte key hash and 32-byte public key. */
export interface NoteVerifier {
  readonly name: string;
  readonly keyHash: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** One signature line of a note: key name, 4-byte key hash and the raw signature bytes. */
export interface NoteSignature {
  readonly name: string;
  readonly keyHash: Uint8Array;
  readonly signature: Uint8Array;
}

/** A parsed (not yet verified) signed note. */
export interface SignedNote {
  text: string;
  signatures: NoteSignature[];
}

/** A note whose signatures were checked: the text and the names of the keys that signed it. */
export interface VerifiedNote {
  text: string;
  /** Names of known keys with a valid signature, in note order, each at most once. */
  verifiedBy: string[];
}

const SIG_PREFIX = '\u2014 '; // EM DASH, SPACE
const ED25519_SIG_BYTES = 64;
const CONTROL = /[\u0000-\u0009\u000b-\u001f]/;
const LONE_SURROGATE = /\p{Cs}/u; // in u-mode a valid surrogate pair is one code point
const NAME_FORBIDDEN = /[\p{White_Space}+\u0000-\u001f]/u; // Go: unicode.IsSpace == White_Space
const KEY_HASH_HEX = /^[0-9a-f]{8}$/;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** True when `name` is a valid note key name: non-empty, no spaces, no '+', no controls. */
export function isValidNoteKeyName(name: unknown): name is string {
  return typeof name === 'string' && name !== '' && !NAME_FORBIDDEN.test(name) && !LONE_SURROGATE.test(name);
}

/** The 4-byte key hash SHA-256(name || 0x0A || 0x01 || publicKey)[:4] of an Ed25519 key. */
export function noteKeyHash(name: string, publicKey: Uint8Array): Uint8Array {
  assertName(name, 'name');
  assertBytes(publicKey, 32, 'publicKey');
  return keyHashOf(name, publicKey);
}

/** The verifier key "<name>+<hex key hash>+<base64(0x01 || publicKey)>" of an Ed25519 key. */
export function formatVerifierKey(name: string, publicKey: Uint8Array): string {
  const hash = noteKeyHash(name, publicKey);
  return `${name}+${toHex(hash)}+${toBase64(concatBytes(Uint8Array.of(NOTE_ED25519_TYPE), publicKey))}`;
}

/** Parse and check a verifier key (name, hash, algorithm, length); throws `note.malformed`. */
export function parseVerifierKey(vkey: string): NoteVerifier {
  if (typeof vkey !== 'string') throw new TypeError('vkey: expected a string');
  const bad = (reason: string): never => {
    throw new GovchainError('note.malformed', `invalid verifier key ${JSON.stringify(vkey.slice(0, 200))}: ${reason}`, {
      field: 'vkey',
      details: { reason },
    });
  };
  // The name holds no '+', so the first two '+' are the separators; base64 may contain '+'.
  const i = vkey.indexOf('+');
  const j = i < 0 ? -1 : vkey.indexOf('+', i + 1);
  if (i < 0 || j < 0) return bad('expected <name>+<key hash>+<key>');
  const name = vkey.slice(0, i);
  const hashHex = vkey.slice(i + 1, j);
  const keyB64 = vkey.slice(j + 1);
  if (!isValidNoteKeyName(name)) return bad('invalid key name');
  if (!KEY_HASH_HEX.test(hashHex)) return bad('key hash must be 8 lowercase hex digits');
  const key = decodeBase64(keyB64);
  if (key === undefined || key.length === 0) return bad('key is not canonical base64');
  if (key[0] !== NOTE_ED25519_TYPE) return bad(`unsupported signature type 0x${toHex(key.subarray(0, 1))}`);
  if (key.length !== 33) return bad('an Ed25519 key must be 32 bytes');
  const publicKey = key.slice(1);
  const keyHash = keyHashOf(name, publicKey);
  if (toHex(keyHash) !== hashHex) return bad('key hash does not match name and key');
  return { name, keyHash, publicKey };
}

/** Sign a note text (ending in "\n") with an Ed25519 seed under key name `name`. */
export function signNote(text: string, name: string, seed: Uint8Array): NoteSignature {
  assertNoteText(text);
  assertName(name, 'name');
  const { publicKey } = keyPairFromSeed(seed);
  return { name, keyHash: keyHashOf(name, publicKey), signature: signEd25519(seed, utf8(text)) };
}

/** Render a signed note: the text, one blank line, then one line per signature (in order). */
export function formatSignedNote(text: string, signatures: readonly NoteSignature[]): string {
  assertNoteText(text);
  if (!Array.isArray(signatures)) throw new TypeError('signatures: expected an array');
  if (signatures.length === 0) throw new RangeError('signatures: a signed note needs at least one signature');
  if (signatures.length > MAX_NOTE_SIGNATURES) throw new RangeError(`signatures: at most ${MAX_NOTE_SIGNATURES}`);
  let out = text + '\n';
  signatures.forEach((s, k) => {
    assertName(s?.name, `signatures[${k}].name`);
    assertBytes(s.keyHash, 4, `signatures[${k}].keyHash`);
    assertBytes(s.signature, undefined, `signatures[${k}].signature`);
    if (s.signature.length === 0) throw new RangeError(`signatures[${k}].signature: empty`);
    out += `${SIG_PREFIX}${s.name} ${toBase64(concatBytes(s.keyHash, s.signature))}\n`;
  });
  if (out.length > MAX_NOTE_BYTES || utf8(out).length > MAX_NOTE_BYTES) {
    throw new RangeError(`signed note exceeds ${MAX_NOTE_BYTES} bytes`);
  }
  return out;
}

/** Split a signed note into text and signature lines, checking syntax only; `note.malformed`. */
export function parseSignedNote(note: string | Uint8Array): SignedNote {
  const msg = noteString(note);
  if (CONTROL.test(msg)) throw malformed('the note contains a control character other than newline');
  // The text ends at the LAST blank line; the note text may itself contain blank lines.
  const split = msg.lastIndexOf('\n\n');
  if (split < 0) throw malformed('no blank line separates the text from the signatures');
  const text = msg.slice(0, split + 1);
  const block = msg.slice(split + 2);
  if (block === '' || !block.endsWith('\n')) throw malformed('the signature block must be non-empty lines ending in newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) throw malformed(`more than ${MAX_NOTE_SIGNATURES} signatures`);
  const signatures = lines.map((line, k): NoteSignature => {
    const where = { line: k + 1 };
    if (!line.startsWith(SIG_PREFIX)) throw malformed('a signature line must start with an em dash and a space', where);
    const rest = line.slice(SIG_PREFIX.length);
    const sp = rest.indexOf(' ');
    const name = sp < 0 ? rest : rest.slice(0, sp);
    const b64 = sp < 0 ? '' : rest.slice(sp + 1);
    if (!isValidNoteKeyName(name)) throw malformed('invalid key name in a signature line', where);
    const raw = decodeBase64(b64);
    if (raw === undefined || raw.length < 5) throw malformed('a signature must be canonical base64 of at least 5 bytes', where);
    return { name, keyHash: raw.slice(0, 4), signature: raw.slice(4) };
  });
  return { text, signatures };
}

/**
 * Verify a note against trusted keys: signatures of unknown (name, key hash) pairs are
 * ignored, a bad signature of a known key throws `checkpoint.bad_signature`, and a note
 * with no valid known signature throws `checkpoint.unknown_key`.
 */
export function verifyNote(note: string | Uint8Array, verifiers: readonly NoteVerifier[]): VerifiedNote {
  const verified = verifyNoteSignatures(note, verifiers);
  if (verified.verifiedBy.length === 0) {
    throw new GovchainError('checkpoint.unknown_key', 'the note carries no signature from a known key');
  }
  return verified;
}

/** As verifyNote, but a note without known signatures returns an empty `verifiedBy`. */
export function verifyNoteSignatures(note: string | Uint8Array, verifiers: readonly NoteVerifier[]): VerifiedNote {
  const known = verifierIndex(verifiers);
  const { text, signatures } = parseSignedNote(note);
  const message = utf8(text);
  const verifiedBy: string[] = [];
  for (const s of signatures) {
    const v = known.get(indexKey(s.name, s.keyHash));
    if (v === undefined) continue; // unknown key: ignored (signed-note spec)
    if (s.signature.length !== ED25519_SIG_BYTES || !verifyEd25519(v.publicKey, message, s.signature)) {
      throw new GovchainError('checkpoint.bad_signature', `invalid signature for key ${s.name}+${toHex(s.keyHash)}`, {
        details: { name: s.name, keyHash: toHex(s.keyHash) },
      });
    }
    if (!verifiedBy.includes(s.name)) verifiedBy.push(s.name);
  }
  return { text, verifiedBy };
}

// ---- internals ---------------------------------------------------------------------------

function keyHashOf(name: string, publicKey: Uint8Array): Uint8Array {
  return sha256(concatBytes(utf8(name), Uint8Array.of(0x0a, NOTE_ED25519_TYPE), publicKey)).slice(0, 4);
}

function indexKey(name: string, keyHash: Uint8Array): string {
  return `${name}+${toHex(keyHash)}`; // unambiguous: names hold no '+'
}

/** Index verifiers by (name, key hash); identical repeats are fine, colliding keys are not. */
function verifierIndex(verifiers: readonly NoteVerifier[]): Map<string, NoteVerifier> {
  if (!Array.isArray(verifiers)) throw new TypeError('verifiers: expected an array');
  const index = new Map<string, NoteVerifier>();
  verifiers.forEach((v, k) => {
    assertName(v?.name, `verifiers[${k}].name`);
    assertBytes(v.keyHash, 4, `verifiers[${k}].keyHash`);
    assertBytes(v.publicKey, 32, `verifiers[${k}].publicKey`);
    if (!equalBytes(v.keyHash, keyHashOf(v.name, v.publicKey))) {
      throw new RangeError(`verifiers[${k}].keyHash does not match its name and public key`);
    }
    const id = indexKey(v.name, v.keyHash);
    const prev = index.get(id);
    if (prev !== undefined && !equalBytes(prev.publicKey, v.publicKey)) {
      // A forged key colliding on name and hash: refuse to guess which one is meant (as Go).
      throw new GovchainError('checkpoint.unknown_key', `ambiguous key ${id}: two different public keys`, { details: { key: id } });
    }
    index.set(id, v);
  });
  return index;
}

function noteString(note: string | Uint8Array): string {
  if (note instanceof Uint8Array) {
    if (note.length > MAX_NOTE_BYTES) throw malformed(`the note exceeds ${MAX_NOTE_BYTES} bytes`);
    try {
      return strictUtf8.decode(note);
    } catch (cause) {
      throw new GovchainError('note.malformed', 'the note is not valid UTF-8', { cause });
    }
  }
  if (typeof note !== 'string') throw new TypeError('note: expected a string or Uint8Array');
  // UTF-16 length <= UTF-8 length, so the cheap test first.
  if (note.length > MAX_NOTE_BYTES || utf8(note).length > MAX_NOTE_BYTES) throw malformed(`the note exceeds ${MAX_NOTE_BYTES} bytes`);
  if (LONE_SURROGATE.test(note)) throw malformed('the note is not valid Unicode (lone surrogate)');
  return note;
}

/** Decode canonical standard base64, or undefined. */
function decodeBase64(text: string): Uint8Array | undefined {
  if (text === '') return undefined;
  try {
    const bytes = fromBase64(text);
    return toBase64(bytes) === text ? bytes : undefined;
  } catch {
    return undefined;
  }
}

function malformed(message: string, details?: Record<string, unknown>): GovchainError {
  return new GovchainError('note.malformed', `malformed note: ${message}`, details === undefined ? {} : { details });
}

function assertName(name: unknown, what: string): asserts name is string {
  if (typeof name !== 'string') throw new TypeError(`${what}: expected a string`);
  if (!isValidNoteKeyName(name)) throw new RangeError(`${what}: not a valid note key name (non-empty, no spaces, no '+')`);
}

function assertNoteText(text: unknown): asserts text is string {
  if (typeof text !== 'string') throw new TypeError('text: expected a string');
  if (!text.endsWith('\n')) throw new RangeError('text: a note text must end in a newline');
  if (CONTROL.test(text)) throw new RangeError('text: control characters other than newline are not allowed');
  if (LONE_SURROGATE.test(text)) throw new RangeError('text: lone surrogate');
}

/**
 * govchain checkpoints: C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint) bodies
 * carried in C2SP signed notes (./note.ts), as fixed by CONTRACT.md s.4:
 *
 *   <origin>\n <tree size>\n <base64 root hash>\n
 *   height <n>\n state <base64 state root>\n time <RFC 3339 UTC, Z>\n
 *
 * Parsing is strict so that one checkpoint has exactly one text: decimals without
 * leading zeros, canonical base64 of 32 bytes, exactly these three extension lines in
 * this order. A checkpoint is certified by at least `quorum` distinct current validators
 * (quorum = floor(2n/3) + 1, the BFT bound for n validators). Pure and browser-safe.
 */
import { assertBytes, fromBase64, toBase64 } from '../bytes.js';
import { GovchainError } from '../errors.js';
import { verifyCosignatures, type Cosignature } from './cosignature.js';
import { parseVerifierKey, signNote, verifyNoteSignatures, type NoteSignature, type NoteVerifier } from './note.js';

/** The signed head of the transaction log and the state map at one block. */
export interface Checkpoint {
  /** Log identity: the chain id. */
  origin: string;
  /** Number of leaves in the RFC 6962 log. */
  size: number;
  /** RFC 6962 root hash of the log at `size` (32 bytes). */
  rootHash: Uint8Array;
  /** Block height this checkpoint was taken at. */
  height: number;
  /** Root of the authenticated state map (32 bytes). */
  stateRoot: Uint8Array;
  /** Block time, RFC 3339 in UTC with a `Z` suffix. */
  time: string;
}

/** A checkpoint note that carried a quorum: the parsed body and the names that signed it. */
export interface VerifiedCheckpoint {
  checkpoint: Checkpoint;
  /** Names of the validators with a valid signature, in note order, each once. */
  signers: string[];
  /** Valid witness cosignatures (only when witnesses were given to the verifier). */
  cosigners?: Cosignature[];
}

/** Options of {@link verifyCheckpointNote}: witnesses whose cosignatures are also required. */
export interface CheckpointWitnessPolicy {
  /** Witness verifier keys (tlog-cosignature, type 0x04) or parsed verifiers. */
  witnesses?: readonly (string | NoteVerifier)[];
  /** Valid cosignatures of distinct witnesses required (default: 0). */
  witnessQuorum?: number;
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;
const RFC3339_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?Z$/;
const CONTROL = /[\u0000-\u001f]/;
const LONE_SURROGATE = /\p{Cs}/u;

/** The checkpoint body (the note text): six lines, each ending in "\n". */
export function formatCheckpoint(cp: Checkpoint): string {
  if (typeof cp !== 'object' || cp === null) throw new TypeError('cp: expected a Checkpoint');
  if (typeof cp.origin !== 'string') throw new TypeError('cp.origin: expected a string');
  if (!isValidOrigin(cp.origin)) throw new RangeError('cp.origin: must be non-empty, one line, no control characters');
  assertCount(cp.size, 'cp.size');
  assertBytes(cp.rootHash, 32, 'cp.rootHash');
  assertCount(cp.height, 'cp.height');
  assertBytes(cp.stateRoot, 32, 'cp.stateRoot');
  if (typeof cp.time !== 'string') throw new TypeError('cp.time: expected a string');
  if (!isRfc3339Utc(cp.time)) throw new RangeError(`cp.time: expected RFC 3339 UTC ending in Z, got ${JSON.stringify(cp.time)}`);
  return (
    `${cp.origin}\n${cp.size}\n${toBase64(cp.rootHash)}\n` +
    `height ${cp.height}\nstate ${toBase64(cp.stateRoot)}\ntime ${cp.time}\n`
  );
}

/** Parse a checkpoint body strictly; throws `checkpoint.malformed` naming the bad line. */
export function parseCheckpoint(text: string): Checkpoint {
  if (typeof text !== 'string') throw new TypeError('text: expected a string');
  if (!text.endsWith('\n')) throw malformed('the checkpoint text must end in a newline', 0);
  const lines = text.slice(0, -1).split('\n');
  if (lines.length !== 6) throw malformed(`expected 6 lines (origin, size, root, height, state, time), got ${lines.length}`, 0);
  const [origin, size, root, height, state, time] = lines as [string, string, string, string, string, string];
  if (!isValidOrigin(origin)) throw malformed('the origin must be non-empty with no control characters', 1);
  const cp: Checkpoint = {
    origin,
    size: parseCount(size, 'tree size', 2),
    rootHash: parseHash(root, 'root hash', 3),
    height: parseCount(extension(height, 'height', 4), 'height', 4),
    stateRoot: parseHash(extension(state, 'state', 5), 'state root', 5),
    time: extension(time, 'time', 6),
  };
  if (!isRfc3339Utc(cp.time)) throw malformed('the time must be RFC 3339 in UTC ending in Z', 6);
  return cp;
}

/** Signatures needed to certify a checkpoint among `validatorCount` validators: floor(2n/3)+1. */
export function quorumFor(validatorCount: number): number {
  if (!Number.isSafeInteger(validatorCount) || validatorCount < 1) {
    throw new RangeError(`validatorCount: expected a positive integer, got ${validatorCount}`);
  }
  return Math.floor((2 * validatorCount) / 3) + 1;
}

/** A validator's note signature over the checkpoint body. */
export function signCheckpoint(cp: Checkpoint, name: string, seed: Uint8Array): NoteSignature {
  return signNote(formatCheckpoint(cp), name, seed);
}

/**
 * Verify a checkpoint note against the current validator keys (verifier key strings or
 * parsed verifiers) and parse its body. Throws `note.malformed`, `checkpoint.bad_signature`
 * (a current validator's signature is invalid), `checkpoint.no_quorum` (details `have`,
 * `need`) when fewer than `quorum` distinct validators signed, or `checkpoint.malformed`.
 * With `policy.witnesses`, also checks their cosignatures (tlog-cosignature) and throws
 * `checkpoint.no_witness_quorum` when fewer than `policy.witnessQuorum` witnesses cosigned:
 * "agency quorum plus N witnesses".
 */
export function verifyCheckpointNote(
  note: string | Uint8Array,
  vkeys: readonly (string | NoteVerifier)[],
  quorum: number,
  policy: CheckpointWitnessPolicy = {},
): VerifiedCheckpoint {
  if (!Number.isSafeInteger(quorum) || quorum < 1) throw new RangeError(`quorum: expected a positive integer, got ${quorum}`);
  if (!Array.isArray(vkeys)) throw new TypeError('vkeys: expected an array');
  const verifiers = vkeys.map((k) => (typeof k === 'string' ? parseVerifierKey(k) : k));
  // Signatures first: the text means nothing until enough trusted keys vouch for it.
  const { text, verifiedBy } = verifyNoteSignatures(note, verifiers);
  if (verifiedBy.length < quorum) {
    throw new GovchainError(
      'checkpoint.no_quorum',
      `checkpoint signed by ${verifiedBy.length} current validator(s), ${quorum} needed`,
      { details: { have: verifiedBy.length, need: quorum, signers: verifiedBy } },
    );
  }
  const checkpoint = parseCheckpoint(text);
  if (policy.witnesses === undefined && policy.witnessQuorum === undefined) return { checkpoint, signers: verifiedBy };
  const need = policy.witnessQuorum ?? 0;
  if (!Number.isSafeInteger(need) || need < 0) throw new RangeError(`witnessQuorum: expected a non-negative integer, got ${need}`);
  const cosigners = verifyCosignatures(note, policy.witnesses ?? []);
  if (cosigners.length < need) {
    throw new GovchainError('checkpoint.no_witness_quorum', `checkpoint cosigned by ${cosigners.length} trusted witness(es), ${need} needed`, {
      details: { have: cosigners.length, need, cosigners: cosigners.map((c) => c.name) },
    });
  }
  return { checkpoint, signers: verifiedBy, cosigners };
}

// ---- internals ---------------------------------------------------------------------------

function isValidOrigin(origin: string): boolean {
  return origin !== '' && !CONTROL.test(origin) && !LONE_SURROGATE.test(origin);
}

/** True for `YYYY-MM-DDTHH:MM:SS[.fraction]Z` naming a real instant (seconds 00-59). */
function isRfc3339Utc(time: string): boolean {
  const m = RFC3339_UTC.exec(time);
  if (m === null) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const daysInMonth = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  return day <= daysInMonth;
}

function assertCount(n: unknown, what: string): asserts n is number {
  if (typeof n !== 'number') throw new TypeError(`${what}: expected a number`);
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what}: expected a non-negative safe integer, got ${n}`);
}

function extension(line: string, keyword: string, lineNo: number): string {
  const prefix = `${keyword} `;
  if (!line.startsWith(prefix)) throw malformed(`expected the extension line "${keyword} <value>"`, lineNo);
  return line.slice(prefix.length);
}

function parseCount(value: string, what: string, lineNo: number): number {
  if (!DECIMAL.test(value)) throw malformed(`the ${what} must be a decimal number without leading zeros`, lineNo);
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw malformed(`the ${what} is too large`, lineNo);
  return n;
}

function parseHash(value: string, what: string, lineNo: number): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(value);
  } catch {
    throw malformed(`the ${what} is not base64`, lineNo);
  }
  if (bytes.length !== 32 || toBase64(bytes) !== value) throw malformed(`the ${what} must be canonical base64 of 32 bytes`, lineNo);
  return bytes;
}

function malformed(message: string, line: number): GovchainError {
  return new GovchainError('checkpoint.malformed', `malformed checkpoint: ${message}${line > 0 ? ` (line ${line})` : ''}`, {
    details: { line },
  });
}

/**
 * A transparency-log witness (C2SP tlog-witness, https://c2sp.org/tlog-witness) for one
 * govchain network: it keeps the latest checkpoint it cosigned for the network's origin,
 * cosigns (tlog-cosignature/v1) only checkpoints that carry the validators' quorum and
 * extend that one consistently (RFC 6962 consistency proof), and keeps every refused
 * checkpoint that carries the validators' quorum as evidence of misbehaviour (a split
 * view: two certified checkpoints that cannot both be true).
 *
 * Data folder: `witness-key.json` (mode 0600), `witness.json` (name, origin),
 * `state.json` (the latest cosigned note; replaced by write-fsync-rename before any
 * answer), `evidence/<time>-<n>.txt` (refused add-checkpoint requests, verbatim).
 * Checks and state update run in one synchronous turn, so two requests cannot interleave
 * (the race that tlog-witness warns about).
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import {
  GovchainError,
  cosignCheckpoint,
  equalBytes,
  formatCheckpoint,
  formatCosignerVerifierKey,
  formatSignedNote,
  fromBase64,
  isValidNoteKeyName,
  parseSignedNote,
  toBase64,
  verifyCheckpointNote,
  verifyConsistency,
  type Checkpoint,
  type NoteSignature,
} from '@govchain/core';
import { createKey, readKeyFile, writeKeyFile, type LoadedKey } from './keys.js';

/** What `add-checkpoint` answers: an HTTP status, content type and body. */
export interface WitnessResponse {
  status: 200 | 400 | 403 | 404 | 409 | 422;
  contentType: string;
  body: string;
}

/** The trusted validator set of the witnessed network. */
export interface WitnessTrust {
  vkeys: string[];
  quorum: number;
}

/** Most consistency proof lines a request may carry (tlog-witness). */
export const MAX_PROOF_LINES = 63;

/** A witness over its data folder. */
export class Witness {
  readonly name: string;
  readonly origin: string;
  readonly vkey: string;
  private readonly key: LoadedKey;
  private readonly dir: string;
  private trust: WitnessTrust;
  private latest: { note: string; checkpoint: Checkpoint } | undefined;
  private evidenceCount = 0;

  private constructor(dir: string, name: string, origin: string, key: LoadedKey, trust: WitnessTrust) {
    this.dir = dir;
    this.name = name;
    this.origin = origin;
    this.key = key;
    this.trust = trust;
    this.vkey = formatCosignerVerifierKey(name, key.publicKey);
    const statePath = join(dir, 'state.json');
    if (existsSync(statePath)) {
      const s = JSON.parse(readFileSync(statePath, 'utf8')) as { note: string };
      this.latest = { note: s.note, checkpoint: verifyCheckpointNote(s.note, trust.vkeys, trust.quorum).checkpoint };
    }
    mkdirSync(join(dir, 'evidence'), { recursive: true, mode: 0o700 });
    this.evidenceCount = readdirSync(join(dir, 'evidence')).length;
  }

  /**
   * Open (or create on first use) a witness in `dir` for the network `origin`. The name,
   * origin and key are fixed at creation; a different origin later is refused.
   */
  static open(dir: string, opts: { origin: string; trust: WitnessTrust; name?: string }): Witness {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const configPath = join(dir, 'witness.json');
    const keyPath = join(dir, 'witness-key.json');
    let config: { name: string; origin: string };
    if (existsSync(configPath)) {
      config = JSON.parse(readFileSync(configPath, 'utf8')) as { name: string; origin: string };
      if (config.origin !== opts.origin) throw new GovchainError('witness.origin_mismatch', `this witness follows ${config.origin}, not ${opts.origin}`);
    } else {
      const name = opts.name ?? 'witness';
      if (!isValidNoteKeyName(name)) throw new GovchainError('witness.invalid', `witness name "${name}" is not a valid note key name (no spaces or '+')`);
      config = { name, origin: opts.origin };
      writeKeyFile(keyPath, createKey());
      writeDurably(configPath, JSON.stringify(config, null, 2) + '\n');
    }
    if (opts.trust.vkeys.length === 0) throw new GovchainError('witness.invalid', 'no validator keys to trust');
    return new Witness(dir, config.name, config.origin, readKeyFile(keyPath), opts.trust);
  }

  /** The latest cosigned checkpoint note (validators' signatures plus this witness's). */
  latestNote(): string | undefined {
    return this.latest?.note;
  }

  /** How many refused requests are kept as evidence. */
  get evidence(): number {
    return this.evidenceCount;
  }

  /** The refused requests kept as evidence, oldest first. */
  evidenceRecords(): string[] {
    const dir = join(this.dir, 'evidence');
    return readdirSync(dir).sort().map((f) => readFileSync(join(dir, f), 'utf8'));
  }

  /** Handle a tlog-witness `add-checkpoint` request body, at POSIX time `now` (seconds). */
  addCheckpoint(request: string, now: number = Math.floor(Date.now() / 1000)): WitnessResponse {
    const text = (status: WitnessResponse['status'], body: string): WitnessResponse => ({ status, contentType: 'text/plain; charset=utf-8', body: body + '\n' });
    // 1. Parse: "old N", proof lines, a blank line, the checkpoint note.
    const blank = request.indexOf('\n\n');
    if (blank < 0) return text(400, 'expected an old size line, proof lines, a blank line and a checkpoint');
    const head = request.slice(0, blank).split('\n');
    const note = request.slice(blank + 2);
    const oldMatch = /^old (0|[1-9][0-9]*)$/.exec(head[0] ?? '');
    if (oldMatch === null) return text(400, 'the first line must be "old <size>"');
    const oldSize = Number(oldMatch[1]);
    const proofLines = head.slice(1);
    if (proofLines.length > MAX_PROOF_LINES) return text(400, `at most ${MAX_PROOF_LINES} consistency proof lines`);
    let proof: Uint8Array[];
    try {
      proof = proofLines.map((l) => {
        const h = fromBase64(l);
        if (h.length !== 32 || toBase64(h) !== l) throw new Error('bad hash');
        return h;
      });
    } catch {
      return text(400, 'each consistency proof line must be the base64 of a 32-byte hash');
    }
    let body: string;
    try {
      body = parseSignedNote(note).text;
    } catch (e) {
      return text(400, (e as Error).message);
    }
    if (body.slice(0, body.indexOf('\n')) !== this.origin) return text(404, `unknown origin; this witness follows ${this.origin}`);
    // 2. The validators' quorum must vouch for it (we cosign only certified checkpoints).
    let cp: Checkpoint;
    try {
      cp = verifyCheckpointNote(note, this.trust.vkeys, this.trust.quorum).checkpoint;
    } catch (e) {
      const code = (e as GovchainError).code;
      if (code === 'checkpoint.no_quorum' || code === 'checkpoint.bad_signature' || code === 'checkpoint.unknown_key') return text(403, (e as Error).message);
      return text(400, (e as Error).message);
    }
    if (oldSize > cp.size) return text(400, `old size ${oldSize} exceeds the checkpoint size ${cp.size}`);
    // 3. It must extend the latest checkpoint we cosigned.
    const latestSize = this.latest?.checkpoint.size ?? 0;
    if (oldSize !== latestSize) return { status: 409, contentType: 'text/x.tlog.size', body: `${latestSize}\n` };
    if (this.latest !== undefined) {
      const prev = this.latest.checkpoint;
      if (cp.size === prev.size) {
        if (!equalBytes(cp.rootHash, prev.rootHash) || formatCheckpoint(cp) !== formatCheckpoint(prev)) {
          this.recordEvidence(request, 'a different certified checkpoint of the same size');
          return text(409, `split view: a different checkpoint of size ${cp.size} was cosigned before`);
        }
      } else if (!verifyConsistency(prev.size, cp.size, prev.rootHash, cp.rootHash, proof)) {
        this.recordEvidence(request, `not consistent with the cosigned checkpoint of size ${prev.size}`);
        return text(422, `the consistency proof from size ${prev.size} does not verify`);
      }
      if (cp.height < prev.height) return text(400, 'the checkpoint height goes backwards');
    } else if (proof.length !== 0) {
      return text(422, 'the proof must be empty when the old size is 0');
    }
    // 4. Persist, then cosign.
    const cosig = cosignCheckpoint(body, this.name, this.key.seed, now);
    const cosigned = formatSignedNote(body, [...parseSignedNote(note).signatures.filter((s) => s.name !== this.name), cosig]);
    writeDurably(join(this.dir, 'state.json'), JSON.stringify({ note: cosigned }) + '\n');
    this.latest = { note: cosigned, checkpoint: cp };
    return { status: 200, contentType: 'text/plain; charset=utf-8', body: formatSignatureLine(cosig) };
  }

  private recordEvidence(request: string, reason: string): void {
    const file = join(this.dir, 'evidence', `${Date.now()}-${++this.evidenceCount}.txt`);
    writeDurably(file, `# ${reason}\n${request}`);
  }
}

/** One signed-note signature line, as witnesses return them. */
export function formatSignatureLine(s: NoteSignature): string {
  return `\u2014 ${s.name} ${toBase64(new Uint8Array([...s.keyHash, ...s.signature]))}\n`;
}

/**
 * Read a trusted validator set: JSON as `GET /v1/validators` returns it (`{quorum, vkeys}`),
 * or text with one verifier key per line (quorum = floor(2n/3)+1).
 */
export function readTrustFile(path: string): WitnessTrust {
  if (!existsSync(path)) throw new GovchainError('witness.invalid', `validators file not found: ${path}`);
  const text = readFileSync(path, 'utf8');
  if (text.trimStart().startsWith('{')) {
    const j = JSON.parse(text) as { vkeys?: unknown; quorum?: unknown };
    if (!Array.isArray(j.vkeys) || !j.vkeys.every((k) => typeof k === 'string')) throw new GovchainError('witness.invalid', `${path}: expected {"quorum", "vkeys": [...]}`);
    const vkeys = j.vkeys as string[];
    const quorum = typeof j.quorum === 'number' ? j.quorum : Math.floor((2 * vkeys.length) / 3) + 1;
    return { vkeys, quorum };
  }
  const vkeys = text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  return { vkeys, quorum: Math.floor((2 * vkeys.length) / 3) + 1 };
}

/**
 * Compare two cosigned notes of one origin (e.g. the latest of two witnesses). A split
 * view is two certified checkpoints that cannot both be true: different roots of one
 * size, or, for different sizes, a consistency proof (from the log, smaller to larger)
 * that is missing or fails. Both notes carry the validators' quorum, so they are
 * self-contained evidence.
 */
export function detectSplitView(
  a: string,
  b: string,
  trust: WitnessTrust,
  consistency?: readonly Uint8Array[],
): { splitView: boolean; sizes: [number, number]; reason: string } {
  const ca = verifyCheckpointNote(a, trust.vkeys, trust.quorum).checkpoint;
  const cb = verifyCheckpointNote(b, trust.vkeys, trust.quorum).checkpoint;
  const sizes: [number, number] = [ca.size, cb.size];
  if (ca.origin !== cb.origin) throw new GovchainError('witness.origin_mismatch', `different origins: ${ca.origin} and ${cb.origin}`);
  if (ca.size === cb.size) {
    const same = formatCheckpoint(ca) === formatCheckpoint(cb);
    return { splitView: !same, sizes, reason: same ? 'same checkpoint' : `two different certified checkpoints of size ${ca.size}` };
  }
  const [small, large] = ca.size < cb.size ? [ca, cb] : [cb, ca];
  if (consistency === undefined) return { splitView: false, sizes, reason: 'different sizes and no consistency proof given: undecided' };
  const ok = verifyConsistency(small.size, large.size, small.rootHash, large.rootHash, consistency);
  return { splitView: !ok, sizes, reason: ok ? `size ${large.size} consistently extends size ${small.size}` : `size ${large.size} does not extend size ${small.size}` };
}

/** Write a file and make it durable: write a temp file, fsync, rename over, fsync the folder. */
function writeDurably(path: string, data: string): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dirFd = openSync(join(path, '..'), 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

/**
 * Checkpoint co-signing: each validator signs the checkpoint (C2SP signed note) it
 * computed itself and shares the signature; a checkpoint is certified once a quorum
 * (floor(2n/3)+1, CONTRACT.md s.4) of validators signed the very body this node computed.
 *
 * The tally is pure (no I/O): it takes this node's own checkpoint bodies and the notes
 * received from others, and says what follows:
 *   - `certified`: a quorum signed our body; the note carries all of their signatures
 *     (issued again, with more signatures, as late signatures arrive);
 *   - `diverged`: a quorum signed a different body for a size we computed: our execution
 *     (state or code) differs from the network's; the node must stop committing;
 *   - `equivocation`: one validator signed two different bodies for one size (evidence).
 */
import { formatSignedNote, parseCheckpoint, parseSignedNote, verifyNoteSignatures, type NoteSignature, type NoteVerifier } from '@govchain/core';

/** Proof that a validator signed two different checkpoints of one log size. */
export interface EquivocationEvidence {
  validator: string;
  size: number;
  /** The two signed notes (each carries the validator's valid signature). */
  notes: [string, string];
  /** When this node noticed (RFC 3339; not part of the proof). */
  detectedAt: string;
}

/** What a new signature or own checkpoint leads to. */
export type TallyOutcome =
  | { kind: 'certified'; size: number; note: string; signers: string[] }
  | { kind: 'diverged'; size: number; ours: string; theirs: string; signers: string[] }
  | { kind: 'equivocation'; evidence: EquivocationEvidence };

interface Signed {
  body: string;
  signature: NoteSignature;
  note: string;
}

/** Tally of checkpoint signatures by log size. */
export class CheckpointTally {
  private readonly verifiers: Map<string, NoteVerifier>;
  private readonly order: Map<string, number>;
  /** size -> validator -> what it signed. */
  private readonly signed = new Map<number, Map<string, Signed>>();
  private readonly own = new Map<number, string>();
  private readonly done = new Set<number>();
  private readonly certifiedWith = new Map<number, number>();
  private readonly equivocators = new Set<string>();

  constructor(
    verifiers: readonly NoteVerifier[],
    readonly quorum: number,
  ) {
    this.verifiers = new Map(verifiers.map((v) => [v.name, v]));
    this.order = new Map(verifiers.map((v, i) => [v.name, i]));
  }

  /** Record the body this node computed for `size` (after its block is durable). */
  addOwn(size: number, body: string): TallyOutcome[] {
    this.own.set(size, body);
    return this.evaluate(size);
  }

  /**
   * Record a note received from `validator` (the subject it came on). Signatures that do
   * not verify, or that are not by `validator`, are ignored.
   */
  addNote(validator: string, note: string): TallyOutcome[] {
    const v = this.verifiers.get(validator);
    if (v === undefined) return [];
    let text: string;
    let sig: NoteSignature | undefined;
    let size: number;
    try {
      const verified = verifyNoteSignatures(note, [v]);
      if (!verified.verifiedBy.includes(validator)) return [];
      text = verified.text;
      sig = parseSignedNote(note).signatures.find((s) => s.name === validator);
      size = parseCheckpoint(text).size;
    } catch {
      return [];
    }
    if (sig === undefined) return [];
    let bySigner = this.signed.get(size);
    if (bySigner === undefined) this.signed.set(size, (bySigner = new Map()));
    const before = bySigner.get(validator);
    if (before !== undefined) {
      if (before.body === text) return [];
      const key = `${validator}@${size}`;
      if (this.equivocators.has(key)) return [];
      this.equivocators.add(key);
      return [{ kind: 'equivocation', evidence: { validator, size, notes: [before.note, note], detectedAt: new Date().toISOString() } }];
    }
    bySigner.set(validator, { body: text, signature: sig, note });
    return this.evaluate(size);
  }

  /** Forget sizes up to `size` that are settled (memory bound). */
  forgetBelow(size: number): void {
    for (const s of this.signed.keys()) if (s < size && this.done.has(s)) this.signed.delete(s);
    for (const s of this.own.keys()) if (s < size && this.done.has(s)) this.own.delete(s);
    for (const s of this.certifiedWith.keys()) if (s < size) this.certifiedWith.delete(s);
  }

  private evaluate(size: number): TallyOutcome[] {
    const ours = this.own.get(size);
    const bySigner = this.signed.get(size);
    if (ours === undefined || bySigner === undefined) return [];
    const certifiedWith = this.certifiedWith.get(size);
    if (this.done.has(size) && certifiedWith === undefined) return []; // diverged: settled
    const groups = new Map<string, Signed[]>();
    for (const [name, s] of bySigner) {
      if (this.equivocators.has(`${name}@${size}`)) continue; // an equivocator's vote counts for nothing
      const g = groups.get(s.body);
      if (g === undefined) groups.set(s.body, [s]);
      else g.push(s);
    }
    const mine = groups.get(ours) ?? [];
    if (mine.length >= this.quorum) {
      // Certified; later signatures re-issue the note with every signature collected.
      if (certifiedWith !== undefined && mine.length <= certifiedWith) return [];
      this.done.add(size);
      this.certifiedWith.set(size, mine.length);
      const sigs = mine.map((s) => s.signature).sort((a, b) => this.order.get(a.name)! - this.order.get(b.name)!);
      return [{ kind: 'certified', size, note: formatSignedNote(ours, sigs), signers: sigs.map((s) => s.name) }];
    }
    for (const [body, g] of groups) {
      if (body !== ours && g.length >= this.quorum) {
        this.done.add(size);
        return [{ kind: 'diverged', size, ours, theirs: body, signers: g.map((s) => s.signature.name) }];
      }
    }
    return [];
  }
}

/**
 * Checkpoint co-signing: each validator signs the checkpoint (C2SP signed note) it
 * computed itself and shares the signature; a checkpoint is certified once a quorum
 * (floor(2n/3)+1, CONTRACT.md s.4) of validators signed the very body this node computed.
 *
 * The tally is pure (no I/O): it takes this node's own checkpoint bodies and the notes
 * received from others, and says what follows. Votes are counted per block height (a
 * node whose execution differs may produce different log sizes, so sizes alone would
 * rarely meet); equivocation is checked per log size and per height:
 *   - `certified`: a quorum signed our body; the note carries all of their signatures
 *     (issued again, with more signatures, as late signatures arrive);
 *   - `diverged`: a quorum signed a different body for a size we computed: our execution
 *     (state or code) differs from the network's; the node must stop committing;
 *   - `equivocation`: one validator signed two different bodies for one size (evidence).
 */
import { formatSignedNote, parseCheckpoint, parseSignedNote, toHex, verifyNoteSignatures, type NoteSignature, type NoteVerifier } from '@govchain/core';

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
  /** Hex public key the signature verified under. */
  key: string;
  /** The height the body names. */
  height: number;
}

/** The validators whose signatures count for one height, and how many must agree. */
interface SignerSet {
  verifiers: Map<string, NoteVerifier>;
  order: Map<string, number>;
  quorum: number;
}

const hex = toHex;

/** Notes kept from validators not (yet) known to this node, replayed when a set names them. */
const MAX_UNKNOWN_NOTES = 10_000;

/** Tally of checkpoint signatures by log size. */
export class CheckpointTally {
  /** Every validator key this node has seen in a set, by name (the latest one). */
  private readonly known = new Map<string, NoteVerifier>();
  /** The set that signs each height (from `useSet`); `fallback` for heights without one. */
  private readonly sets = new Map<number, SignerSet>();
  private readonly fallback: SignerSet;
  private unknown: Array<{ validator: string; note: string }> = [];
  /** height -> validator -> what it signed. */
  private readonly signed = new Map<number, Map<string, Signed>>();
  /** size -> validator -> what it signed (equivocation by size). */
  private readonly bySize = new Map<number, Map<string, Signed>>();
  private readonly own = new Map<number, string>();
  private readonly done = new Set<number>();
  private readonly certifiedWith = new Map<number, number>();
  private readonly equivocators = new Set<string>();
  private readonly reported = new Set<string>();
  /** Heights below this were forgotten (`forgetBelow`): notes for them are ignored. */
  private floor = 0;

  /** `verifiers` and `quorum`: the set for heights that `useSet` did not name (the set at start). */
  constructor(verifiers: readonly NoteVerifier[], quorum: number) {
    this.fallback = signerSet(verifiers, quorum);
    for (const v of verifiers) this.known.set(v.name, v);
  }

  /**
   * The validator set in state before block `height`: the one whose signatures certify
   * that block's checkpoint (it follows governance changes). Notes from validators this
   * node did not know yet are counted from now on.
   */
  useSet(height: number, verifiers: readonly NoteVerifier[], quorum: number): TallyOutcome[] {
    this.sets.set(height, signerSet(verifiers, quorum));
    const added = verifiers.filter((v) => {
      const before = this.known.get(v.name);
      return before === undefined || hex(before.publicKey) !== hex(v.publicKey);
    });
    for (const v of verifiers) this.known.set(v.name, v);
    const out: TallyOutcome[] = [];
    if (added.length > 0 && this.unknown.length > 0) {
      const names = new Set(added.map((v) => v.name));
      const replay = this.unknown.filter((u) => names.has(u.validator));
      this.unknown = this.unknown.filter((u) => !names.has(u.validator));
      for (const u of replay) out.push(...this.addNote(u.validator, u.note));
    }
    out.push(...this.evaluate(height));
    return out;
  }

  /** Record the body this node computed for block `height` (after the block is durable). */
  addOwn(height: number, body: string): TallyOutcome[] {
    this.own.set(height, body);
    return this.evaluate(height);
  }

  /**
   * Record a note received from `validator` (the subject it came on). Signatures that do
   * not verify, or that are not by `validator`, are ignored.
   */
  addNote(validator: string, note: string): TallyOutcome[] {
    const v = this.known.get(validator);
    if (v === undefined) {
      // Possibly a validator added by a governance change this node has not executed yet.
      if (this.unknown.length < MAX_UNKNOWN_NOTES) this.unknown.push({ validator, note });
      return [];
    }
    let text: string;
    let sig: NoteSignature | undefined;
    let size: number;
    let height: number;
    try {
      const verified = verifyNoteSignatures(note, [v]);
      if (!verified.verifiedBy.includes(validator)) return [];
      text = verified.text;
      sig = parseSignedNote(note).signatures.find((s) => s.name === validator);
      const cp = parseCheckpoint(text);
      size = cp.size;
      height = cp.height;
    } catch {
      return [];
    }
    if (sig === undefined) return [];
    let atSize = this.bySize.get(size);
    let atHeight = this.signed.get(height);
    for (const before of [atSize?.get(validator), atHeight?.get(validator)]) {
      if (before === undefined || before.body === text) continue;
      const key = `${validator}@${height}`;
      this.equivocators.add(key);
      this.equivocators.add(`${validator}@${before.height}`);
      const evidenceKey = `${validator}#${size}`;
      if (this.reported.has(evidenceKey)) return [];
      this.reported.add(evidenceKey);
      return [{ kind: 'equivocation', evidence: { validator, size, notes: [before.note, note], detectedAt: new Date().toISOString() } }];
    }
    if (atSize?.has(validator) === true && atHeight?.has(validator) === true) return [];
    // A forgotten height is settled by the certifications above it: a late note for it
    // changes nothing, and recording it would hold memory that nothing frees.
    if (height < this.floor) return [];
    const signed: Signed = { body: text, signature: sig, note, key: hex(v.publicKey), height };
    if (atSize === undefined) this.bySize.set(size, (atSize = new Map()));
    if (atHeight === undefined) this.signed.set(height, (atHeight = new Map()));
    atSize.set(validator, signed);
    atHeight.set(validator, signed);
    return this.evaluate(height);
  }

  /**
   * Forget heights below `height` that are settled, and the notes by size that only name
   * such heights (memory bound: the node calls it with the certified height minus 1,000, so
   * the tally holds about 1,000 heights however long it runs). Notes for heights below
   * `height` are ignored from now on.
   */
  forgetBelow(height: number): void {
    if (height <= this.floor) return;
    this.floor = height;
    for (const h of this.signed.keys()) if (h < height && this.done.has(h)) this.signed.delete(h);
    for (const h of this.own.keys()) if (h < height && this.done.has(h)) this.own.delete(h);
    for (const h of this.done) if (h < height) this.done.delete(h);
    for (const h of this.certifiedWith.keys()) if (h < height) this.certifiedWith.delete(h);
    for (const h of this.sets.keys()) if (h < height) this.sets.delete(h);
    for (const [size, bySigner] of this.bySize) {
      let below = true;
      for (const s of bySigner.values()) below &&= s.height < height;
      if (below) this.bySize.delete(size);
    }
  }

  /** How many heights (notes, own bodies, settled) and log sizes the tally holds. */
  held(): { signed: number; own: number; settled: number; sizes: number } {
    return { signed: this.signed.size, own: this.own.size, settled: this.done.size, sizes: this.bySize.size };
  }

  private evaluate(height: number): TallyOutcome[] {
    const ours = this.own.get(height);
    const bySigner = this.signed.get(height);
    if (ours === undefined || bySigner === undefined) return [];
    const size = parseCheckpoint(ours).size;
    const certifiedWith = this.certifiedWith.get(height);
    if (this.done.has(height) && certifiedWith === undefined) return []; // diverged: settled
    const set = this.sets.get(height) ?? this.fallback;
    const groups = new Map<string, Signed[]>();
    for (const [name, s] of bySigner) {
      if (this.equivocators.has(`${name}@${height}`)) continue; // an equivocator's vote counts for nothing
      const member = set.verifiers.get(name);
      if (member === undefined || hex(member.publicKey) !== s.key) continue; // not in this height's set
      const g = groups.get(s.body);
      if (g === undefined) groups.set(s.body, [s]);
      else g.push(s);
    }
    const mine = groups.get(ours) ?? [];
    if (mine.length >= set.quorum) {
      // Certified; later signatures re-issue the note with every signature collected.
      if (certifiedWith !== undefined && mine.length <= certifiedWith) return [];
      this.done.add(height);
      this.certifiedWith.set(height, mine.length);
      const sigs = mine.map((s) => s.signature).sort((a, b) => set.order.get(a.name)! - set.order.get(b.name)!);
      return [{ kind: 'certified', size, note: formatSignedNote(ours, sigs), signers: sigs.map((s) => s.name) }];
    }
    for (const [body, g] of groups) {
      if (body !== ours && g.length >= set.quorum) {
        this.done.add(height);
        return [{ kind: 'diverged', size, ours, theirs: body, signers: g.map((s) => s.signature.name) }];
      }
    }
    return [];
  }
}

function signerSet(verifiers: readonly NoteVerifier[], quorum: number): SignerSet {
  return { verifiers: new Map(verifiers.map((v) => [v.name, v])), order: new Map(verifiers.map((v, i) => [v.name, i])), quorum };
}

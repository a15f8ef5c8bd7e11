// Fuzz: the proof verifiers a light client relies on. RFC 6962 inclusion and consistency
// proofs, sparse Merkle state proofs (typed and JSON) and C2SP checkpoint notes. Valid
// proofs verify; a mutated proof never verifies and never throws; untrusted text or JSON
// is refused with a documented GovchainError only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  SMT_EMPTY_ROOT,
  formatCheckpoint,
  formatSignedNote,
  formatVerifierKey,
  hashLeaf,
  keyPairFromSeed,
  naiveConsistencyProof,
  naiveInclusionProof,
  parseSignedNote,
  parseVerifierKey,
  proveSmt,
  rootFromLeafHashes,
  sha256,
  signCheckpoint,
  smtProofFromJson,
  smtProofToJson,
  updateSmt,
  utf8,
  verifyCheckpointNote,
  verifyConsistency,
  verifyInclusion,
  verifySmtProof,
  type Checkpoint,
  type SmtProof,
} from '@govchain/core';
import { MapSmtStore, fuzz, jsonMutation, mutateJson, mutateText, pool, refusesCleanly, textMutation } from './support.js';

/** Distinct leaf hashes of a tree of `size` leaves (the index is part of the leaf data). */
const tree = (maxSize: number) =>
  fc.integer({ min: 1, max: maxSize }).chain((size) =>
    fc.array(fc.uint8Array({ maxLength: 16 }), { minLength: size, maxLength: size }).map((datas) => datas.map((d, i) => hashLeaf(new Uint8Array([...utf8(`${i}:`), ...d])))),
  );

/** A change to a hash list or a hash: which element, which bit. */
const hashMutation = fc.record({ kind: fc.constantFrom('flip', 'drop', 'append', 'swap', 'truncate', 'zero'), at: fc.nat(), bit: fc.integer({ min: 0, max: 255 }), other: fc.nat() });
type HashMutation = typeof hashMutation extends fc.Arbitrary<infer T> ? T : never;

function flipBit(h: Uint8Array, bit: number): Uint8Array {
  const c = h.slice();
  c[bit >> 3] ^= 1 << (bit & 7);
  return c;
}

/** The proof list changed by `m`, or undefined when the change would be a no-op. */
function mutateList(list: readonly Uint8Array[], m: HashMutation): Uint8Array[] | undefined {
  const l = [...list];
  const i = l.length === 0 ? 0 : m.at % l.length;
  switch (m.kind) {
    case 'flip':
      if (l.length === 0) return undefined;
      l[i] = flipBit(l[i]!, m.bit);
      return l;
    case 'drop':
      if (l.length === 0) return undefined;
      l.splice(i, 1);
      return l;
    case 'append':
      l.splice(i, 0, sha256(new Uint8Array([m.bit, m.other & 255])));
      return l;
    case 'swap': {
      const j = l.length === 0 ? 0 : m.other % l.length;
      if (i === j || l[i]!.every((b, k) => b === l[j]![k])) return undefined; // swapping equal hashes changes nothing
      [l[i], l[j]] = [l[j]!, l[i]!];
      return l;
    }
    case 'truncate':
      if (l.length === 0) return undefined;
      l[i] = l[i]!.slice(0, 31);
      return l;
    case 'zero':
      if (l.length === 0 || l[i]!.every((b) => b === 0)) return undefined;
      l[i] = new Uint8Array(32);
      return l;
  }
}

// Trees and proofs are built once (naively, by the RFC's definitions) and checked to
// verify; the cases then spend their time on mutations.
const inclusionCases = pool(
  fc.tuple(tree(70), fc.nat()).map(([leaves, pick]) => {
    const index = pick % leaves.length;
    return { leaves, index, proof: naiveInclusionProof(leaves, index), root: rootFromLeafHashes(leaves) };
  }),
  2048,
);
const consistencyCases = pool(
  fc.tuple(tree(70), fc.nat()).map(([leaves, pick]) => {
    const size1 = pick % (leaves.length + 1);
    return { size1, size2: leaves.length, root1: rootFromLeafHashes(leaves.slice(0, size1)), root2: rootFromLeafHashes(leaves), proof: naiveConsistencyProof(leaves, size1) };
  }),
  2048,
);

test('fuzz: the pooled RFC 6962 proofs verify', () => {
  for (const { leaves, index, proof, root } of fc.sample(inclusionCases, 200)) assert.equal(verifyInclusion(leaves[index]!, index, leaves.length, proof, root), true);
  for (const { size1, size2, root1, root2, proof } of fc.sample(consistencyCases, 200)) assert.equal(verifyConsistency(size1, size2, root1, root2, proof), true);
});

test('fuzz: RFC 6962 inclusion proofs: valid ones verify, mutated ones never do', async () => {
  await fuzz(
    'merkle.inclusion',
    fc.property(inclusionCases, hashMutation, fc.constantFrom('proof', 'leaf', 'root', 'index'), ({ leaves, index, proof, root }, m, target) => {
      let ok: boolean;
      if (target === 'proof') {
        const p = mutateList(proof, m);
        if (p === undefined) return;
        ok = verifyInclusion(leaves[index]!, index, leaves.length, p, root);
      } else if (target === 'leaf') ok = verifyInclusion(flipBit(leaves[index]!, m.bit), index, leaves.length, proof, root);
      else if (target === 'root') ok = verifyInclusion(leaves[index]!, index, leaves.length, proof, m.kind === 'truncate' ? root.slice(1) : flipBit(root, m.bit));
      else {
        const other = (index + 1 + (m.other % (leaves.length + 3))) % (leaves.length + 3);
        if (other === index) return;
        ok = verifyInclusion(leaves[index]!, other, leaves.length, proof, root);
      }
      assert.equal(ok, false);
    }),
  );
});

test('fuzz: RFC 6962 consistency proofs: valid ones verify, mutated ones never do', async () => {
  await fuzz(
    'merkle.consistency',
    // Not mutated: size2. An RFC 6962 root does not commit to its tree size (a proof for
    // size 3 also checks out against "size 4" with the same root); the signed checkpoint
    // binds root and size together, and verifiers take both from it.
    fc.property(consistencyCases, hashMutation, fc.constantFrom('proof', 'root1', 'root2', 'size1'), ({ size1, size2, root1, root2, proof }, m, target) => {
      let ok: boolean;
      if (target === 'proof') {
        const p = mutateList(proof, m);
        if (p === undefined) return;
        ok = verifyConsistency(size1, size2, root1, root2, p);
      } else if (target === 'root1') {
        if (size1 === 0) return; // every tree extends the empty tree, whatever root1 says
        ok = verifyConsistency(size1, size2, flipBit(root1, m.bit), root2, proof);
      } else if (target === 'root2') {
        if (size1 === 0) return;
        ok = verifyConsistency(size1, size2, root1, flipBit(root2, m.bit), proof);
      } else {
        const other = m.other % (size2 + 2);
        if (other === size1 || other === 0) return;
        ok = verifyConsistency(other, size2, root1, root2, proof);
      }
      assert.equal(ok, false);
    }),
  );
});

/** A random map of up to 24 keys, with one queried key (present or absent). */
const smtCase = fc
  .record({
    keys: fc.uniqueArray(fc.uint8Array({ minLength: 32, maxLength: 32 }), { minLength: 0, maxLength: 24, selector: (k) => k.join(',') }),
    absent: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    pick: fc.nat(),
    present: fc.boolean(),
  })
  .map((r) => {
    const store = new MapSmtStore();
    const entries = r.keys.map((key) => ({ key, valueHash: sha256(key) }));
    let root = SMT_EMPTY_ROOT;
    if (entries.length > 0) {
      const res = updateSmt(store, SMT_EMPTY_ROOT, entries);
      store.put(res.nodes);
      root = res.root;
    }
    const present = r.present && entries.length > 0;
    const key = present ? entries[r.pick % entries.length]!.key : r.absent;
    const isMember = entries.some((e) => e.key.join(',') === key.join(','));
    const valueHash = isMember ? sha256(key) : null;
    return { root, key, valueHash, proof: proveSmt(store, root, key) };
  });

test('fuzz: sparse Merkle proofs: valid ones verify, mutated ones never do', async () => {
  await fuzz(
    'smt.verify',
    fc.property(smtCase, hashMutation, fc.constantFrom('siblings', 'leafKey', 'leafValue', 'dropLeaf', 'root', 'key', 'claim'), ({ root, key, valueHash, proof }, m, target) => {
      assert.equal(verifySmtProof(root, key, valueHash, proof), true);
      let ok: boolean;
      switch (target) {
        case 'siblings': {
          const s = mutateList(proof.siblings, m);
          if (s === undefined) return;
          ok = verifySmtProof(root, key, valueHash, { siblings: s, leaf: proof.leaf });
          break;
        }
        case 'leafKey':
        case 'leafValue':
          if (proof.leaf === null) return;
          ok = verifySmtProof(root, key, valueHash, {
            siblings: proof.siblings,
            leaf: target === 'leafKey' ? { key: flipBit(proof.leaf.key, m.bit), valueHash: proof.leaf.valueHash } : { key: proof.leaf.key, valueHash: flipBit(proof.leaf.valueHash, m.bit) },
          });
          break;
        case 'dropLeaf':
          if (proof.leaf === null) return;
          ok = verifySmtProof(root, key, valueHash, { siblings: proof.siblings, leaf: null });
          break;
        case 'root':
          ok = verifySmtProof(flipBit(root, m.bit), key, valueHash, proof);
          break;
        case 'key':
          // A proof of absence covers every key under the empty slot, so only membership
          // is bound to one key.
          if (valueHash === null) return;
          ok = verifySmtProof(root, flipBit(key, m.bit), valueHash, proof);
          break;
        case 'claim':
          // Claim the opposite: absent for a member, a value for a non-member, or another value.
          ok = verifySmtProof(root, key, valueHash === null ? sha256(key) : m.kind === 'flip' ? flipBit(valueHash, m.bit) : null, proof);
          break;
      }
      assert.equal(ok, false);
    }),
  );
});

test('fuzz: state proof JSON: random and mutated JSON is refused with proof.malformed or fails to verify', async () => {
  await fuzz(
    'smt.fromJson(random and mutated)',
    fc.property(pool(smtCase, 1024), fc.array(jsonMutation, { minLength: 1, maxLength: 3 }), fc.jsonValue(), fc.boolean(), ({ root, key, valueHash, proof }, mutations, random, useRandom) => {
      const json = smtProofToJson(proof);
      assert.ok(verifySmtProof(root, key, valueHash, smtProofFromJson(JSON.parse(JSON.stringify(json)))));
      const input = useRandom ? random : mutateJson(json, mutations);
      const parsed: SmtProof | undefined = refusesCleanly(() => smtProofFromJson(input), ['proof.malformed']);
      if (parsed === undefined) return;
      // Whatever parses verifies only if it is the original proof.
      if (verifySmtProof(root, key, valueHash, parsed)) assert.deepEqual(smtProofToJson(parsed), json);
    }),
  );
});

// Four validators (quorum 3) with fixed seeds.
const seeds = [1, 2, 3, 4].map((i) => sha256(utf8(`fuzz validator ${i}`)));
const names = seeds.map((_, i) => `govchain-fuzz-validator-${i + 1}`);
const VKEYS = seeds.map((s, i) => formatVerifierKey(names[i]!, keyPairFromSeed(s).publicKey));
const NOTE_CODES = ['note.malformed', 'checkpoint.malformed', 'checkpoint.bad_signature', 'checkpoint.unknown_key', 'checkpoint.no_quorum'];

const checkpointArb: fc.Arbitrary<Checkpoint> = fc.record({
  origin: fc.constantFrom('govchain-fuzz', 'govchain-dev'),
  size: fc.nat(),
  rootHash: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  height: fc.nat(),
  stateRoot: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  time: fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()),
});
const signedNoteArb = fc.record({ cp: checkpointArb, signers: fc.subarray([0, 1, 2, 3], { minLength: 3 }) }).map(({ cp, signers }) => ({
  cp,
  note: formatSignedNote(
    formatCheckpoint(cp),
    signers.map((i) => signCheckpoint(cp, names[i]!, seeds[i]!)),
  ),
}));

// 256 genuinely signed notes (signing is not what is under test).
const signedNote = pool(signedNoteArb, 256);

test('fuzz: the pooled checkpoint notes verify', () => {
  for (const { cp, note } of fc.sample(signedNote, 50)) assert.deepEqual(verifyCheckpointNote(note, VKEYS, 3).checkpoint, { ...cp });
});

test('fuzz: checkpoint notes: mutated notes are refused with a documented code or carry the signed checkpoint', async () => {
  await fuzz(
    'checkpoint.verify(mutated notes)',
    fc.property(signedNote, fc.array(textMutation, { minLength: 1, maxLength: 3 }), ({ cp, note }, mutations) => {
      const mutated = mutateText(note, mutations);
      const r = refusesCleanly(() => verifyCheckpointNote(mutated, VKEYS, 3), NOTE_CODES);
      if (r !== undefined) assert.deepEqual(r.checkpoint, { ...cp });
      refusesCleanly(() => parseSignedNote(utf8(mutated)), NOTE_CODES);
    }),
  );
});

test('fuzz: checkpoint notes and verifier keys: random text is refused with a documented code', async () => {
  await fuzz(
    'checkpoint.parse(random text)',
    fc.property(fc.string({ unit: 'binary', maxLength: 400 }), fc.uint8Array({ maxLength: 200 }), (text, bytes) => {
      refusesCleanly(() => verifyCheckpointNote(text, VKEYS, 3), NOTE_CODES);
      refusesCleanly(() => parseSignedNote(bytes), NOTE_CODES);
      const k = refusesCleanly(() => parseVerifierKey(text), ['note.malformed']);
      if (k !== undefined) assert.ok(VKEYS.length > 0 && text.includes('+'));
    }),
  );
});

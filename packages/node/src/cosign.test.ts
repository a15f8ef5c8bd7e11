import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCheckpoint, formatSignedNote, formatVerifierKey, generateKeyPair, parseSignedNote, parseVerifierKey, signCheckpoint, type Checkpoint } from '@govchain/core';
import { CheckpointTally } from './cosign.js';

const keys = [1, 2, 3, 4].map((i) => ({ name: `v${i}`, ...generateKeyPair() }));
const verifiers = keys.map((k) => parseVerifierKey(formatVerifierKey(k.name, k.publicKey)));
const cp = (height: number, size: number, fill = 1): Checkpoint => ({ origin: 'c', size, rootHash: new Uint8Array(32).fill(fill), height, stateRoot: new Uint8Array(32), time: '2026-01-01T00:00:00.000Z' });
const note = (c: Checkpoint, i: number): string => formatSignedNote(formatCheckpoint(c), [signCheckpoint(c, keys[i]!.name, keys[i]!.seed)]);

test('a checkpoint is certified once a quorum signed our body, and re-issued with late signatures', () => {
  const t = new CheckpointTally(verifiers, 3);
  const c = cp(5, 10);
  assert.deepEqual(t.addNote('v1', note(c, 0)), []);
  assert.deepEqual(t.addNote('v2', note(c, 1)), []);
  assert.deepEqual(t.addOwn(5, formatCheckpoint(c)), []);
  const [o] = t.addNote('v3', note(c, 2));
  assert.equal(o?.kind, 'certified');
  assert.equal(parseSignedNote((o as any).note).signatures.length, 3);
  const [late] = t.addNote('v4', note(c, 3));
  assert.equal(parseSignedNote((late as any).note).signatures.length, 4);
});

test('a quorum for a different body at our height means divergence', () => {
  const t = new CheckpointTally(verifiers, 3);
  t.addOwn(5, formatCheckpoint(cp(5, 9, 7)));
  for (let i = 0; i < 2; i++) assert.deepEqual(t.addNote(`v${i + 1}`, note(cp(5, 10), i)), []);
  const [o] = t.addNote('v3', note(cp(5, 10), 2));
  assert.equal(o?.kind, 'diverged');
});

test('two different signed bodies for one size by one validator are evidence; forged or misattributed notes are ignored', () => {
  const t = new CheckpointTally(verifiers, 3);
  assert.deepEqual(t.addNote('v1', note(cp(5, 10, 1), 0)), []);
  const [o] = t.addNote('v1', note(cp(6, 10, 2), 0));
  assert.equal(o?.kind, 'equivocation');
  assert.equal((o as any).evidence.validator, 'v1');
  assert.equal((o as any).evidence.size, 10);
  // A note signed by v2 but received on v1's subject, and an unknown validator: ignored.
  assert.deepEqual(t.addNote('v1', note(cp(7, 11), 1)), []);
  assert.deepEqual(t.addNote('v9', note(cp(7, 11), 1)), []);
  // A tampered body with v2's signature: ignored.
  const forged = note(cp(7, 11), 1).replace('\n11\n', '\n12\n');
  assert.deepEqual(t.addNote('v2', forged), []);
});

test('each height is certified by the validator set that signs it (governance changes followed while running)', () => {
  // Height 5: v1-v3 (quorum 3). Height 6: v2-v4 after a governance change (quorum 3).
  const t = new CheckpointTally(verifiers.slice(0, 3), 3);
  const c5 = cp(5, 10);
  const c6 = cp(6, 11);
  // v4 is not known yet: its note is kept and counted once a set names it.
  assert.deepEqual(t.addNote('v4', note(c6, 3)), []);
  assert.deepEqual(t.useSet(5, verifiers.slice(0, 3), 3), []);
  t.addOwn(5, formatCheckpoint(c5));
  t.addNote('v1', note(c5, 0));
  t.addNote('v4', note(c5, 3)); // not a member at height 5: does not count
  assert.deepEqual(t.addNote('v2', note(c5, 1)), []);
  const [o5] = t.addNote('v3', note(c5, 2));
  assert.equal(o5?.kind, 'certified');
  assert.deepEqual((o5 as any).signers, ['v1', 'v2', 'v3']);
  assert.deepEqual(t.useSet(6, verifiers.slice(1, 4), 3), []);
  t.addOwn(6, formatCheckpoint(c6));
  assert.deepEqual(t.addNote('v1', note(c6, 0)), []); // removed from the set: does not count
  assert.deepEqual(t.addNote('v2', note(c6, 1)), []);
  const [o6] = t.addNote('v3', note(c6, 2));
  assert.equal(o6?.kind, 'certified');
  assert.deepEqual((o6 as any).signers, ['v2', 'v3', 'v4']);
});

test('a long run holds only the heights above the forgotten ones: notes by size and settled heights are freed too', () => {
  // As the node does: each certification forgets the heights more than KEEP below it.
  const KEEP = 100;
  const t = new CheckpointTally(verifiers, 3);
  for (let h = 2; h <= 600; h++) {
    const c = cp(h, h * 10);
    const outcomes = [...t.addOwn(h, formatCheckpoint(c)), ...keys.flatMap((_, i) => t.addNote(`v${i + 1}`, note(c, i)))];
    for (const o of outcomes) if (o.kind === 'certified') t.forgetBelow(h - KEEP);
  }
  const held = t.held();
  for (const [what, n] of Object.entries(held)) assert.ok(n <= KEEP + 1, `${what}: ${n} held after 599 heights (at most ${KEEP + 1})`);
  // A late note for a forgotten height is ignored, not recorded again.
  assert.deepEqual(t.addNote('v1', note(cp(3, 30), 0)), []);
  assert.deepEqual(t.held(), held);
  // Equivocation within the heights still held is still evidence.
  const [o] = t.addNote('v1', note(cp(600, 5990, 9), 0));
  assert.equal(o?.kind, 'equivocation');
});

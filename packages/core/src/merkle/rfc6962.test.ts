import { test } from 'node:test';
import assert from 'node:assert/strict';
import { concatBytes, fromHex, toHex, utf8 } from '../bytes.js';
import { sha256 } from '../crypto.js';
import {
  EMPTY_TREE_ROOT,
  hashChildren,
  hashLeaf,
  naiveConsistencyProof,
  naiveInclusionProof,
  rootFromInclusionProof,
  rootFromLeafHashes,
  verifyConsistency,
  verifyInclusion,
} from './index.js';
import {
  RFC6962_CONSISTENCY_PROOFS,
  RFC6962_INCLUSION_PROOFS,
  RFC6962_LEAF_HASHES,
  RFC6962_LEAVES,
  RFC6962_ROOTS,
} from './vectors.js';

const LEAF_HASHES = RFC6962_LEAVES.map((hex) => hashLeaf(fromHex(hex)));
const ROOTS = RFC6962_ROOTS.map(fromHex);
const SOME_HASH = fromHex('abacaba000000000000000000000000000000000000000000060061e00123456');

const hexes = (hashes: readonly Uint8Array[]): string[] => hashes.map(toHex);

/** A copy of `proof` with bit `bit` of byte 0 of element `i` flipped. */
function flipBit(proof: readonly Uint8Array[], i: number, bit: number): Uint8Array[] {
  const out = proof.slice();
  const h = Uint8Array.from(out[i]!);
  h[0]! ^= 1 << bit;
  out[i] = h;
  return out;
}

/** Every corruption of a valid inclusion proof that must be refused (after transparency-dev/merkle). */
function inclusionProbes(leafIndex: number, treeSize: number, proof: readonly Uint8Array[], root: Uint8Array, leafHash: Uint8Array) {
  const probes: { desc: string; leafIndex: number; treeSize: number; leafHash: Uint8Array; proof: readonly Uint8Array[]; root: Uint8Array }[] = [];
  const add = (desc: string, over: Partial<(typeof probes)[number]>) =>
    probes.push({ desc, leafIndex, treeSize, leafHash, proof, root, ...over });
  if (leafIndex > 0) add('leafIndex - 1', { leafIndex: leafIndex - 1 });
  add('leafIndex + 1', { leafIndex: leafIndex + 1 });
  add('leafIndex ^ 2', { leafIndex: leafIndex ^ 2 });
  add('treeSize * 2', { treeSize: treeSize * 2 });
  add('treeSize / 2', { treeSize: Math.floor(treeSize / 2) });
  add('wrong leaf', { leafHash: hashLeaf(utf8('WrongLeaf')) });
  add('empty root', { root: EMPTY_TREE_ROOT });
  add('random root', { root: SOME_HASH });
  add('trailing garbage', { proof: [...proof, new Uint8Array(0)] });
  add('trailing root', { proof: [...proof, root] });
  add('preceding garbage', { proof: [new Uint8Array(0), ...proof] });
  add('preceding root', { proof: [root, ...proof] });
  for (let i = 0; i < proof.length; i++) add(`modified proof[${i}]`, { proof: flipBit(proof, i, 3) });
  if (proof.length > 0) add('removed component', { proof: proof.slice(0, -1) });
  if (proof.length > 1) add('inserted component', { proof: [proof[0]!, SOME_HASH, ...proof.slice(1)] });
  return probes;
}

/** Every corruption of a valid, non-trivial consistency proof that must be refused. */
function consistencyProbes(size1: number, size2: number, root1: Uint8Array, root2: Uint8Array, proof: readonly Uint8Array[]) {
  const probes: { desc: string; size1: number; size2: number; root1: Uint8Array; root2: Uint8Array; proof: readonly Uint8Array[] }[] = [];
  const add = (desc: string, over: Partial<(typeof probes)[number]>) => probes.push({ desc, size1, size2, root1, root2, proof, ...over });
  add('size1 - 1', { size1: size1 - 1 });
  add('size1 + 1', { size1: size1 + 1 });
  add('size1 ^ 2', { size1: size1 ^ 2 });
  add('size2 * 2', { size2: size2 * 2 });
  add('size2 / 2', { size2: Math.floor(size2 / 2) });
  add('wrong root1', { root1: SOME_HASH });
  add('wrong root2', { root2: SOME_HASH });
  add('swapped roots', { root1: root2, root2: root1 });
  add('empty proof', { proof: [] });
  add('trailing garbage', { proof: [...proof, new Uint8Array(0)] });
  add('trailing root1', { proof: [...proof, root1] });
  add('trailing root2', { proof: [...proof, root2] });
  add('preceding garbage', { proof: [new Uint8Array(0), ...proof] });
  add('preceding root1', { proof: [root1, ...proof] });
  add('preceding root2', { proof: [root2, ...proof] });
  add('preceding proof[0]', { proof: [proof[0]!, ...proof] });
  add('truncated proof', { proof: proof.slice(0, -1) });
  for (let i = 0; i < proof.length; i++) add(`modified proof[${i}]`, { proof: flipBit(proof, i, 4) });
  return probes;
}

function assertInclusionRefusesCorruption(leafIndex: number, treeSize: number, proof: readonly Uint8Array[], root: Uint8Array, leafHash: Uint8Array): void {
  for (const p of inclusionProbes(leafIndex, treeSize, proof, root, leafHash)) {
    assert.equal(verifyInclusion(p.leafHash, p.leafIndex, p.treeSize, p.proof, p.root), false, `${leafIndex}/${treeSize}: accepted ${p.desc}`);
  }
}

function assertConsistencyRefusesCorruption(size1: number, size2: number, root1: Uint8Array, root2: Uint8Array, proof: readonly Uint8Array[]): void {
  for (const p of consistencyProbes(size1, size2, root1, root2, proof)) {
    assert.equal(verifyConsistency(p.size1, p.size2, p.root1, p.root2, p.proof), false, `${size1}->${size2}: accepted ${p.desc}`);
  }
}

// ---- hashing ----------------------------------------------------------------------------

test('the empty tree root is SHA-256 of the empty string', () => {
  assert.equal(toHex(EMPTY_TREE_ROOT), RFC6962_ROOTS[0]);
  assert.equal(toHex(rootFromLeafHashes([])), RFC6962_ROOTS[0]);
});

test('leaf hashes match the known answers (0x00 prefix)', () => {
  for (const v of RFC6962_LEAF_HASHES) assert.equal(toHex(hashLeaf(fromHex(v.data))), v.hash);
});

test('node hashes are SHA-256(0x01 || left || right) and depend on order', () => {
  const a = hashLeaf(utf8('Hello'));
  const b = hashLeaf(utf8('World'));
  assert.deepEqual(hashChildren(a, b), sha256(concatBytes(new Uint8Array([1]), a, b)));
  assert.notDeepEqual(hashChildren(a, b), hashChildren(b, a));
  // Second-preimage resistance: a node is never the leaf of its children's concatenation.
  assert.notDeepEqual(hashChildren(a, b), hashLeaf(concatBytes(a, b)));
});

test('hash functions name the bad argument', () => {
  assert.throws(() => hashLeaf('x' as unknown as Uint8Array), { name: 'TypeError', message: /data/ });
  assert.throws(() => hashChildren(new Uint8Array(31), SOME_HASH), { name: 'RangeError', message: /left/ });
  assert.throws(() => hashChildren(SOME_HASH, new Uint8Array(33)), { name: 'RangeError', message: /right/ });
  assert.throws(() => rootFromLeafHashes([SOME_HASH, new Uint8Array(3)]), { name: 'RangeError', message: /leafHashes\[1\]/ });
});

// ---- known answers ------------------------------------------------------------------------

test('the reference tree has the published root at every size 1..8', () => {
  for (let n = 0; n <= 8; n++) assert.equal(toHex(rootFromLeafHashes(LEAF_HASHES.slice(0, n))), RFC6962_ROOTS[n], `size ${n}`);
});

test('the published inclusion proofs are generated, verify, and refuse every corruption', () => {
  for (const v of RFC6962_INCLUSION_PROOFS) {
    const leaves = LEAF_HASHES.slice(0, v.treeSize);
    const proof = v.proof.map(fromHex);
    const root = ROOTS[v.treeSize]!;
    const leafHash = LEAF_HASHES[v.leafIndex]!;
    assert.deepEqual(hexes(naiveInclusionProof(leaves, v.leafIndex)), v.proof, `PATH(${v.leafIndex}, D[${v.treeSize}])`);
    assert.deepEqual(rootFromInclusionProof(leafHash, v.leafIndex, v.treeSize, proof), root);
    assert.ok(verifyInclusion(leafHash, v.leafIndex, v.treeSize, proof, root), `${v.leafIndex}/${v.treeSize}`);
    assertInclusionRefusesCorruption(v.leafIndex, v.treeSize, proof, root, leafHash);
  }
});

test('the published consistency proofs are generated, verify, and refuse every corruption', () => {
  for (const v of RFC6962_CONSISTENCY_PROOFS) {
    const proof = v.proof.map(fromHex);
    const root1 = ROOTS[v.size1]!;
    const root2 = ROOTS[v.size2]!;
    assert.deepEqual(hexes(naiveConsistencyProof(LEAF_HASHES.slice(0, v.size2), v.size1)), v.proof, `PROOF(${v.size1}, D[${v.size2}])`);
    assert.ok(verifyConsistency(v.size1, v.size2, root1, root2, proof), `${v.size1}->${v.size2}`);
    if (proof.length > 0) assertConsistencyRefusesCorruption(v.size1, v.size2, root1, root2, proof);
  }
});

// ---- edge cases of the verifiers ------------------------------------------------------------

test('a one-leaf tree: the root is the leaf hash and the proof is empty', () => {
  const h = hashLeaf(utf8('data'));
  assert.ok(verifyInclusion(h, 0, 1, [], h));
  assert.equal(verifyInclusion(h, 0, 1, [], SOME_HASH), false);
  assert.equal(verifyInclusion(SOME_HASH, 0, 1, [], h), false);
  assert.equal(verifyInclusion(new Uint8Array(0), 0, 1, [], new Uint8Array(0)), false, 'wrong hash size');
});

test('inclusion in an empty tree or beyond the tree never verifies', () => {
  for (const [index, size] of [[0, 0], [0, 1], [1, 0], [2, 1]] as const) {
    assert.equal(verifyInclusion(SOME_HASH, index, size, [], new Uint8Array(0)), false);
    assert.equal(verifyInclusion(new Uint8Array(0), index, size, [], EMPTY_TREE_ROOT), false);
    assert.equal(verifyInclusion(SOME_HASH, index, size, [], EMPTY_TREE_ROOT), false);
  }
  assert.throws(() => rootFromInclusionProof(SOME_HASH, 1, 1, []), { name: 'RangeError', message: /leafIndex/ });
  assert.throws(() => rootFromInclusionProof(SOME_HASH, 0, 2, []), { name: 'RangeError', message: /proof/ });
  assert.throws(() => naiveInclusionProof([SOME_HASH], 1), { name: 'RangeError', message: /index/ });
});

test('trivial consistency: equal sizes need equal roots, size 0 needs nothing, and no proof', () => {
  const r1 = hashLeaf(utf8("don't care 1"));
  const r2 = hashLeaf(utf8("don't care 2"));
  const cases: [size1: number, size2: number, root1: Uint8Array, root2: Uint8Array, proof: Uint8Array[], ok: boolean][] = [
    [0, 0, r1, r2, [], false],
    [1, 1, r1, r2, [], false],
    [0, 0, r1, r1, [], true],
    [0, 1, r1, r2, [], true],
    [1, 1, r2, r2, [], true],
    [1, 0, r1, r2, [], false], // time travel
    [2, 1, r1, r2, [], false],
    [1, 2, r1, r2, [], false], // empty proof
    [0, 0, EMPTY_TREE_ROOT, r2, [], false],
    [1, 1, EMPTY_TREE_ROOT, r2, [], false],
    [0, 0, EMPTY_TREE_ROOT, EMPTY_TREE_ROOT, [EMPTY_TREE_ROOT], false], // equal roots, non-empty proof
    [0, 1, EMPTY_TREE_ROOT, EMPTY_TREE_ROOT, [EMPTY_TREE_ROOT], false],
    [1, 1, EMPTY_TREE_ROOT, EMPTY_TREE_ROOT, [EMPTY_TREE_ROOT], false],
  ];
  for (const [size1, size2, root1, root2, proof, ok] of cases) {
    assert.equal(verifyConsistency(size1, size2, root1, root2, proof), ok, `${size1}->${size2}`);
  }
  assert.deepEqual(naiveConsistencyProof(LEAF_HASHES, 0), []);
  assert.deepEqual(naiveConsistencyProof(LEAF_HASHES, 8), []);
  assert.throws(() => naiveConsistencyProof(LEAF_HASHES, 9), { name: 'RangeError', message: /size1/ });
});

test('verifiers throw TypeError/RangeError naming a badly typed argument', () => {
  const h = SOME_HASH;
  assert.throws(() => verifyInclusion('x' as unknown as Uint8Array, 0, 1, [], h), { name: 'TypeError', message: /leafHash/ });
  assert.throws(() => verifyInclusion(h, -1, 1, [], h), { name: 'RangeError', message: /leafIndex/ });
  assert.throws(() => verifyInclusion(h, 0, 1.5, [], h), { name: 'RangeError', message: /treeSize/ });
  assert.throws(() => verifyInclusion(h, 0, 1, 'x' as unknown as Uint8Array[], h), { name: 'TypeError', message: /proof/ });
  assert.throws(() => verifyInclusion(h, 0, 1, [], null as unknown as Uint8Array), { name: 'TypeError', message: /root/ });
  assert.throws(() => verifyConsistency(Number.NaN, 1, h, h, []), { name: 'RangeError', message: /size1/ });
  assert.throws(() => verifyConsistency(0, '1' as unknown as number, h, h, []), { name: 'TypeError', message: /size2/ });
  assert.throws(() => verifyConsistency(0, 1, h, {} as Uint8Array, []), { name: 'TypeError', message: /root2/ });
  assert.throws(() => rootFromInclusionProof(h, 0, 2, [new Uint8Array(31)]), { name: 'RangeError', message: /proof\[0\]/ });
});

// ---- generated trees ------------------------------------------------------------------------

test('naive proofs of every leaf and every old size verify in all trees up to 40 leaves', () => {
  const leaves = Array.from({ length: 40 }, (_, i) => hashLeaf(new Uint8Array([i, i * 7, 0xaa])));
  const roots = Array.from({ length: 41 }, (_, n) => rootFromLeafHashes(leaves.slice(0, n)));
  for (let n = 1; n <= 40; n++) {
    const tree = leaves.slice(0, n);
    for (let i = 0; i < n; i++) {
      const proof = naiveInclusionProof(tree, i);
      assert.ok(verifyInclusion(leaves[i]!, i, n, proof, roots[n]!), `inclusion ${i}/${n}`);
      assert.deepEqual(rootFromInclusionProof(leaves[i]!, i, n, proof), roots[n]);
    }
    for (let m = 0; m <= n; m++) {
      const proof = naiveConsistencyProof(tree, m);
      assert.ok(verifyConsistency(m, n, roots[m]!, roots[n]!, proof), `consistency ${m}->${n}`);
    }
  }
  // Corruptions, on every shape of a 13- and a 16-leaf tree.
  for (const n of [13, 16]) {
    const tree = leaves.slice(0, n);
    for (let i = 0; i < n; i++) assertInclusionRefusesCorruption(i, n, naiveInclusionProof(tree, i), roots[n]!, leaves[i]!);
    for (let m = 1; m < n; m++) assertConsistencyRefusesCorruption(m, n, roots[m]!, roots[n]!, naiveConsistencyProof(tree, m));
  }
});

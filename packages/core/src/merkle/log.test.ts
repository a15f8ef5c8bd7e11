import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, toHex } from '../bytes.js';
import { sha256 } from '../crypto.js';
import { isGovchainError } from '../errors.js';
import {
  EMPTY_TREE_ROOT,
  MemoryLogStore,
  appendLeafHashes,
  consistencyProof,
  hashLeaf,
  inclusionProof,
  logRoot,
  naiveConsistencyProof,
  naiveInclusionProof,
  rootFromLeafHashes,
  verifyConsistency,
  verifyInclusion,
  type LogNodeReader,
  type LogNodeWrite,
} from './index.js';
import {
  RFC6962_CONSISTENCY_NODES,
  RFC6962_CONSISTENCY_PROOFS,
  RFC6962_INCLUSION_NODES,
  RFC6962_INCLUSION_PROOFS,
  RFC6962_LEAVES,
  RFC6962_ROOTS,
} from './vectors.js';

/** mulberry32: a small seeded PRNG, so every run samples the same cases. */
function rng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

/** Leaf hash number i of the generated logs. */
const leafAt = (i: number): Uint8Array => hashLeaf(sha256(new Uint8Array([i & 255, (i >>> 8) & 255, (i >>> 16) & 255])));

/** A reader that records every node read, to check which nodes a proof uses. */
function recording(reader: LogNodeReader): { reader: LogNodeReader; reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    reader: { getNode: (level, index) => (reads.push(`${level}:${index}`), reader.getNode(level, index)) },
  };
}

/** Every stored node, as `level:index=hash` strings, to compare two stores. */
function dump(store: MemoryLogStore, size: number): string[] {
  const out: string[] = [];
  for (let level = 0; 2 ** level <= size; level++) {
    for (let index = 0; (index + 1) * 2 ** level <= size; index++) {
      const h = store.getNode(level, index);
      assert.ok(h !== undefined, `node ${level}:${index} of a ${size}-leaf log is stored`);
      out.push(`${level}:${index}=${toHex(h)}`);
    }
    assert.equal(store.getNode(level, Math.floor(size / 2 ** level)), undefined, `no incomplete node at level ${level}`);
  }
  return out;
}

const LEAVES = Array.from({ length: 1000 }, (_, i) => leafAt(i));

/** Naive roots (RFC 6962 s.2.1 MTH) of prefixes of LEAVES, memoised. */
const NAIVE_ROOTS = new Map<number, Uint8Array>();
function naiveRoot(n: number): Uint8Array {
  let r = NAIVE_ROOTS.get(n);
  if (r === undefined) NAIVE_ROOTS.set(n, (r = rootFromLeafHashes(LEAVES.slice(0, n))));
  return r;
}

/**
 * A store holding the first `n` of LEAVES, appended one batch per entry of `batches` (the
 * rest at once); each append's root is checked against the naive root where `checkRoot` says.
 */
function buildStore(n: number, batches: readonly number[] = [n], checkRoot: (size: number) => boolean = () => true): MemoryLogStore {
  const store = new MemoryLogStore();
  let size = 0;
  for (const b of [...batches, n]) {
    if (size >= n) break;
    const result = appendLeafHashes(store, size, LEAVES.slice(size, Math.min(size + b, n)));
    store.apply(result.writes);
    size = result.size;
    if (checkRoot(size)) assert.deepEqual(result.root, naiveRoot(size), `root after appending to ${size}`);
  }
  return store;
}

const STORE = buildStore(1000, [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233]);

// ---- known answers ------------------------------------------------------------------------

test('the storage-backed log reproduces the RFC 6962 reference roots and proofs', () => {
  const leaves = RFC6962_LEAVES.map((hex) => hashLeaf(fromHex(hex)));
  const store = new MemoryLogStore();
  for (let n = 0; n < leaves.length; n++) {
    const result = appendLeafHashes(store, n, [leaves[n]!]);
    store.apply(result.writes);
    assert.equal(toHex(result.root), RFC6962_ROOTS[n + 1]);
  }
  for (let n = 0; n <= 8; n++) assert.equal(toHex(logRoot(store, n)), RFC6962_ROOTS[n], `size ${n}`);
  for (const v of RFC6962_INCLUSION_PROOFS) assert.deepEqual(inclusionProof(store, v.leafIndex, v.treeSize).map(toHex), v.proof);
  for (const v of RFC6962_CONSISTENCY_PROOFS) assert.deepEqual(consistencyProof(store, v.size1, v.size2).map(toHex), v.proof);
});

test('proofs read exactly the stored nodes transparency-dev/merkle names', () => {
  const store = buildStore(100);
  const set = (ids: readonly (readonly [number, number])[]) => ids.map(([l, i]) => `${l}:${i}`).sort();
  for (const v of RFC6962_INCLUSION_NODES) {
    const r = recording(store);
    inclusionProof(r.reader, v.leafIndex, v.treeSize);
    assert.deepEqual(r.reads.sort(), set(v.nodes), `inclusion ${v.leafIndex}/${v.treeSize}`);
  }
  for (const v of RFC6962_CONSISTENCY_NODES) {
    const r = recording(store);
    consistencyProof(r.reader, v.size1, v.size2);
    assert.deepEqual(r.reads.sort(), set(v.nodes), `consistency ${v.size1}->${v.size2}`);
  }
});

// ---- generated logs -----------------------------------------------------------------------

test('roots of every size 0..1000 match the naive Merkle tree hash', () => {
  assert.deepEqual(logRoot(STORE, 0), EMPTY_TREE_ROOT);
  for (let n = 1; n <= 200; n++) assert.deepEqual(logRoot(STORE, n), naiveRoot(n), `size ${n}`);
  for (const n of [255, 256, 257, 511, 512, 513, 640, 777, 999, 1000]) assert.deepEqual(logRoot(STORE, n), naiveRoot(n), `size ${n}`);
});

test('inclusion proofs of every leaf at every size 1..200 verify; sampled ones equal the naive PATH', () => {
  const pick = rng(1);
  for (let n = 1; n <= 200; n++) {
    const root = naiveRoot(n);
    const sampled = new Set([0, 1, n >> 1, n - 2, n - 1, pick(n), pick(n)].filter((i) => i >= 0 && i < n));
    for (let i = 0; i < n; i++) {
      const proof = inclusionProof(STORE, i, n);
      assert.ok(verifyInclusion(LEAVES[i]!, i, n, proof, root), `inclusion ${i}/${n}`);
      if (sampled.has(i)) assert.deepEqual(proof, naiveInclusionProof(LEAVES.slice(0, n), i), `PATH(${i}, D[${n}])`);
    }
  }
});

test('inclusion proofs in sampled logs up to 1000 leaves equal the naive PATH and verify', () => {
  const pick = rng(2);
  for (const n of [255, 256, 257, 511, 512, 513, 640, 777, 999, 1000]) {
    const tree = LEAVES.slice(0, n);
    for (const i of [0, n - 1, n >> 1, pick(n), pick(n), pick(n)]) {
      const proof = inclusionProof(STORE, i, n);
      assert.deepEqual(proof, naiveInclusionProof(tree, i), `PATH(${i}, D[${n}])`);
      assert.ok(verifyInclusion(LEAVES[i]!, i, n, proof, naiveRoot(n)));
    }
  }
});

test('consistency proofs from every old size (sampled above 100) to every size 1..200 verify and equal the naive PROOF', () => {
  const pick = rng(3);
  for (let n = 1; n <= 200; n++) {
    const sampled = new Set([0, 1, n >> 1, n - 1, n, pick(n + 1), pick(n + 1)]);
    const olds = n <= 100 ? Array.from({ length: n + 1 }, (_, m) => m) : [...sampled, 2, 3, 64, 65, 100, 127, 128, 129, pick(n + 1), pick(n + 1)].filter((m) => m <= n);
    for (const m of olds) {
      const proof = consistencyProof(STORE, m, n);
      assert.ok(verifyConsistency(m, n, naiveRoot(m), naiveRoot(n), proof), `consistency ${m}->${n}`);
      if (sampled.has(m)) assert.deepEqual(proof, naiveConsistencyProof(LEAVES.slice(0, n), m), `PROOF(${m}, D[${n}])`);
    }
  }
});

test('consistency proofs in sampled logs up to 1000 leaves equal the naive PROOF and verify', () => {
  const pick = rng(4);
  for (const n of [256, 257, 512, 513, 777, 1000]) {
    const tree = LEAVES.slice(0, n);
    for (const m of [1, 2, 255, 256, n - 1, pick(n), pick(n), pick(n)]) {
      const proof = consistencyProof(STORE, m, n);
      assert.deepEqual(proof, naiveConsistencyProof(tree, m), `PROOF(${m}, D[${n}])`);
      assert.ok(verifyConsistency(m, n, naiveRoot(m), naiveRoot(n), proof));
    }
  }
});

/**
 * The hash computation RFC 9162 s.2.1.3.2 performs for (leafIndex, treeSize): one letter per
 * proof element, L (sibling on the left) or R (on the right); null when nothing verifies.
 */
function inclusionShape(leafIndex: number, treeSize: number): string | null {
  if (leafIndex < 0 || leafIndex >= treeSize) return null;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let shape = '';
  while (sn > 0) {
    if (fn % 2 === 1 || fn === sn) {
      shape += 'L';
      while (fn % 2 === 0 && fn !== 0) [fn, sn] = [fn >> 1, sn >> 1];
    } else {
      shape += 'R';
    }
    [fn, sn] = [fn >> 1, sn >> 1];
  }
  return shape;
}

/** The same for RFC 9162 s.2.1.4.2 (size1 < size2): P when root1 is prepended, then B (both roots) or S (second only). */
function consistencyShape(size1: number, size2: number): string | null {
  if (size1 <= 0 || size1 >= size2) return null;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) [fn, sn] = [fn >> 1, sn >> 1];
  let shape = (size1 & (size1 - 1)) === 0 ? 'P' : '';
  while (sn > 0) {
    if (fn % 2 === 1 || fn === sn) {
      shape += 'B';
      while (fn % 2 === 0 && fn !== 0) [fn, sn] = [fn >> 1, sn >> 1];
    } else {
      shape += 'S';
    }
    [fn, sn] = [fn >> 1, sn >> 1];
  }
  return shape;
}

test('tampering with a proof hash, the index or a size makes verification fail', () => {
  // RFC 6962 proofs do not commit to the tree size by themselves (the signed checkpoint, which
  // pairs root and size, does): a proof of leaf 0 in a 3-leaf tree also "verifies" as leaf 0
  // of 4 against the same root, because the verifier performs exactly the same hashes. So a
  // changed index or size must fail exactly when it changes the hash computation.
  const pick = rng(5);
  const flip = (proof: readonly Uint8Array[], k: number, bit: number): Uint8Array[] => {
    const out = proof.slice();
    const h = Uint8Array.from(out[k]!);
    h[bit >> 3]! ^= 1 << (bit & 7);
    out[k] = h;
    return out;
  };
  const tally = new Map<string, { changed: number; refused: number }>();
  const expectRefusedUnlessSameShape = (ok: boolean, same: boolean, what: string) => {
    assert.equal(ok, same, what);
    const kind = what.split(' ')[0]! + (what.includes('->') ? ' (consistency)' : ' (inclusion)');
    const t = tally.get(kind) ?? { changed: 0, refused: 0 };
    t.changed += 1;
    if (!ok) t.refused += 1;
    tally.set(kind, t);
  };
  for (let n = 2; n <= 300; n += n < 40 ? 1 : 13) {
    const i = pick(n);
    const root = naiveRoot(n);
    const leaf = LEAVES[i]!;
    const proof = inclusionProof(STORE, i, n);
    const shape = inclusionShape(i, n);
    for (let k = 0; k < proof.length; k++) {
      assert.equal(verifyInclusion(leaf, i, n, flip(proof, k, pick(256)), root), false, `hash ${k} of ${i}/${n}`);
    }
    for (const j of [i - 1, i + 1, i ^ 1, i ^ 2, i + 16].filter((j) => j >= 0 && j !== i)) {
      expectRefusedUnlessSameShape(verifyInclusion(leaf, j, n, proof, root), inclusionShape(j, n) === shape, `index ${j} for ${i}/${n}`);
    }
    for (const s of [n - 1, n + 1, n + 7, 2 * n, n >> 1].filter((s) => s !== n)) {
      expectRefusedUnlessSameShape(verifyInclusion(leaf, i, s, proof, root), inclusionShape(i, s) === shape, `size ${s} for ${i}/${n}`);
    }
    assert.equal(verifyInclusion(leaf, i, n, proof.slice(0, -1), root), false, 'truncated');
    assert.equal(verifyInclusion(leaf, i, n, [...proof, root], root), false, 'extended');
    assert.equal(verifyInclusion(LEAVES[i + 1]!, i, n, proof, root), false, 'another leaf');

    const m = 1 + pick(n - 1);
    const root1 = naiveRoot(m);
    const cproof = consistencyProof(STORE, m, n);
    const cshape = consistencyShape(m, n);
    for (let k = 0; k < cproof.length; k++) {
      assert.equal(verifyConsistency(m, n, root1, root, flip(cproof, k, pick(256))), false, `hash ${k} of ${m}->${n}`);
    }
    for (const s of [m - 1, m + 1, m ^ 2].filter((s) => s > 0 && s !== m)) {
      expectRefusedUnlessSameShape(verifyConsistency(s, n, root1, root, cproof), consistencyShape(s, n) === cshape, `size1 ${s} for ${m}->${n}`);
    }
    for (const s of [n - 1, n + 1, n + 5, 2 * n].filter((s) => s !== n && s !== m)) {
      expectRefusedUnlessSameShape(verifyConsistency(m, s, root1, root, cproof), consistencyShape(m, s) === cshape, `size2 ${s} for ${m}->${n}`);
    }
    assert.equal(verifyConsistency(m, n, root, root1, cproof), false, 'swapped roots');
    assert.equal(verifyConsistency(m, n, root1, root, cproof.slice(0, -1)), false, 'truncated');
  }
  // A changed leaf index or old size is always refused; a changed new size whenever it
  // changes the computation (about half of the sizes tried here).
  for (const kind of ['index (inclusion)', 'size1 (consistency)']) {
    const t = tally.get(kind)!;
    assert.ok(t.changed > 100 && t.refused === t.changed, `${kind}: ${t.refused} of ${t.changed} refused`);
  }
  for (const kind of ['size (inclusion)', 'size2 (consistency)']) {
    const t = tally.get(kind)!;
    assert.ok(t.changed > 100 && t.refused > t.changed / 3, `${kind}: ${t.refused} of ${t.changed} refused`);
  }
});

test('proofs read O(log n) nodes, even in a large log', () => {
  // A sparse reader: only the nodes a 2^40-ish log would hold on the paths asked for are
  // synthesised, so the read counts of a huge log are measured without storing it.
  const reader: LogNodeReader = { getNode: (level, index) => sha256(new Uint8Array([level, index & 255, (index / 256) & 255])) };
  for (const [i, n] of [[0, 2 ** 40 - 1], [2 ** 39 + 12345, 2 ** 40 - 3], [10_000_000 - 1, 10_000_000], [4_321_987, 9_999_999]] as const) {
    const r = recording(reader);
    const proof = inclusionProof(r.reader, i, n);
    const depth = Math.ceil(Math.log2(n));
    assert.ok(proof.length <= depth, `path length ${proof.length} <= ${depth}`);
    assert.ok(r.reads.length <= 2 * depth, `inclusion ${i}/${n} read ${r.reads.length} nodes`);
    const c = recording(reader);
    consistencyProof(c.reader, i + 1, n);
    assert.ok(c.reads.length <= 2 * depth + 2, `consistency ${i + 1}->${n} read ${c.reads.length} nodes`);
    const t = recording(reader);
    logRoot(t.reader, n);
    assert.ok(t.reads.length <= depth, `root of ${n} read ${t.reads.length} nodes`);
  }
});

// ---- appending ----------------------------------------------------------------------------

test('appending in uneven batches stores the same nodes and roots as one by one', () => {
  const n = 777;
  const oneByOne = buildStore(n, Array.from({ length: n }, () => 1), (size) => size <= 200 || size % 97 === 0 || size === n);
  const expected = dump(oneByOne, n);
  const pick = rng(6);
  const randomBatches = Array.from({ length: 40 }, () => pick(60));
  for (const batches of [[n], [0, 1, 0, 2, 3, 0, 500], [7, 64, 1, 128, 255, 3], [256, 256, 256], randomBatches]) {
    const store = buildStore(n, batches);
    assert.deepEqual(dump(store, n), expected, `batches ${batches.join(',')}`);
    for (const s of [1, 2, 3, 100, 255, 256, 257, 776, 777]) assert.deepEqual(logRoot(store, s), logRoot(oneByOne, s));
  }
});

test('an append returns every new complete subtree once, usable before anything is stored', () => {
  const store = buildStore(5);
  const result = appendLeafHashes(store, 5, LEAVES.slice(5, 16));
  // 11 leaves, then the nodes they complete: level 1: 2..7, level 2: 1..3, level 3: 0..1, level 4: 0.
  const ids = result.writes.map((w: LogNodeWrite) => `${w.level}:${w.index}`);
  assert.deepEqual(ids.filter((id) => id.startsWith('0:')).length, 11);
  assert.deepEqual(ids.filter((id) => !id.startsWith('0:')).sort(), ['1:2', '1:3', '1:4', '1:5', '1:6', '1:7', '2:1', '2:2', '2:3', '3:0', '3:1', '4:0']);
  assert.equal(new Set(ids).size, ids.length, 'no node written twice');
  assert.equal(result.size, 16);
  assert.deepEqual(result.root, naiveRoot(16));
  // Nothing was written to the store by the append itself.
  assert.equal(store.getNode(0, 5), undefined);
  store.apply(result.writes);
  assert.deepEqual(logRoot(store, 16), naiveRoot(16));
  assert.equal(store.size, 16);
  // An empty append changes nothing.
  const none = appendLeafHashes(store, 16, []);
  assert.deepEqual(none.writes, []);
  assert.equal(none.size, 16);
  assert.deepEqual(none.root, naiveRoot(16));
  assert.deepEqual(appendLeafHashes(new MemoryLogStore(), 0, []).root, EMPTY_TREE_ROOT);
});

// ---- errors -------------------------------------------------------------------------------

test('out-of-range sizes and indices throw RangeError naming the argument', () => {
  assert.throws(() => inclusionProof(STORE, 5, 5), { name: 'RangeError', message: /leafIndex/ });
  assert.throws(() => inclusionProof(STORE, 0, 0), { name: 'RangeError', message: /leafIndex/ });
  assert.throws(() => inclusionProof(STORE, -1, 5), { name: 'RangeError', message: /leafIndex/ });
  assert.throws(() => inclusionProof(STORE, 0, 2 ** 53), { name: 'RangeError', message: /treeSize/ });
  assert.throws(() => consistencyProof(STORE, 6, 5), { name: 'RangeError', message: /size1/ });
  assert.throws(() => consistencyProof(STORE, 1, 0.5), { name: 'RangeError', message: /size2/ });
  assert.throws(() => logRoot(STORE, -2), { name: 'RangeError', message: /size/ });
  assert.throws(() => appendLeafHashes(STORE, 1.5, []), { name: 'RangeError', message: /size/ });
  assert.throws(() => appendLeafHashes(STORE, 0, [new Uint8Array(31)]), { name: 'RangeError', message: /leafHashes\[0\]/ });
  assert.throws(() => appendLeafHashes({} as LogNodeReader, 0, []), { name: 'TypeError', message: /reader/ });
  assert.throws(() => logRoot(STORE, '3' as unknown as number), { name: 'TypeError', message: /size/ });
  assert.deepEqual(consistencyProof(STORE, 0, 10), []);
  assert.deepEqual(consistencyProof(STORE, 10, 10), []);
});

test('a node missing from storage is reported, not papered over', () => {
  const missing = (e: unknown) => e instanceof Error && isGovchainError(e, 'store.corrupt');
  const empty = new MemoryLogStore();
  assert.throws(() => logRoot(empty, 3), missing);
  assert.throws(() => inclusionProof(empty, 0, 2), missing);
  assert.throws(() => consistencyProof(empty, 1, 2), missing);
  // Appending at size 1 needs leaf 0 as the new leaf's left sibling.
  assert.throws(() => appendLeafHashes(empty, 1, [LEAVES[1]!]), missing);
  // Asking beyond the stored log is the same: the nodes are not there.
  assert.throws(() => logRoot(STORE, 1001), missing);
  // A store handing back something that is not a hash is corrupt too.
  assert.throws(() => logRoot({ getNode: () => new Uint8Array(5) }, 1), missing);
});

test('the memory store is append-only', () => {
  const store = buildStore(4);
  store.apply([{ level: 0, index: 0, hash: LEAVES[0]! }]); // rewriting the same hash is harmless
  assert.throws(() => store.apply([{ level: 0, index: 0, hash: LEAVES[1]! }]), (e: unknown) => isGovchainError(e, 'store.corrupt'));
  assert.throws(() => store.apply([{ level: 0, index: -1, hash: LEAVES[1]! }]), { name: 'RangeError', message: /writes\[0\]\.index/ });
});

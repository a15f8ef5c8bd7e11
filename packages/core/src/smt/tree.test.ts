import { test } from 'node:test';
import assert from 'node:assert/strict';
import { concatBytes, fromHex, toHex } from '../bytes.js';
import { sha256 } from '../crypto.js';
import { stateMapKey, stateValueHash } from '../state.js';
import { isGovchainError } from '../errors.js';
import {
  MemorySmtStore,
  SMT_EMPTY_ROOT,
  getSmtValueHash,
  proveSmt,
  smtInternalHash,
  smtLeafHash,
  smtProofFromJson,
  smtProofToJson,
  updateSmt,
  verifySmtProof,
  type SmtNode,
  type SmtProof,
  type SmtUpdate,
} from './index.js';

// ---- seeded randomness (reproducible runs) ----------------------------------------------

/** mulberry32: a small seeded PRNG for choices; bytes come from SHA-256(seed || counter). */
function rng(seed: number) {
  let a = seed >>> 0;
  let counter = 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number): number => Math.floor(next() * n),
    bytes32: (): Uint8Array => sha256(new Uint8Array([seed & 255, (seed >>> 8) & 255, counter & 255, (counter >>> 8) & 255, (counter++ >>> 16) & 255])),
    shuffle<T>(xs: T[]): T[] {
      const out = xs.slice();
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    },
  };
}

// ---- naive reference: rebuild the canonical tree from the whole key set ------------------

const bit = (k: Uint8Array, i: number) => (k[i >> 3]! >> (7 - (i & 7))) & 1;

function referenceRoot(entries: Map<string, Uint8Array>): Uint8Array {
  const list = [...entries].map(([k, v]) => ({ key: fromHex(k), v }));
  const build = (xs: typeof list, depth: number): Uint8Array => {
    if (xs.length === 0) return new Uint8Array(32);
    if (xs.length === 1) return smtLeafHash(xs[0]!.key, xs[0]!.v);
    return smtInternalHash(
      build(xs.filter((x) => bit(x.key, depth) === 0), depth + 1),
      build(xs.filter((x) => bit(x.key, depth) === 1), depth + 1),
    );
  };
  return build(list, 0);
}

/** Apply updates in batches to `store`, returning the final root. */
function applyBatches(store: MemorySmtStore, root: Uint8Array, updates: SmtUpdate[], batchSizes: () => number): Uint8Array {
  for (let i = 0; i < updates.length; ) {
    const n = Math.max(1, batchSizes());
    const r = updateSmt(store, root, updates.slice(i, i + n));
    store.put(r.nodes);
    root = r.root;
    i += n;
  }
  return root;
}

/** Keys with long shared prefixes: random bases with a few low bits varied, plus a pair differing only in bit 255. */
function clusteredKeys(r: ReturnType<typeof rng>, n: number): Uint8Array[] {
  const keys: Uint8Array[] = [];
  const base = r.bytes32();
  for (let i = 0; i < n; i++) {
    const k = base.slice();
    k[31] = r.int(256);
    k[30] = r.int(4);
    keys.push(k);
  }
  const twin = base.slice();
  twin[31] ^= 1;
  keys.push(base.slice(), twin);
  return keys;
}

function uniqueKeys(keys: Uint8Array[]): Uint8Array[] {
  return [...new Map(keys.map((k) => [toHex(k), k])).values()];
}

// ---- tests -------------------------------------------------------------------------------

test('hashes are domain-separated SHA-256 of 0x00||key||value and 0x01||left||right', () => {
  const k = new Uint8Array(32).fill(1);
  const v = new Uint8Array(32).fill(2);
  assert.equal(toHex(smtLeafHash(k, v)), toHex(sha256(concatBytes(new Uint8Array([0]), k, v))));
  assert.equal(toHex(smtInternalHash(k, v)), toHex(sha256(concatBytes(new Uint8Array([1]), k, v))));
  assert.equal(toHex(SMT_EMPTY_ROOT), '00'.repeat(32));
  assert.throws(() => smtLeafHash(new Uint8Array(31), v), RangeError);
});

test('the root depends only on the key/value set, not on insertion order or batch split', () => {
  const r = rng(1);
  const sets: Uint8Array[][] = [[], [r.bytes32()], [r.bytes32(), r.bytes32()], Array.from({ length: 17 }, r.bytes32), Array.from({ length: 300 }, r.bytes32), Array.from({ length: 2000 }, r.bytes32), uniqueKeys(clusteredKeys(r, 200))];
  for (const keys of sets) {
    const model = new Map(keys.map((k) => [toHex(k), r.bytes32()]));
    const expected = toHex(referenceRoot(model));
    const updates = [...model].map(([k, v]) => ({ key: fromHex(k), valueHash: v }));
    const splits = [() => updates.length || 1, () => 1 + r.int(7), () => 1 + r.int(500)];
    for (const split of splits) {
      const store = new MemorySmtStore();
      const root = applyBatches(store, SMT_EMPTY_ROOT, r.shuffle(updates), split);
      assert.equal(toHex(root), expected, `${keys.length} keys`);
    }
  }
});

test('insert, update and delete round trips agree with the reference and end at the empty root', () => {
  const r = rng(2);
  const pool = [...Array.from({ length: 600 }, r.bytes32), ...uniqueKeys(clusteredKeys(r, 100))];
  const store = new MemorySmtStore();
  const model = new Map<string, Uint8Array>();
  let root = SMT_EMPTY_ROOT;
  for (let round = 0; round < 12; round++) {
    const batch: SmtUpdate[] = [];
    const size = 1 + r.int(300);
    for (let i = 0; i < size; i++) {
      const key = pool[r.int(pool.length)]!;
      const valueHash = r.next() < 0.35 ? null : r.bytes32(); // deletes, also of absent keys
      batch.push({ key, valueHash });
    }
    for (const u of batch) {
      if (u.valueHash === null) model.delete(toHex(u.key));
      else model.set(toHex(u.key), u.valueHash);
    }
    const res = updateSmt(store, root, batch);
    store.put(res.nodes);
    root = res.root;
    assert.equal(toHex(root), toHex(referenceRoot(model)), `round ${round}`);
    for (const key of pool.slice(0, 200)) {
      const got = getSmtValueHash(store, root, key);
      const want = model.get(toHex(key));
      assert.equal(got === null ? null : toHex(got), want === undefined ? null : toHex(want));
    }
  }
  // Delete everything (in two batches) and land exactly on the empty root.
  const keys = [...model.keys()].map((k) => fromHex(k));
  const half = updateSmt(store, root, keys.slice(0, keys.length >> 1).map((key) => ({ key, valueHash: null })));
  store.put(half.nodes);
  const end = updateSmt(store, half.root, keys.slice(keys.length >> 1).map((key) => ({ key, valueHash: null })));
  assert.equal(toHex(end.root), toHex(SMT_EMPTY_ROOT));
  assert.equal(end.nodes.length, 0);
});

test('within one batch the later entry for a key wins', () => {
  const r = rng(3);
  const [k1, k2, v1, v2] = [r.bytes32(), r.bytes32(), r.bytes32(), r.bytes32()];
  const store = new MemorySmtStore();
  const a = updateSmt(store, SMT_EMPTY_ROOT, [{ key: k1, valueHash: v1 }, { key: k2, valueHash: v1 }, { key: k1, valueHash: v2 }, { key: k2, valueHash: null }]);
  assert.equal(toHex(a.root), toHex(smtLeafHash(k1, v2)));
  const b = updateSmt(store, SMT_EMPTY_ROOT, [{ key: k1, valueHash: null }, { key: k1, valueHash: v1 }]);
  assert.equal(toHex(b.root), toHex(smtLeafHash(k1, v1)));
});

test('a batch returns each new node once, all reachable from the new root, and leaves the input untouched', () => {
  const r = rng(4);
  const store = new MemorySmtStore();
  const first = updateSmt(store, SMT_EMPTY_ROOT, Array.from({ length: 500 }, () => ({ key: r.bytes32(), valueHash: r.bytes32() })));
  store.put(first.nodes);
  const updates = Array.from({ length: 200 }, () => ({ key: r.bytes32(), valueHash: r.bytes32() }));
  const before = updates.map((u) => toHex(u.key) + toHex(u.valueHash));
  const res = updateSmt(store, first.root, updates);
  assert.deepEqual(updates.map((u) => toHex(u.key) + toHex(u.valueHash)), before);
  const fresh = new Map(res.nodes.map((n) => [toHex(n.hash), n.node]));
  assert.equal(fresh.size, res.nodes.length, 'no node twice');
  for (const n of res.nodes) {
    const enc = n.node.kind === 'leaf' ? smtLeafHash(n.node.key, n.node.valueHash) : smtInternalHash(n.node.left, n.node.right);
    assert.equal(toHex(enc), toHex(n.hash), 'each node hashes to its address');
  }
  const reachable = new Set<string>();
  const visit = (h: Uint8Array) => {
    if (h.every((b) => b === 0)) return;
    const id = toHex(h);
    reachable.add(id);
    const node: SmtNode = fresh.get(id) ?? store.getNode(h)!;
    if (node.kind === 'internal') {
      visit(node.left);
      visit(node.right);
    }
  };
  visit(res.root);
  for (const id of fresh.keys()) assert.ok(reachable.has(id), 'unreachable node returned');
  // Re-applying the same values creates nothing new.
  store.put(res.nodes);
  const again = updateSmt(store, res.root, updates);
  assert.equal(toHex(again.root), toHex(res.root));
  assert.equal(again.nodes.length, 0);
});

test('updateSmt checks its arguments and names the bad one', () => {
  const store = new MemorySmtStore();
  assert.throws(() => updateSmt(store, new Uint8Array(31), []), /root/);
  assert.throws(() => updateSmt(store, SMT_EMPTY_ROOT, [{ key: new Uint8Array(33), valueHash: null }]), (e: unknown) => e instanceof RangeError && /updates\[0\]\.key/.test(e.message));
  assert.throws(() => updateSmt(store, SMT_EMPTY_ROOT, [{ key: new Uint8Array(32), valueHash: 'x' as unknown as Uint8Array }]), (e: unknown) => e instanceof TypeError && /updates\[0\]\.valueHash/.test(e.message));
  assert.throws(() => getSmtValueHash(store, new Uint8Array(32).fill(7), new Uint8Array(32)), /missing/);
});

/** A tree of 1,000 random keys plus a cluster, with a model of its contents. */
function proofFixture() {
  const r = rng(5);
  const store = new MemorySmtStore();
  const model = new Map<string, Uint8Array>();
  for (const key of [...Array.from({ length: 1000 }, r.bytes32), ...uniqueKeys(clusteredKeys(r, 40))]) model.set(toHex(key), r.bytes32());
  const res = updateSmt(store, SMT_EMPTY_ROOT, [...model].map(([k, v]) => ({ key: fromHex(k), valueHash: v })));
  store.put(res.nodes);
  return { r, store, model, root: res.root };
}

test('membership and non-membership proofs verify (present keys, empty slots, another key on the path)', () => {
  const { r, store, model, root } = proofFixture();
  for (const [k, v] of model) {
    const key = fromHex(k);
    const proof = proveSmt(store, root, key);
    assert.ok(verifySmtProof(root, key, v, proof));
    assert.ok(!verifySmtProof(root, key, null, proof), 'a present key is not provably absent');
    assert.ok(!verifySmtProof(root, key, r.bytes32(), proof), 'wrong value');
  }
  let emptySlots = 0;
  let otherLeaf = 0;
  for (let i = 0; i < 2000; i++) {
    const key = r.bytes32();
    const proof = proveSmt(store, root, key);
    assert.equal(getSmtValueHash(store, root, key), null);
    if (proof.leaf === null) emptySlots++;
    else otherLeaf++;
    assert.ok(verifySmtProof(root, key, null, proof));
    assert.ok(!verifySmtProof(root, key, r.bytes32(), proof), 'absent key has no value');
  }
  assert.ok(emptySlots > 100 && otherLeaf > 100, `both kinds of absence occur (${emptySlots} empty, ${otherLeaf} other leaf)`);
  // Empty map and single-key map.
  const k = r.bytes32();
  const v = r.bytes32();
  assert.ok(verifySmtProof(SMT_EMPTY_ROOT, k, null, proveSmt(store, SMT_EMPTY_ROOT, k)));
  const one = updateSmt(store, SMT_EMPTY_ROOT, [{ key: k, valueHash: v }]);
  store.put(one.nodes);
  assert.deepEqual(proveSmt(store, one.root, k).siblings, []);
  assert.ok(verifySmtProof(one.root, k, v, proveSmt(store, one.root, k)));
  const other = r.bytes32();
  assert.ok(verifySmtProof(one.root, other, null, proveSmt(store, one.root, other)));
});

test('two keys differing only in the last bit give 256-sibling proofs that verify', () => {
  const r = rng(6);
  const a = r.bytes32();
  const b = a.slice();
  b[31] ^= 1;
  const store = new MemorySmtStore();
  const res = updateSmt(store, SMT_EMPTY_ROOT, [{ key: a, valueHash: a }, { key: b, valueHash: b }]);
  store.put(res.nodes);
  const proof = proveSmt(store, res.root, a);
  assert.equal(proof.siblings.length, 256);
  assert.ok(verifySmtProof(res.root, a, a, proof));
  assert.ok(!verifySmtProof(res.root, a, a, { ...proof, siblings: [new Uint8Array(32), ...proof.siblings] }), '257 siblings');
  // Deleting one lifts the other to the root.
  const del = updateSmt(store, res.root, [{ key: a, valueHash: null }]);
  assert.equal(toHex(del.root), toHex(smtLeafHash(b, b)));
});

test('every tampering of a proof is rejected', () => {
  const { r, store, model, root } = proofFixture();
  const present = [...model].slice(0, 150).map(([k, v]) => ({ key: fromHex(k), v }));
  const absent = Array.from({ length: 150 }, () => r.bytes32());
  const tamperings = (p: SmtProof, other: { key: Uint8Array; valueHash: Uint8Array }): SmtProof[] => {
    const out: SmtProof[] = [];
    p.siblings.forEach((_, i) => {
      const s = p.siblings.map((x) => x.slice());
      s[i]![r.int(32)] ^= 1 << r.int(8);
      out.push({ ...p, siblings: s });
      out.push({ ...p, siblings: p.siblings.filter((__, j) => j !== i) });
    });
    out.push({ ...p, siblings: [r.bytes32(), ...p.siblings] });
    out.push({ ...p, siblings: [new Uint8Array(32), ...p.siblings] });
    out.push({ ...p, siblings: [...p.siblings, r.bytes32()] });
    out.push({ ...p, leaf: other });
    out.push({ ...p, leaf: p.leaf === null ? other : null });
    if (p.leaf !== null) {
      const key = p.leaf.key.slice();
      key[r.int(32)] ^= 1 << r.int(8);
      out.push({ ...p, leaf: { key, valueHash: p.leaf.valueHash } });
      out.push({ ...p, leaf: { key: p.leaf.key, valueHash: r.bytes32() } });
    }
    out.push({ ...p, siblings: [...p.siblings.slice(0, -1), new Uint8Array(31)] });
    out.push({ ...p, siblings: Array.from({ length: 257 }, () => r.bytes32()) });
    return out;
  };
  for (const [idx, { key, v }] of present.entries()) {
    const p = proveSmt(store, root, key);
    const otherKey = present[(idx + 1 + r.int(present.length - 1)) % present.length]!;
    for (const t of tamperings(p, { key: otherKey.key, valueHash: otherKey.v })) assert.ok(!verifySmtProof(root, key, v, t), 'tampered membership proof');
    assert.ok(!verifySmtProof(root, key, v, { siblings: p.siblings, leaf: null }));
    const wrongKey = key.slice();
    wrongKey[0] ^= 0x80;
    assert.ok(!verifySmtProof(root, wrongKey, v, p), 'proof for another key');
  }
  for (const key of absent) {
    const p = proveSmt(store, root, key);
    const otherKey = present[r.int(present.length)]!;
    for (const t of tamperings(p, { key: otherKey.key, valueHash: otherKey.v })) assert.ok(!verifySmtProof(root, key, null, t), 'tampered non-membership proof');
  }
  // An "other leaf" that is in the tree but not on the queried key's path.
  const landing = absent.map((key) => ({ key, p: proveSmt(store, root, key) })).find((x) => x.p.leaf !== null)!;
  for (let i = 0; i < 50; i++) {
    const stranger = r.bytes32();
    const shared = (() => {
      for (let b = 0; b < 256; b++) if (bit(stranger, b) !== bit(landing.key, b)) return b;
      return 256;
    })();
    if (shared < landing.p.siblings.length) assert.ok(!verifySmtProof(root, stranger, null, landing.p), 'leaf off the path');
  }
  // Malformed arguments never throw.
  const good = proveSmt(store, root, present[0]!.key);
  assert.equal(verifySmtProof(root.subarray(1), present[0]!.key, present[0]!.v, good), false);
  assert.equal(verifySmtProof(root, present[0]!.key.subarray(1), present[0]!.v, good), false);
  assert.equal(verifySmtProof(root, present[0]!.key, present[0]!.v.subarray(1), good), false);
  assert.equal(verifySmtProof(root, present[0]!.key, present[0]!.v, null as unknown as SmtProof), false);
  assert.equal(verifySmtProof(root, present[0]!.key, present[0]!.v, { siblings: 'x', leaf: null } as unknown as SmtProof), false);
  assert.equal(verifySmtProof(root, present[0]!.key, present[0]!.v, { ...good, leaf: { key: 1 } } as unknown as SmtProof), false);
  assert.ok(verifySmtProof(root, present[0]!.key, present[0]!.v, good));
});

test('proofs against forged, non-canonical roots are rejected by the structural checks', () => {
  const r = rng(8);
  const leafKey = r.bytes32();
  leafKey[0] |= 0x80; // starts with bit 1
  const value = r.bytes32();
  const other = r.bytes32();
  // A leaf placed on the wrong side: its key starts with 1 but it hangs left of the root.
  const forged = smtInternalHash(smtLeafHash(leafKey, value), other);
  const stranger = r.bytes32();
  stranger[0] &= 0x7f; // starts with bit 0, so its path leads to the misplaced leaf
  assert.ok(!verifySmtProof(forged, stranger, null, { siblings: [other], leaf: { key: leafKey, valueHash: value } }));
  // A lone leaf beside an empty sibling (should have been lifted): non-canonical.
  const twoEmpty = smtInternalHash(SMT_EMPTY_ROOT, SMT_EMPTY_ROOT);
  const left = other.slice();
  left[0] &= 0x7f;
  const unlifted = smtInternalHash(smtLeafHash(left, value), SMT_EMPTY_ROOT);
  assert.ok(!verifySmtProof(unlifted, left, value, { siblings: [new Uint8Array(32)], leaf: { key: left, valueHash: value } }));
  assert.ok(!verifySmtProof(twoEmpty, left, null, { siblings: [new Uint8Array(32)], leaf: null }));
});

test('old roots still prove old values after later updates and deletes', () => {
  const r = rng(7);
  const store = new MemorySmtStore();
  const keys = Array.from({ length: 300 }, r.bytes32);
  const versions: Array<{ root: Uint8Array; model: Map<string, Uint8Array> }> = [];
  let root = SMT_EMPTY_ROOT;
  let model = new Map<string, Uint8Array>();
  for (let v = 0; v < 8; v++) {
    const batch = keys.filter(() => r.next() < 0.4).map((key) => ({ key, valueHash: r.next() < 0.3 ? null : r.bytes32() }));
    model = new Map(model);
    for (const u of batch) u.valueHash === null ? model.delete(toHex(u.key)) : model.set(toHex(u.key), u.valueHash);
    const res = updateSmt(store, root, batch);
    store.put(res.nodes);
    root = res.root;
    versions.push({ root, model });
  }
  for (const { root: old, model: m } of versions) {
    for (const key of keys.slice(0, 100)) {
      const want = m.get(toHex(key)) ?? null;
      const proof = proveSmt(store, old, key);
      assert.ok(verifySmtProof(old, key, want, proof));
      assert.equal(toHex(getSmtValueHash(store, old, key) ?? new Uint8Array(0)), want === null ? '' : toHex(want));
    }
  }
});

test('proof JSON round-trips and is strictly validated', () => {
  const { store, model, root } = proofFixture();
  const [k, v] = [...model][0]!;
  const key = fromHex(k);
  const proof = proveSmt(store, root, key);
  const json = JSON.parse(JSON.stringify(smtProofToJson(proof)));
  assert.equal(json.leaf.key, k);
  assert.match(json.siblings[0], /^[A-Za-z0-9+/]{43}=$/);
  assert.ok(verifySmtProof(root, key, v, smtProofFromJson(json)));
  assert.deepEqual(smtProofFromJson({ siblings: [], leaf: null }), { siblings: [], leaf: null });
  const bad: Array<[unknown, RegExp]> = [
    [null, /proof/],
    [[], /proof/],
    [{ leaf: null }, /siblings/],
    [{ siblings: [] }, /leaf/],
    [{ siblings: [], leaf: null, extra: 1 }, /extra/],
    [{ siblings: ['AA=='], leaf: null }, /siblings\[0\]/],
    [{ siblings: [json.siblings[0], 7], leaf: null }, /siblings\[1\]/],
    [{ siblings: [json.siblings[0].slice(0, 42) + 'B='], leaf: null }, /siblings\[0\]/],
    [{ siblings: Array(257).fill(json.siblings[0]), leaf: null }, /siblings/],
    [{ siblings: [], leaf: 'x' }, /leaf/],
    [{ siblings: [], leaf: { key: k } }, /leaf\.valueHash/],
    [{ siblings: [], leaf: { key: k.toUpperCase(), valueHash: k } }, /leaf\.key/],
    [{ siblings: [], leaf: { key: k.slice(2), valueHash: k } }, /leaf\.key/],
    [{ siblings: [], leaf: { key: k, valueHash: k, x: 1 } }, /leaf\.x/],
  ];
  for (const [input, field] of bad) assert.throws(() => smtProofFromJson(input), (e: unknown) => isGovchainError(e, 'proof.malformed') && field.test(e.message), JSON.stringify(input)?.slice(0, 80));
});

test('the worked example of docs/state-proofs.md', () => {
  const store = new MemorySmtStore();
  const records: Array<[string, { balance: number }]> = [['alice', { balance: 10 }], ['bob', { balance: 7 }], ['carol', { balance: 0 }], ['dave', { balance: 3 }]];
  const res = updateSmt(store, SMT_EMPTY_ROOT, records.map(([k, v]) => ({ key: stateMapKey('demo', k), valueHash: stateValueHash(v) })));
  store.put(res.nodes);
  assert.equal(toHex(res.root), 'bbb246ea0e22c28b583db34dba827e89874276a82873d154ab14b125fc6ca333');
  assert.equal(toHex(stateMapKey('demo', 'carol')), '59f5eeaf9e0cc0a8b0bb95a7fee3f433f53d3098359ec046a34e334616ae641a');
  assert.equal(toHex(stateValueHash({ balance: 0 })), '039a9a7d9e915b364d966acc294f5d2af04daec0cc4e65ddec574d209cd17b26');
  const carol = {
    siblings: ['SbIgf1FHk2qki/jOgjcqzSZByVVuz0k+/htxvR7Giq8=', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', '+qx+lFmdivUgbrE7gnW3PkY1FS8OVbjgF0o1jSH58zg=', 'efZ6930N6udg+lva4eqYxOTV5/TEcbwBHyQB8ZXnpkU='],
    leaf: { key: '59f5eeaf9e0cc0a8b0bb95a7fee3f433f53d3098359ec046a34e334616ae641a', valueHash: '039a9a7d9e915b364d966acc294f5d2af04daec0cc4e65ddec574d209cd17b26' },
  };
  const erin = {
    siblings: ['fxRm38jUiqlaNsKOlJqrDxcEfxaGNh98WoLbfDM5NGg=', 'efZ6930N6udg+lva4eqYxOTV5/TEcbwBHyQB8ZXnpkU='],
    leaf: { key: '210c89bf1f58a37d91641cee64fdd5ee90eb83e8109710f9349c831d54159860', valueHash: 'faea3aa4c5054c4b54e0ab046e7e697ca7312cc759f50695e894f956dce0ebdf' },
  };
  const zoe = { siblings: ['A+hjhlBombbpAFEDpnT7GzVESLEM3jZ4wjTyjgyPNBk=', '+qx+lFmdivUgbrE7gnW3PkY1FS8OVbjgF0o1jSH58zg=', 'efZ6930N6udg+lva4eqYxOTV5/TEcbwBHyQB8ZXnpkU='], leaf: null };
  assert.deepEqual(smtProofToJson(proveSmt(store, res.root, stateMapKey('demo', 'carol'))), carol);
  assert.deepEqual(smtProofToJson(proveSmt(store, res.root, stateMapKey('demo', 'erin'))), erin);
  assert.deepEqual(smtProofToJson(proveSmt(store, res.root, stateMapKey('demo', 'zoe'))), zoe);
  assert.ok(verifySmtProof(res.root, stateMapKey('demo', 'carol'), stateValueHash({ balance: 0 }), smtProofFromJson(carol)));
  assert.ok(verifySmtProof(res.root, stateMapKey('demo', 'erin'), null, smtProofFromJson(erin)));
  assert.ok(verifySmtProof(res.root, stateMapKey('demo', 'zoe'), null, smtProofFromJson(zoe)));
});

// ---- storage versions ---------------------------------------------------------------------

test('storage versions: nodes record where each child is stored; a version-keyed store serves updates and proofs; hashes are unchanged', () => {
  // A store that finds a node only under the exact (version, hash) it was written with.
  const strict = new Map<string, SmtNode>();
  const key = (v: number | undefined, h: Uint8Array) => `${v ?? '-'}:${toHex(h)}`;
  const reader = { getNode: (h: Uint8Array, v?: number) => strict.get(key(v, h)) };
  const plain = new MemorySmtStore();
  const r = rng(7);
  let root = SMT_EMPTY_ROOT;
  let rootVersion: number | undefined;
  let plainRoot = SMT_EMPTY_ROOT;
  const live = new Map<string, Uint8Array>();
  for (let version = 1; version <= 40; version++) {
    const updates: SmtUpdate[] = [];
    for (let i = 0; i < 25; i++) {
      const existing = [...live.keys()];
      if (existing.length > 0 && r.next() < 0.3) {
        const k = existing[Math.floor(r.next() * existing.length)]!;
        const del = r.next() < 0.5;
        updates.push({ key: fromHex(k), valueHash: del ? null : r.bytes32() });
      } else updates.push({ key: r.bytes32(), valueHash: r.bytes32() });
    }
    const res = updateSmt(reader, root, updates, { version, rootVersion });
    for (const n of res.nodes) strict.set(key(version, n.hash), n.node);
    const ref = updateSmt(plain, plainRoot, updates);
    plain.put(ref.nodes);
    assert.equal(toHex(res.root), toHex(ref.root), 'versions never change a hash');
    root = res.root;
    rootVersion = res.rootVersion;
    plainRoot = ref.root;
    for (const u of updates) {
      if (u.valueHash === null) live.delete(toHex(u.key));
      else live.set(toHex(u.key), u.valueHash);
    }
  }
  assert.ok(rootVersion !== undefined && rootVersion <= 40);
  for (const [k, v] of live) {
    const proof = proveSmt(reader, root, fromHex(k), rootVersion);
    assert.equal(verifySmtProof(root, fromHex(k), v, proof), true);
    assert.equal(toHex(getSmtValueHash(reader, root, fromHex(k), rootVersion)!), toHex(v));
  }
  const absent = r.bytes32();
  assert.equal(verifySmtProof(root, absent, null, proveSmt(reader, root, absent, rootVersion)), true);
  // Without the root's version the strict store cannot find the root.
  assert.throws(() => proveSmt(reader, root, absent), (e: unknown) => isGovchainError(e) && e.code === 'store.corrupt');
});

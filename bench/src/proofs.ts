/**
 * Proof sizes and verification times (issue 10): RFC 6962 inclusion and consistency proofs
 * of the transaction log, and state-map proofs (membership and non-membership), at 10^3,
 * 10^6 and 10^7 entries. The proof and verification code is the core's; the log and the map
 * are built in memory so that 10^7 entries fit the run's time budget (conditions say how).
 */
import {
  MemorySmtStore,
  consistencyProof,
  hashChildren,
  hashLeaf,
  inclusionProof,
  logRoot,
  proveSmt,
  randomBytes,
  smtProofToJson,
  toBase64,
  updateSmt,
  verifyConsistency,
  verifyInclusion,
  verifySmtProof,
  type LogNodeReader,
  type SmtUpdate,
} from '@govchain/core';
import type { Figure, Scenario } from './harness.js';

/** Verifications per timed loop; each figure is the mean of one loop, three loops per figure. */
export const VERIFY_REPS = 10_000;

/**
 * A log of `n` leaves held as flat buffers per level (complete subtrees only). Leaf i's data
 * is its index as 4 bytes (little-endian). A tree of any size m <= n reads the same buffers:
 * RFC 6962's tree of m leaves is built from complete subtrees of the first m leaves.
 */
function flatLog(n: number): { reader: LogNodeReader; leaf: (i: number) => Uint8Array } {
  const leaf = (i: number): Uint8Array => hashLeaf(new Uint8Array([i & 255, (i >> 8) & 255, (i >> 16) & 255, (i >>> 24) & 255]));
  const levels: Buffer[] = [];
  const first = Buffer.allocUnsafe(n * 32);
  for (let i = 0; i < n; i++) first.set(leaf(i), i * 32);
  levels.push(first);
  for (let count = n >> 1; count >= 1; count >>= 1) {
    const prev = levels.at(-1)!;
    const next = Buffer.allocUnsafe(count * 32);
    for (let i = 0; i < count; i++) next.set(hashChildren(prev.subarray(i * 64, i * 64 + 32), prev.subarray(i * 64 + 32, i * 64 + 64)), i * 32);
    levels.push(next);
  }
  return {
    leaf,
    reader: {
      getNode: (l, i) => {
        const b = levels[l];
        if (b === undefined || (i + 1) * 32 > b.length) return undefined;
        return new Uint8Array(b.buffer, b.byteOffset + i * 32, 32);
      },
    },
  };
}

/** Three timed loops of `reps` calls of `f`: microseconds per call in each. */
function timeIt(reps: number, f: () => void): number[] {
  const samples: number[] = [];
  for (let s = 0; s < 3; s++) {
    const t = performance.now();
    for (let i = 0; i < reps; i++) f();
    samples.push(((performance.now() - t) * 1000) / reps);
  }
  return samples;
}

function logFigures(sizes: number[], log: ReturnType<typeof flatLog>, built: string): Figure[] {
  const out: Figure[] = [];
  const max = Math.max(...sizes);
  const { reader, leaf } = log;
  for (const n of sizes) {
    const root = logRoot(reader, n);
    const idx = Math.floor(n / 3);
    const proof = inclusionProof(reader, idx, n);
    const lh = leaf(idx);
    const incl = timeIt(VERIFY_REPS, () => {
      if (!verifyInclusion(lh, idx, n, proof, root)) throw new Error('inclusion proof failed');
    });
    const m = Math.floor(n * 0.7);
    const rootM = logRoot(reader, m);
    const cons = consistencyProof(reader, m, n);
    const consT = timeIt(VERIFY_REPS, () => {
      if (!verifyConsistency(m, n, rootM, root, cons)) throw new Error('consistency proof failed');
    });
    const inclJson = JSON.stringify({ leafIndex: idx, treeSize: n, hashes: proof.map((h) => toBase64(h)) }).length;
    const label = n.toLocaleString('en');
    out.push({ id: `proof.inclusion.${n}.verify`, name: `inclusion proof verify, log of ${label}`, unit: 'µs', samples: incl, better: 'lower', digits: 1, conditions: `${proof.length} hashes (${proof.length * 32} B raw, ${inclJson} B as the API's JSON); one in-memory log of ${max.toLocaleString('en')} leaves built in ${built}, the tree of ${label} read from it` });
    out.push({ id: `proof.consistency.${n}.verify`, name: `consistency proof verify, ${m.toLocaleString('en')} -> ${label}`, unit: 'µs', samples: consT, better: 'lower', digits: 1, conditions: `${cons.length} hashes (${cons.length * 32} B raw)` });
  }
  return out;
}

/**
 * Keys i in [from, to) of `keys`/`values` (32 bytes each) as updates, in batches: plain slices
 * of `batch` keys, or (byPrefix) one batch per value of the keys' top 6 bits, so that each
 * batch rewrites only its own subtree and the versions in between leave (almost) no nodes.
 */
function* batches(keys: Uint8Array, values: Uint8Array, from: number, to: number, batch: number, byPrefix: boolean): Generator<SmtUpdate[]> {
  const update = (i: number): SmtUpdate => ({ key: keys.subarray(i * 32, i * 32 + 32), valueHash: values.subarray(i * 32, i * 32 + 32) });
  if (!byPrefix) {
    for (let i = from; i < to; i += batch) yield Array.from({ length: Math.min(batch, to - i) }, (_, j) => update(i + j));
    return;
  }
  const buckets: number[][] = Array.from({ length: 64 }, () => []);
  for (let i = from; i < to; i++) buckets[keys[i * 32]! >> 2]!.push(i);
  for (const b of buckets) yield b.map(update);
}

/** One map grown through `sizes` keys; the root of each version. */
function growMap(sizes: number[]) {
  const max = Math.max(...sizes);
  const keys = randomBytes(max * 32);
  const values = randomBytes(max * 32);
  const smt = new MemorySmtStore();
  let root: Uint8Array = new Uint8Array(32);
  let have = 0;
  const t0 = performance.now();
  const versions: Array<{ n: number; root: Uint8Array; how: string }> = [];
  for (const n of [...sizes].sort((a, b) => a - b)) {
    // Small versions in one batch; larger ones in 64 batches split by key prefix, so each
    // batch rewrites only its own subtree (same tree, no stale intermediate nodes).
    const byPrefix = n - have > 100_000;
    for (const updates of batches(keys, values, have, n, 100_000, byPrefix)) {
      const r = updateSmt(smt, root, updates);
      smt.put(r.nodes);
      root = r.root;
    }
    versions.push({ n, root, how: byPrefix ? `keys ${(have + 1).toLocaleString('en')}-${n.toLocaleString('en')} added in 64 batches split by their top 6 bits` : `keys up to ${n.toLocaleString('en')} added in one batch` });
    have = n;
  }
  return { smt, keys, values, versions, max, seconds: (performance.now() - t0) / 1000 };
}

function stateFigures(map: ReturnType<typeof growMap>, during: string): Figure[] {
  const out: Figure[] = [];
  const { smt, keys, values, versions, max, seconds } = map;
  const build = `one MemorySmtStore (the core's in-memory node store) grown to ${max.toLocaleString('en')} random keys in ${seconds.toFixed(0)} s${during} (${smt.size.toLocaleString('en')} nodes); every version stays provable and each row proves against the root of the version with that many keys`;
  for (const { n, root: r, how } of versions) {
    const i = Math.floor(n / 3);
    const k = keys.subarray(i * 32, i * 32 + 32);
    const v = values.subarray(i * 32, i * 32 + 32);
    const p = proveSmt(smt, r, k);
    const absent = randomBytes(32);
    const np = proveSmt(smt, r, absent);
    const mem = timeIt(VERIFY_REPS, () => {
      if (!verifySmtProof(r, k, v, p)) throw new Error('state proof failed');
    });
    const non = timeIt(VERIFY_REPS, () => {
      if (!verifySmtProof(r, absent, null, np)) throw new Error('non-membership proof failed');
    });
    const label = n.toLocaleString('en');
    out.push({ id: `proof.state.${n}.verify`, name: `state proof verify (membership), ${label} keys`, unit: 'µs', samples: mem, better: 'lower', digits: 1, conditions: `${p.siblings.length} siblings, ${JSON.stringify(smtProofToJson(p)).length} B as the API's JSON; keys inserted ${how}; ${build}` });
    out.push({ id: `proof.state.${n}.absent`, name: `state proof verify (non-membership), ${label} keys`, unit: 'µs', samples: non, better: 'lower', digits: 1, conditions: `${np.siblings.length} siblings, ${JSON.stringify(smtProofToJson(np)).length} B as JSON (${np.leaf === null ? 'empty slot' : "another key's leaf on the path"})` });
  }
  return out;
}

/** Proof sizes and verification times at several sizes. */
export const proofs: Scenario = {
  name: 'proofs',
  repeat: false,
  async run({ quick, prepareAhead }) {
    const sizes = quick ? [1_000, 10_000, 100_000] : [1_000, 1_000_000, 10_000_000];
    // The builds run on one thread: later scenarios pre-sign their transactions on worker
    // threads meanwhile. Nothing is timed until that is done.
    const ahead = prepareAhead?.();
    await new Promise((r) => setImmediate(r)); // let the sign workers start
    const t0 = performance.now();
    const log = flatLog(Math.max(...sizes));
    const built = `${((performance.now() - t0) / 1000).toFixed(1)} s`;
    const map = growMap(sizes);
    await ahead;
    const during = ahead === undefined ? '' : ' (while later scenarios pre-signed on worker threads)';
    return [...logFigures(sizes, log, built + during), ...stateFigures(map, during)];
  },
};

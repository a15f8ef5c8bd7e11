// docs/formats.md suffices: `govchain export` output and the witness cosignature vector
// are re-verified by an independent minimal verifier written here with node:crypto only
// (no govchain imports in the verifier): JCS, SHA-256, Ed25519, signed notes, RFC 6962
// roots, inclusion and consistency proofs, block hash chain. The committed vectors in
// docs/vectors/ are verified too (regenerate with GOVCHAIN_WRITE_VECTORS=1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify as verifySig } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cosignCheckpoint, formatCheckpoint, formatCosignerVerifierKey, formatSignedNote, formatVerifierKey, keyPairFromSeed, sha256 as govSha256, signCheckpoint, utf8 } from '@govchain/core';
import { anchorTx, demoChain, startNode, tempDir } from './support/chain.js';
import { govchain } from './support/processes.js';

const root = new URL('../..', import.meta.url).pathname;
const vectors = join(root, 'docs', 'vectors');
const writeVectors = process.env.GOVCHAIN_WRITE_VECTORS === '1';

// ---------------- the independent verifier (node:crypto only) ----------------

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const jcs = (v: Json): string =>
  v === null || typeof v !== 'object'
    ? JSON.stringify(v)
    : Array.isArray(v)
      ? `[${v.map(jcs).join(',')}]`
      : `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${jcs(v[k]!)}`).join(',')}}`;
const sha256 = (...parts: Array<Buffer | string>): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
const ed25519 = (pub: Buffer, msg: Buffer, sig: Buffer): boolean =>
  sig.length === 64 && verifySig(null, msg, createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), pub]), format: 'der', type: 'spki' }), sig);

/** Signed note: the text and its signature lines. */
function parseNote(note: string): { text: string; sigs: Array<{ name: string; raw: Buffer }> } {
  const i = note.lastIndexOf('\n\n');
  const text = note.slice(0, i + 1);
  const sigs = note.slice(i + 2).split('\n').filter((l) => l !== '').map((l) => {
    assert.ok(l.startsWith('\u2014 '));
    const [name, b64] = l.slice(2).split(' ') as [string, string];
    return { name, raw: Buffer.from(b64, 'base64') };
  });
  return { text, sigs };
}
/** vkey "<name>+<hash>+<base64(type || key)>" -> name, key id, type, key. */
function parseVkey(vkey: string): { name: string; id: Buffer; type: number; pub: Buffer } {
  const [name, hash, b64] = vkey.split('+', 2).concat(vkey.split('+').slice(2).join('+')) as [string, string, string];
  const raw = Buffer.from(b64, 'base64');
  const id = sha256(name, '\n', raw).subarray(0, 4);
  assert.equal(id.toString('hex'), hash, 'vkey hash');
  return { name, id, type: raw[0]!, pub: raw.subarray(1) };
}
/** Validators with a valid signature on the note (signature type 0x01). */
function noteSigners(note: string, vkeys: string[]): string[] {
  const { text, sigs } = parseNote(note);
  const keys = vkeys.map(parseVkey).filter((k) => k.type === 1);
  const ok = new Set<string>();
  for (const s of sigs) {
    const k = keys.find((k) => k.name === s.name && k.id.equals(s.raw.subarray(0, 4)));
    if (k === undefined) continue;
    assert.ok(ed25519(k.pub, Buffer.from(text, 'utf8'), s.raw.subarray(4)), `bad signature by ${s.name}`);
    ok.add(s.name);
  }
  return [...ok];
}
/** Witness cosignatures (cosignature/v1, type 0x04): name -> timestamp. */
function noteCosigners(note: string, wkeys: string[]): Map<string, number> {
  const { text, sigs } = parseNote(note);
  const keys = wkeys.map(parseVkey).filter((k) => k.type === 4);
  const out = new Map<string, number>();
  for (const s of sigs) {
    const k = keys.find((k) => k.name === s.name && k.id.equals(s.raw.subarray(0, 4)));
    if (k === undefined) continue;
    const t = Number(s.raw.readBigUInt64BE(4));
    assert.ok(ed25519(k.pub, Buffer.from(`cosignature/v1\ntime ${t}\n${text}`, 'utf8'), s.raw.subarray(12)), `bad cosignature by ${s.name}`);
    out.set(s.name, t);
  }
  return out;
}
function parseBody(text: string): { origin: string; size: number; root: Buffer; height: number; state: Buffer; time: string } {
  const [origin, size, root, height, state, time] = text.slice(0, -1).split('\n') as [string, string, string, string, string, string];
  return { origin, size: Number(size), root: Buffer.from(root, 'base64'), height: Number(height.slice(7)), state: Buffer.from(state.slice(6), 'base64'), time: time.slice(5) };
}
// RFC 6962 / RFC 9162.
const leafHash = (d: Buffer): Buffer => sha256(Buffer.of(0), d);
const nodeHash = (l: Buffer, r: Buffer): Buffer => sha256(Buffer.of(1), l, r);
function mth(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return sha256();
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}
function inclusionOk(leaf: Buffer, index: number, size: number, path: Buffer[], root: Buffer): boolean {
  if (index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) ((fn >>= 1), (sn >>= 1));
    } else r = nodeHash(r, p);
    fn >>= 1;
    sn >>= 1;
  }
  return sn === 0 && r.equals(root);
}
function consistencyOk(n1: number, n2: number, root1: Buffer, root2: Buffer, proof: Buffer[]): boolean {
  if (n1 === n2) return proof.length === 0 && root1.equals(root2);
  if (n1 === 0) return proof.length === 0;
  if (proof.length === 0 || n1 > n2) return false;
  const path = (n1 & (n1 - 1)) === 0 ? [root1, ...proof] : [...proof];
  let fn = n1 - 1;
  let sn = n2 - 1;
  while (fn % 2 === 1) ((fn >>= 1), (sn >>= 1));
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) ((fn >>= 1), (sn >>= 1));
    } else sr = nodeHash(sr, c);
    fn >>= 1;
    sn >>= 1;
  }
  return fr.equals(root1) && sr.equals(root2) && sn === 0;
}

/** Verify an export folder per docs/formats.md; returns counts. Throws on the first failure. */
function verifyExport(dir: string): { blocks: number; leaves: number; checkpoints: number } {
  const lines = (f: string): any[] => readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  assert.equal(m.format, 'govchain-export');
  assert.equal(m.version, 1);
  const blocks = lines('blocks.jsonl');
  const txs = lines('transactions.jsonl');
  const cps = lines('checkpoints.jsonl');
  // Blocks: hash chain, transaction commitments, log sizes.
  let prev = '0'.repeat(64);
  let logSize = 0;
  const leaves: Buffer[] = [];
  const byTxid = new Map(txs.map((t) => [t.txid, t]));
  blocks.forEach((b, i) => {
    assert.equal(b.height, i + 1);
    assert.equal(b.header.prev, prev, `block ${b.height}: prev`);
    assert.equal(b.header.chain, m.chainId);
    assert.equal(b.header.txsHash, sha256(jcs(b.txids)).toString('hex'), `block ${b.height}: txsHash`);
    for (const txid of b.txids) {
      const t = byTxid.get(txid);
      assert.ok(t !== undefined, `block ${b.height}: transaction ${txid} missing`);
      assert.equal(t.leafIndex, logSize++, 'leaves in block order');
      assert.equal(sha256(jcs(t.envelope.body)).toString('hex'), txid, `txid of ${txid}`);
      assert.equal(t.receipt.txid, txid);
      const leaf = Buffer.from(t.leaf, 'base64');
      assert.equal(leaf.toString('utf8'), jcs(t.receipt), `leaf ${t.leafIndex} is JCS(receipt)`);
      leaves.push(leafHash(leaf));
    }
    assert.equal(b.header.logSize, logSize, `block ${b.height}: logSize`);
    assert.equal(b.header.logRoot, mth(leaves).toString('hex'), `block ${b.height}: logRoot recomputed from the leaves`);
    prev = sha256(jcs(b.header)).toString('hex');
  });
  // Checkpoints: quorum of the validators; roots agree with the block headers.
  for (const c of cps) {
    assert.ok(noteSigners(c.note, m.validators.vkeys).length >= m.validators.quorum, `checkpoint ${c.size}: quorum`);
    const body = parseBody(parseNote(c.note).text);
    const b = blocks[body.height - 1];
    assert.equal(body.origin, m.chainId);
    assert.equal(body.size, c.size);
    assert.equal(body.root.toString('hex'), b.header.logRoot, `checkpoint ${c.size}: root`);
    assert.equal(body.state.toString('hex'), b.header.stateRoot, `checkpoint ${c.size}: state`);
    assert.equal(body.time, b.header.time);
  }
  const last = parseBody(parseNote(cps.at(-1).note).text);
  assert.equal(last.size, m.certifiedSize);
  for (const p of lines('inclusion-proofs.jsonl')) {
    const t = byTxid.get(p.txid);
    assert.ok(inclusionOk(leafHash(Buffer.from(t.leaf, 'base64')), p.leafIndex, p.treeSize, p.hashes.map((h: string) => Buffer.from(h, 'base64')), last.root), `inclusion of ${p.txid}`);
  }
  const rootAt = new Map(cps.map((c) => [c.size, parseBody(parseNote(c.note).text).root]));
  for (const p of lines('consistency-proofs.jsonl')) {
    assert.ok(consistencyOk(p.from, p.to, rootAt.get(p.from)!, rootAt.get(p.to)!, p.hashes.map((h: string) => Buffer.from(h, 'base64'))), `consistency ${p.from}->${p.to}`);
  }
  return { blocks: blocks.length, leaves: leaves.length, checkpoints: cps.length };
}

// ---------------- tests ----------------

test('govchain export writes formats an independent verifier checks; tampering is caught', async () => {
  const chain = demoChain();
  const out = tempDir('govchain-export-');
  try {
    const node = await startNode(chain.dir);
    for (let i = 0; i < 5; i++) {
      const { txid } = await node.submit(JSON.stringify(anchorTx(chain.citizen)));
      await node.waitForCommit(txid);
    }
    for (let i = 0; i < 100 && node.latestCheckpoint()!.checkpoint.size < node.head()!.logSize; i++) await new Promise((r) => setTimeout(r, 20));
    await node.stop();
    const dir = join(out.dir, 'export');
    const r = govchain(['export', '--data', chain.dir, '--out', dir, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const manifest = JSON.parse(r.stdout);
    const counts = verifyExport(dir);
    assert.equal(counts.leaves, manifest.logSize);
    assert.ok(counts.leaves > 5 && counts.checkpoints > 1, JSON.stringify(counts));
    // Exporting over a non-empty folder is refused.
    const again = govchain(['export', '--data', chain.dir, '--out', dir]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /not empty/);
    // A changed receipt no longer matches its leaf / the roots.
    const txFile = join(dir, 'transactions.jsonl');
    const original = readFileSync(txFile, 'utf8');
    writeFileSync(txFile, original.replace('"status":"ok"', '"status":"failed"'));
    assert.throws(() => verifyExport(dir), /is JCS\(receipt\)/);
    writeFileSync(txFile, original);
    if (writeVectors) {
      rmSync(join(vectors, 'export-v1'), { recursive: true, force: true });
      cpSync(dir, join(vectors, 'export-v1'), { recursive: true });
    }
  } finally {
    chain.cleanup();
    out.cleanup();
  }
});

test('the committed export vector (docs/vectors/export-v1) verifies', () => {
  const dir = join(vectors, 'export-v1');
  assert.ok(existsSync(dir), 'docs/vectors/export-v1 is missing: run the tests with GOVCHAIN_WRITE_VECTORS=1');
  const counts = verifyExport(dir);
  assert.ok(counts.leaves > 0);
});

test('the witness cosignature vector (docs/vectors/cosignature-v1.json) is reproduced and verifies independently', () => {
  // Fixed test keys: seed = SHA-256("govchain vector <role>"). Never use them.
  const seed = (role: string): Uint8Array => govSha256(utf8(`govchain vector ${role}`));
  const cp = { origin: 'govchain-vectors', size: 7, rootHash: govSha256(utf8('vector log root')), height: 3, stateRoot: govSha256(utf8('vector state root')), time: '2026-01-01T00:00:00Z' };
  const body = formatCheckpoint(cp);
  const validator = keyPairFromSeed(seed('validator'));
  const witness = keyPairFromSeed(seed('witness'));
  const vector = {
    description: 'A checkpoint signed by one validator and cosigned (C2SP tlog-cosignature/v1) by one witness at time 1767225600',
    validators: { quorum: 1, vkeys: [formatVerifierKey('vector-validator', validator.publicKey)] },
    witnesses: [formatCosignerVerifierKey('vector-witness', witness.publicKey)],
    timestamp: 1767225600,
    note: formatSignedNote(body, [signCheckpoint(cp, 'vector-validator', validator.seed), cosignCheckpoint(body, 'vector-witness', witness.seed, 1767225600)]),
  };
  const file = join(vectors, 'cosignature-v1.json');
  if (writeVectors) {
    mkdirSync(vectors, { recursive: true });
    writeFileSync(file, JSON.stringify(vector, null, 2) + '\n');
  }
  const committed = JSON.parse(readFileSync(file, 'utf8'));
  assert.deepEqual(committed, vector, 'Ed25519 is deterministic: the committed vector must be reproduced exactly');
  assert.deepEqual(noteSigners(committed.note, committed.validators.vkeys), ['vector-validator']);
  assert.deepEqual([...noteCosigners(committed.note, committed.witnesses)], [['vector-witness', 1767225600]]);
  // One changed byte of the timestamp breaks the cosignature.
  const line = (committed.note as string).split('\n').find((l) => l.startsWith('\u2014 vector-witness '))!;
  const raw = Buffer.from(line.split(' ')[2]!, 'base64');
  raw[11] ^= 1;
  assert.throws(() => noteCosigners((committed.note as string).replace(line, `\u2014 vector-witness ${raw.toString('base64')}`), committed.witnesses), /bad cosignature/);
});

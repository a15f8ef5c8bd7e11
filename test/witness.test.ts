// External witnesses (C2SP tlog-witness / tlog-cosignature): a node submits each
// certified checkpoint with its consistency proof to witnesses over HTTP and serves their
// cosignatures; checkpoints verify as "validator quorum plus N witnesses"; a witness
// keeps its state across restarts, answers 409 on a stale old size, refuses and records
// an inconsistent checkpoint; a log showing two witnesses two different checkpoints of
// one size is caught by `govchain witness compare`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  cosignCheckpoint,
  formatCheckpoint,
  formatCosignerVerifierKey,
  formatSignedNote,
  formatVerifierKey,
  generateKeyPair,
  hashLeaf,
  naiveConsistencyProof,
  parseCosignerVerifierKey,
  rootFromLeafHashes,
  sha256,
  signCheckpoint,
  toBase64,
  utf8,
  verifyCheckpointNote,
  verifyCosignatures,
  type Checkpoint,
} from '@govchain/core';
import { createApiServer, createWitnessServer } from '@govchain/api';
import { detectSplitView, Witness, WitnessClient, type GovchainNode } from '@govchain/node';
import type { FastifyInstance } from 'fastify';
import { anchorTx, demoChain, startNode, tempDir } from './support/chain.js';
import { CLI } from './support/processes.js';

/** Run the CLI without blocking the event loop (in-process servers must keep answering). */
function govchainAsync(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
    });
  });
}

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
}

describe('cosignature/v1 (tlog-cosignature)', () => {
  const body = 'example.com/log\n5\n' + toBase64(sha256(utf8('root'))) + '\n';
  const w = generateKeyPair();
  const vkey = formatCosignerVerifierKey('witness.example/w1', w.publicKey);

  test('a cosignature line carries key id, big-endian timestamp and an Ed25519 signature over the v1 message', () => {
    const sig = cosignCheckpoint(body, 'witness.example/w1', w.seed, 1679315147);
    assert.equal(sig.signature.length, 72);
    assert.equal(Buffer.from(sig.signature.subarray(0, 8)).readBigUInt64BE(), 1679315147n);
    // The key id uses algorithm byte 0x04, as the verifier key does.
    assert.deepEqual(parseCosignerVerifierKey(vkey).keyHash, sig.keyHash);
    assert.match(vkey, /^witness\.example\/w1\+[0-9a-f]{8}\+B/); // base64 of 0x04 || key
    const note = formatSignedNote(body, [sig]);
    assert.deepEqual(verifyCosignatures(note, [vkey]), [{ name: 'witness.example/w1', timestamp: 1679315147 }]);
    // Another time in the line breaks the signature.
    const forged = formatSignedNote(body, [{ ...sig, signature: Uint8Array.from([...sig.signature.subarray(0, 7), 0x00, ...sig.signature.subarray(8)]) }]);
    assert.throws(() => verifyCosignatures(forged, [vkey]), { code: 'checkpoint.bad_signature' });
  });

  test('verifyCheckpointNote requires the validator quorum plus N witnesses when asked', () => {
    const v = generateKeyPair();
    const cp: Checkpoint = { origin: 'net-a', size: 3, rootHash: sha256(utf8('r')), height: 2, stateRoot: sha256(utf8('s')), time: '2026-01-01T00:00:00Z' };
    const text = formatCheckpoint(cp);
    const vkeys = [formatVerifierKey('v1', v.publicKey)];
    const plain = formatSignedNote(text, [signCheckpoint(cp, 'v1', v.seed)]);
    const cosigned = formatSignedNote(text, [signCheckpoint(cp, 'v1', v.seed), cosignCheckpoint(text, 'w1', w.seed, 1_700_000_000)]);
    const w1 = formatCosignerVerifierKey('w1', w.publicKey);
    const w2 = formatCosignerVerifierKey('w2', generateKeyPair().publicKey);
    // Existing callers: unchanged (cosignature lines are unknown keys to validators).
    assert.equal(verifyCheckpointNote(cosigned, vkeys, 1).checkpoint.size, 3);
    assert.deepEqual(verifyCheckpointNote(cosigned, vkeys, 1, { witnesses: [w1, w2], witnessQuorum: 1 }).cosigners, [{ name: 'w1', timestamp: 1_700_000_000 }]);
    assert.throws(() => verifyCheckpointNote(cosigned, vkeys, 1, { witnesses: [w1, w2], witnessQuorum: 2 }), { code: 'checkpoint.no_witness_quorum' });
    assert.throws(() => verifyCheckpointNote(plain, vkeys, 1, { witnesses: [w1], witnessQuorum: 1 }), { code: 'checkpoint.no_witness_quorum' });
  });
});

describe('a node with two witnesses', () => {
  let chain: ReturnType<typeof demoChain>;
  let node: GovchainNode;
  let api: FastifyInstance;
  const dirs: Array<{ dir: string; cleanup: () => void }> = [];
  const servers: FastifyInstance[] = [];
  const witnesses: Witness[] = [];
  let client: WitnessClient;

  before(async () => {
    chain = demoChain();
    node = await startNode(chain.dir);
    api = await createApiServer({ node });
    const trust = { vkeys: node.vkeys, quorum: node.quorum };
    const config = [];
    for (const name of ['court.example/w1', 'auditor.example/w2']) {
      const t = tempDir('govchain-witness-');
      dirs.push(t);
      const w = Witness.open(t.dir, { origin: node.chainId, trust, name });
      witnesses.push(w);
      const app = await createWitnessServer(w);
      servers.push(app);
      config.push({ name, vkey: w.vkey, url: await listen(app) });
    }
    client = new WitnessClient(node, config);
  });
  after(async () => {
    await client.stop();
    for (const s of servers) await s.close();
    await api.close();
    await node.stop();
    chain.cleanup();
    for (const d of dirs) d.cleanup();
  });

  test('each certified checkpoint gets both cosignatures, served by GET /v1/checkpoint', async () => {
    const first = await client.submitLatest();
    assert.deepEqual(first.map((r) => r.ok), [true, true], JSON.stringify(first));
    // More blocks: the witnesses now need consistency proofs from their last size.
    for (let i = 0; i < 3; i++) {
      const { txid } = await node.submit(JSON.stringify(anchorTx(chain.citizen)));
      const r = await node.waitForCommit(txid);
      assert.equal(r.status, 'ok');
    }
    const second = await client.submitLatest();
    assert.deepEqual(second.map((r) => r.ok), [true, true], JSON.stringify(second));
    assert.ok(second[0]!.size > first[0]!.size);
    const res = await api.inject({ method: 'GET', url: '/v1/checkpoint' });
    assert.equal(res.statusCode, 200);
    const wkeys = witnesses.map((w) => w.vkey);
    const v = verifyCheckpointNote(res.body, node.vkeys, node.quorum, { witnesses: wkeys, witnessQuorum: 2 });
    assert.equal(v.checkpoint.size, second[0]!.size);
    assert.deepEqual(v.cosigners!.map((c) => c.name).sort(), ['auditor.example/w2', 'court.example/w1']);
    assert.equal(witnesses[0]!.latestNote()!.split('\n')[1], String(v.checkpoint.size));
  });

  test('the witness keeps its state across a restart and answers 409 with its size to a stale client', async () => {
    const before = witnesses[0]!.latestNote()!;
    const size = Number(before.split('\n')[1]);
    const reopened = Witness.open(dirs[0]!.dir, { origin: node.chainId, trust: { vkeys: node.vkeys, quorum: node.quorum } });
    assert.equal(reopened.latestNote(), before);
    assert.equal(reopened.vkey, witnesses[0]!.vkey);
    const note = node.latestCheckpoint()!.note;
    const r = reopened.addCheckpoint(`old 0\n\n${note}`);
    assert.equal(r.status, 409);
    assert.equal(r.contentType, 'text/x.tlog.size');
    assert.equal(r.body, `${size}\n`);
    // Unknown origin: 404; not signed by the validators: 403; old > size: 400.
    assert.equal(reopened.addCheckpoint(`old 0\n\n${note.replace(node.chainId, 'other-chain')}`).status, 404);
    const stranger = generateKeyPair();
    const cp = node.latestCheckpoint()!.checkpoint;
    assert.equal(reopened.addCheckpoint(`old ${size}\n\n${formatSignedNote(formatCheckpoint(cp), [signCheckpoint(cp, 'mallory', stranger.seed)])}`).status, 403);
    assert.equal(reopened.addCheckpoint(`old ${size + 100}\n\n${note}`).status, 400);
  });
});

describe('split view', () => {
  // A misbehaving log: its validator signs two different histories that share a prefix.
  const validator = generateKeyPair();
  const trust = { vkeys: [formatVerifierKey('log-validator', validator.publicKey)], quorum: 1 };
  const origin = 'split-chain';
  const leaves = (tag: string, n: number): Uint8Array[] => Array.from({ length: n }, (_, i) => hashLeaf(utf8(i < 2 ? `common ${i}` : `${tag} ${i}`)));
  const note = (leafHashes: Uint8Array[], height: number): string => {
    const cp: Checkpoint = { origin, size: leafHashes.length, rootHash: rootFromLeafHashes(leafHashes), height, stateRoot: sha256(utf8(`state ${height}`)), time: '2026-02-01T00:00:00Z' };
    return formatSignedNote(formatCheckpoint(cp), [signCheckpoint(cp, 'log-validator', validator.seed)]);
  };
  const request = (old: number, proof: Uint8Array[], n: string): string => `old ${old}\n${proof.map((h) => toBase64(h) + '\n').join('')}\n${n}`;
  const dirs: Array<{ dir: string; cleanup: () => void }> = [];
  const servers: FastifyInstance[] = [];
  after(async () => {
    for (const s of servers) await s.close();
    for (const d of dirs) d.cleanup();
  });

  test('two witnesses shown two different checkpoints of one size: compare detects it; a witness refuses the other branch and keeps evidence', async () => {
    const [w1, w2] = ['w1', 'w2'].map((name) => {
      const t = tempDir('govchain-witness-');
      dirs.push(t);
      return Witness.open(t.dir, { origin, trust, name });
    }) as [Witness, Witness];
    const common = leaves('x', 2);
    const honest = leaves('honest', 4);
    const forked = leaves('forked', 4);
    for (const w of [w1, w2]) assert.equal(w.addCheckpoint(request(0, [], note(common, 2))).status, 200);
    // The log shows each witness its own branch; each alone sees a consistent extension.
    assert.equal(w1.addCheckpoint(request(2, naiveConsistencyProof(honest, 2), note(honest, 3))).status, 200);
    assert.equal(w2.addCheckpoint(request(2, naiveConsistencyProof(forked, 2), note(forked, 3))).status, 200);
    // Comparing what they cosigned exposes the split view, with both signed notes as evidence.
    const found = detectSplitView(w1.latestNote()!, w2.latestNote()!, trust);
    assert.equal(found.splitView, true);
    assert.deepEqual(found.sizes, [4, 4]);
    // Honest comparison: the same checkpoint is no split view.
    assert.equal(detectSplitView(w1.latestNote()!, w1.latestNote()!, trust).splitView, false);
    // Different sizes: decided by a consistency proof from the log (here, of each branch).
    const honest6 = leaves('honest', 6);
    const later = note(honest6, 4);
    assert.equal(detectSplitView(w1.latestNote()!, later, trust, naiveConsistencyProof(honest6, 4)).splitView, false);
    assert.equal(detectSplitView(w2.latestNote()!, later, trust, naiveConsistencyProof(honest6, 4)).splitView, true);
    assert.equal(detectSplitView(w2.latestNote()!, later, trust).splitView, false); // undecided without a proof
    // Gossip: w1 is shown the other branch; it refuses (409) and records it as evidence.
    const other = request(4, [], note(forked, 3));
    const r = w1.addCheckpoint(other);
    assert.equal(r.status, 409);
    assert.equal(w1.evidence, 1);
    assert.ok(w1.evidenceRecords()[0]!.includes(other));
    // A larger forked tree with a proof from the honest size fails consistency: 422, evidence.
    const forked6 = leaves('forked', 6);
    assert.equal(w1.addCheckpoint(request(4, naiveConsistencyProof(forked6, 4), note(forked6, 4))).status, 422);
    assert.equal(w1.evidence, 2);
    // And the witness still stands by the honest branch.
    assert.equal(w1.latestNote()!.split('\n')[1], '4');
    assert.equal(verifyCheckpointNote(w1.latestNote()!, trust.vkeys, 1, { witnesses: [w1.vkey], witnessQuorum: 1 }).checkpoint.height, 3);

    // The same through HTTP and the CLI: `govchain witness compare` exits 1 naming the split.
    const urls: string[] = [];
    for (const w of [w1, w2]) {
      const app = await createWitnessServer(w);
      servers.push(app);
      urls.push(await listen(app));
    }
    const vkeysFile = join(dirs[0]!.dir, 'validators.json');
    writeFileSync(vkeysFile, JSON.stringify({ quorum: 1, vkeys: trust.vkeys }));
    const cli = await govchainAsync(['witness', 'compare', ...urls, '--vkeys', vkeysFile, '--json']);
    assert.equal(cli.code, 1, cli.stderr);
    assert.match(cli.stderr, /split view/);
    const out = JSON.parse(cli.stdout) as { splitView: boolean; findings: Array<{ evidence?: string[] }> };
    assert.equal(out.splitView, true);
    assert.equal(out.findings[0]!.evidence!.length, 2);
    const same = await govchainAsync(['witness', 'compare', urls[0]!, urls[0]!, '--vkeys', vkeysFile, '--json']);
    assert.equal(same.code, 0, same.stderr);
    // The HTTP face answers tlog-witness status codes too.
    const res = await fetch(`${urls[1]}/add-checkpoint`, { method: 'POST', body: request(0, [], note(common, 2)) });
    assert.equal(res.status, 409);
    assert.equal(res.headers.get('content-type'), 'text/x.tlog.size');
    assert.equal(await res.text(), '4\n');
  });
});

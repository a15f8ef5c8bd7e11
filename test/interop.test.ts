// Cross-network verification and anchoring with two local single-node networks in one
// process (two data folders, two nodes, two HTTP APIs):
//  - network B's governance registers network A's validator set; an agency of B then
//    accepts, inside a transaction, a proof of a land title anchored on A (inclusion
//    proof) and of A's notary record (state proof), each checked against A's checkpoint;
//    forged, unregistered and repeated proofs fail with their codes;
//  - network A anchors its latest certified checkpoint in a file and on network B; a proof
//    bundle of A carries the anchor, which verifies offline (B's notary proof inside it).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import {
  formatCheckpoint,
  formatSignedNote,
  generateKeyPair,
  randomBytes,
  sha256,
  signCheckpoint,
  signTxSync,
  smtProofToJson,
  toBase64,
  toHex,
  utf8,
  type JsonValue,
  type Receipt,
} from '@govchain/core';
import { createApiServer } from '@govchain/api';
import { Anchorer, createFileAnchorTarget, createHttpAnchorTarget, initDataDir, readDemoIdentities, readKeyFile, type GovchainNode, type LoadedKey } from '@govchain/node';
import { createClient, createGovchainAnchorTarget, fetchBundleAnchor, fetchProofBundle, verifyProofBundle } from '@govchain/sdk';
import type { FastifyInstance } from 'fastify';
import { anchorTx, startNode, tempDir } from './support/chain.js';

interface Net {
  dir: string;
  cleanup: () => void;
  node: GovchainNode;
  app: FastifyInstance;
  url: string;
  who: (name: string) => LoadedKey;
}

async function network(chainId: string): Promise<Net> {
  const t = tempDir(`govchain-${chainId}-`);
  initDataDir({ dir: t.dir, demo: true, chainId });
  const node = await startNode(t.dir);
  const app = await createApiServer({ node });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const ids = readDemoIdentities(t.dir);
  return {
    ...t,
    node,
    app,
    url: `http://127.0.0.1:${(app.server.address() as { port: number }).port}`,
    who: (name) => readKeyFile(ids.find((i) => i.name === name)!.keyFile),
  };
}

async function submit(net: Net, key: LoadedKey, type: string, payload: Record<string, JsonValue>): Promise<Receipt & { txid: string }> {
  const env = signTxSync({ chain: net.node.chainId, type, signer: key.did, nonce: toHex(randomBytes(8)), payload }, [key]);
  const { txid } = await net.node.submit(JSON.stringify(env));
  return { ...(await net.node.waitForCommit(txid)), txid };
}

/** Wait until the certified checkpoint covers `leafIndex`. */
async function certified(net: Net, leafIndex: number): Promise<void> {
  for (let i = 0; i < 200 && (net.node.latestCheckpoint()?.checkpoint.size ?? 0) <= leafIndex; i++) await new Promise((r) => setTimeout(r, 20));
}

/** Governance of `net` adopts `action`: agencies approve until it executes. */
async function govern(net: Net, action: Record<string, JsonValue>): Promise<void> {
  const agencies = ['agency-identity', 'agency-land', 'agency-tax', 'agency-procurement', 'agency-health', 'agency-treasury', 'agency-audit'];
  const deadline = new Date(Date.now() + 3_600_000).toISOString();
  const p = await submit(net, net.who(agencies[0]!), 'governance.propose', { action, deadline });
  assert.equal(p.status, 'ok', p.code);
  for (const a of agencies.slice(1)) {
    if ((net.node.stateValue('governance', `proposal/${p.txid}`) as { status: string }).status === 'executed') return;
    const r = await submit(net, net.who(a), 'governance.approve', { proposal: p.txid });
    assert.equal(r.status, 'ok', r.code);
  }
  assert.equal((net.node.stateValue('governance', `proposal/${p.txid}`) as { status: string }).status, 'executed');
}

let a: Net;
let b: Net;
before(async () => {
  a = await network('province-a');
  b = await network('province-b');
});
after(async () => {
  for (const n of [a, b]) {
    await n.app.close();
    await n.node.stop();
    n.cleanup();
  }
});

describe('cross-network verification', () => {
  test('B accepts a land title anchored on A (inclusion proof) and A\'s notary record (state proof) once A\'s validators are registered by governance', async () => {
    // On A: the land office anchors a title deed's digest.
    const digest = toHex(sha256(utf8('land title 42, parcel 7, district 3')));
    const anchored = await submit(a, a.who('officer-land-minh'), 'notary.anchor', { digest, label: 'land title' });
    assert.equal(anchored.status, 'ok', anchored.code);
    const leafIndex = a.node.getTx(anchored.txid)!.leafIndex;
    await certified(a, leafIndex);
    const inc = a.node.proveInclusion(anchored.txid);
    const cpA = a.node.checkpointAt(inc.treeSize)!.note;
    const inclusionPayload = {
      network: 'province-a',
      checkpoint: cpA,
      proof: { type: 'inclusion', leafIndex: inc.leafIndex, leaf: toBase64(inc.leaf), hashes: inc.hashes.map(toBase64) },
      purpose: 'transfer of a land title between provinces',
    };
    const registrarB = b.who('officer-land-minh');

    // Before B trusts A: refused.
    const early = await submit(b, registrarB, 'interop.accept', inclusionPayload);
    assert.equal(early.status, 'failed');
    assert.equal(early.code, 'interop.unknown_network');

    // B's governance registers A's validator set (a light client of A on B's ledger).
    await govern(b, { type: 'set_trusted_network', chainId: 'province-a', vkeys: a.node.vkeys, quorum: a.node.quorum, name: 'Province A' });

    const ok = await submit(b, registrarB, 'interop.accept', inclusionPayload);
    assert.equal(ok.status, 'ok', ok.code);
    const id = (ok.events!.find((e) => e.type === 'interop.accepted')!.data as { id: string }).id;
    const record = b.node.stateValue('interop', `record/${id}`) as { kind: string; receipt: { txid: string; status: string }; checkpoint: { size: number }; acceptedBy: string };
    assert.equal(record.kind, 'inclusion');
    assert.equal(record.receipt.txid, anchored.txid);
    assert.equal(record.receipt.status, 'ok');
    assert.equal(record.checkpoint.size, inc.treeSize);
    assert.equal(record.acceptedBy, registrarB.did);
    // Once only.
    const again = await submit(b, registrarB, 'interop.accept', inclusionPayload);
    assert.equal(again.code, 'interop.already_accepted');

    // A state proof: A's notary record of the digest, as A's API serves it.
    const st = await (await fetch(`${a.url}/v1/state/notary/${digest}?proof=1`)).json() as { value: JsonValue; proof: JsonValue; checkpoint: string };
    const stateOk = await submit(b, b.who('officer-tax-hoa'), 'interop.accept', { network: 'province-a', checkpoint: st.checkpoint, proof: { type: 'state', module: 'notary', key: digest, value: st.value, proof: st.proof } });
    assert.equal(stateOk.status, 'ok', stateOk.code);
    // A different value under the same proof does not verify.
    const lie = await submit(b, b.who('officer-tax-hoa'), 'interop.accept', { network: 'province-a', checkpoint: st.checkpoint, proof: { type: 'state', module: 'notary', key: digest, value: { ...(st.value as object), label: 'forged' }, proof: st.proof } });
    assert.equal(lie.code, 'interop.bad_proof');
    // Absence is provable too, and a present value cannot be passed off as absent.
    const absent = toHex(sha256(utf8('never anchored')));
    const ap = a.node.proveState('notary', absent);
    const absentOk = await submit(b, b.who('officer-tax-hoa'), 'interop.accept', { network: 'province-a', checkpoint: ap.checkpoint.note, proof: { type: 'state', module: 'notary', key: absent, value: null, proof: smtProofToJson(ap.proof) as unknown as JsonValue } });
    assert.equal(absentOk.status, 'ok', absentOk.code);
    const hidden = await submit(b, b.who('officer-tax-hoa'), 'interop.accept', { network: 'province-a', checkpoint: st.checkpoint, proof: { type: 'state', module: 'notary', key: digest, value: null, proof: st.proof } });
    assert.equal(hidden.code, 'interop.bad_proof');

    // Forgeries: another leaf under the same path; a checkpoint signed by a key A does not have.
    const otherLeaf = { ...inclusionPayload, proof: { ...inclusionPayload.proof, leaf: toBase64(utf8('{"forged":true}')) } };
    assert.equal((await submit(b, registrarB, 'interop.accept', otherLeaf)).code, 'interop.bad_proof');
    const cp = a.node.checkpointAt(inc.treeSize)!.checkpoint;
    const mallory = generateKeyPair();
    const fake = formatSignedNote(formatCheckpoint(cp), [signCheckpoint(cp, a.node.validatorSet().validators[0]!.name, mallory.seed)]);
    assert.equal((await submit(b, registrarB, 'interop.accept', { ...inclusionPayload, checkpoint: fake })).code, 'interop.bad_proof');
    // Citizens cannot record acceptances.
    const citizen = readKeyFile(readDemoIdentities(b.dir).find((i) => i.role === 'citizen')!.keyFile);
    assert.equal((await submit(b, citizen, 'interop.accept', inclusionPayload)).code, 'auth.not_officer');
  });
});

describe('anchoring', () => {
  test('A anchors its latest checkpoint in a file and on B; A\'s proof bundle carries the anchor, verified offline', async () => {
    const out = tempDir('govchain-anchor-');
    try {
      const citizenA = readKeyFile(readDemoIdentities(a.dir).find((i) => i.role === 'citizen')!.keyFile);
      const tx = anchorTx(citizenA, 'province-a');
      const { txid } = await a.node.submit(JSON.stringify(tx));
      await a.node.waitForCommit(txid);
      await certified(a, a.node.getTx(txid)!.leafIndex);
      const bundle = await fetchProofBundle(createClient({ url: a.url }), txid);
      const bundleSize = bundle.inclusion.treeSize;
      // More blocks, so the anchored checkpoint is later than the bundle's.
      await submit(a, citizenA, 'notary.anchor', { digest: toHex(randomBytes(32)) });
      const file = join(out.dir, 'anchors.jsonl');
      const anchorKey = b.who('agency-audit');
      // An HTTP endpoint that keeps what it is sent.
      const posted: string[] = [];
      const endpoint = createServer((req, res) => {
        let body = '';
        req.on('data', (d) => (body += d));
        req.on('end', () => {
          posted.push(body);
          res.writeHead(req.headers['content-type'] === 'application/json' ? 201 : 415).end();
        });
      });
      await new Promise<void>((r) => endpoint.listen(0, '127.0.0.1', r));
      const endpointUrl = `http://127.0.0.1:${(endpoint.address() as { port: number }).port}/anchors`;
      const anchorer = new Anchorer(a.node, [createFileAnchorTarget(file), createHttpAnchorTarget(endpointUrl), createGovchainAnchorTarget({ client: createClient({ url: b.url }), key: anchorKey })]);
      const result = await anchorer.anchorLatest();
      endpoint.close();
      assert.ok(result !== undefined && result.receipts.length === 3, JSON.stringify(result));
      assert.deepEqual(JSON.parse(posted[0]!), result.record);
      assert.deepEqual(result.receipts[1], { type: 'http', location: endpointUrl, status: 201 });
      // Once per checkpoint: nothing new to anchor until the next certified checkpoint.
      assert.deepEqual(await anchorer.anchorLatest(), result);
      assert.equal(posted.length, 1);
      assert.ok(result.record.size > bundleSize);
      const line = JSON.parse(readFileSync(file, 'utf8').trim().split('\n').pop()!) as { digest: string; checkpoint: string; format: string };
      assert.equal(line.format, 'govchain-anchor');
      assert.equal(line.digest, toHex(sha256(utf8(line.checkpoint))));
      // On B, the digest is a notary anchor.
      assert.equal((b.node.stateValue('notary', result.record.digest) as { digest: string }).digest, result.record.digest);

      // The bundle's anchor section: the anchored checkpoint, consistency from the bundle's size, receipts.
      const anchor = await fetchBundleAnchor(a.url, createClient({ url: a.url }), bundleSize);
      assert.ok(anchor !== undefined);
      const withAnchor = { ...bundle, anchor };
      const v = verifyProofBundle(withAnchor, { trustedVkeys: a.node.vkeys, anchorTrust: { 'province-b': b.node.vkeys } });
      assert.equal(v.anchor!.size, result.record.size);
      assert.deepEqual(v.anchor!.proven.map((p) => p.chainId), ['province-b']);
      assert.deepEqual(v.anchor!.pointers, [{ type: 'file', location: file }, { type: 'http', location: endpointUrl }]);
      // The old verifier result is unchanged for bundles without an anchor.
      assert.equal(verifyProofBundle(bundle).anchor, undefined);
      // Tampering: a consistency proof that does not fit, or B's bundle of another digest.
      assert.throws(() => verifyProofBundle({ ...bundle, anchor: { ...anchor, consistency: anchor.consistency.slice(1) } }), /anchor: the anchored checkpoint/);
      const otherOnB = await submit(b, anchorKey, 'notary.anchor', { digest: toHex(randomBytes(32)) });
      await certified(b, b.node.getTx(otherOnB.txid)!.leafIndex);
      const wrongBundle = await fetchProofBundle(createClient({ url: b.url }), otherOnB.txid);
      const receipts = anchor.receipts.map((r) => (r.type === 'govchain' ? { ...r, bundle: wrongBundle as unknown as JsonValue } : r));
      assert.throws(() => verifyProofBundle({ ...bundle, anchor: { ...anchor, receipts } }), /file does not match the anchored digest/);
      // B's keys must be B's when the caller pins them.
      assert.throws(() => verifyProofBundle(withAnchor, { anchorTrust: { 'province-b': a.node.vkeys } }), /anchor: the anchor on province-b/);
      await anchorer.stop();
    } finally {
      out.cleanup();
    }
  });
});

// Regression tests for what the fuzz suite (test/fuzz/) found. Each names the input that
// once crashed or escaped the error contract, and checks the fixed behaviour.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { isGovchainError, smtProofFromJson, signTxSync, toHex, randomBytes } from '@govchain/core';
import { verifyProofBundle } from '@govchain/sdk';
import { createKey, type GovchainNode } from '@govchain/node';
import type { FastifyInstance } from 'fastify';
import { anchorTx, closeApiNode, openApiNode, type ApiNode } from './support/chain.js';

let chain: ApiNode['chain'];
let node: GovchainNode;
let app: FastifyInstance;
before(async () => void ({ chain, node, app } = await openApiNode()));
after(async () => closeApiNode({ chain, node, app }));

/** A genuine bundle from the running node. */
async function realBundle(): Promise<any> {
  // A did:key signer: the bundle needs no ledger-DID key list.
  const env = anchorTx(createKey());
  const r = await app.inject({ method: 'POST', url: '/v1/txs?wait=commit', payload: JSON.stringify(env), headers: { 'content-type': 'application/json' } });
  const txid = r.json().txid as string;
  for (let i = 0; i < 200 && (node.latestCheckpoint()?.checkpoint.size ?? 0) <= node.getTx(txid)!.leafIndex; i++) await new Promise((res) => setTimeout(res, 10));
  const cp = node.latestCheckpoint()!;
  const p = node.proveInclusion(txid);
  const tx = node.getTx(txid)!;
  return {
    format: 'govchain-proof-bundle',
    version: 1,
    chainId: node.chainId,
    txid,
    envelope: tx.envelope,
    receipt: tx.receipt,
    inclusion: { leafIndex: p.leafIndex, treeSize: p.treeSize, leaf: Buffer.from(p.leaf).toString('base64'), hashes: p.hashes.map((h) => Buffer.from(h).toString('base64')) },
    checkpoint: cp.note,
    validators: { quorum: node.quorum, vkeys: node.vkeys },
  };
}

const bundleInvalid = (e: unknown) => isGovchainError(e, 'bundle.invalid');

test('fuzz regression: a bundle whose inclusion.leafIndex is not a number is bundle.invalid (was a TypeError from verifyInclusion)', async () => {
  const b = await realBundle();
  assert.equal(verifyProofBundle(b).txid, b.txid);
  for (const leafIndex of ['0', null, -1, 1.5, {}]) assert.throws(() => verifyProofBundle({ ...b, inclusion: { ...b.inclusion, leafIndex } }), bundleInvalid, String(leafIndex));
  for (const inclusion of [null, [], 'x', { ...b.inclusion, hashes: 'AA==' }, { ...b.inclusion, hashes: [1] }, { ...b.inclusion, treeSize: '1' }, { ...b.inclusion, leaf: 7 }]) {
    assert.throws(() => verifyProofBundle({ ...b, inclusion }), bundleInvalid, JSON.stringify(inclusion));
  }
  assert.throws(() => verifyProofBundle({ ...b, validators: { quorum: 'x', vkeys: b.validators.vkeys } }), bundleInvalid);
});

test('fuzz regression: a bundle whose transaction body holds a lone surrogate is bundle.invalid (was codec.not_canonicalizable)', async () => {
  const b = await realBundle();
  const env = structuredClone(b.envelope);
  env.body.nonce = '\ud800';
  assert.throws(() => verifyProofBundle({ ...b, envelope: env }), bundleInvalid);
  const receipt = { ...b.receipt, code: '\udfff' };
  assert.throws(() => verifyProofBundle({ ...b, receipt }), bundleInvalid);
});

test('fuzz regression: smtProofFromJson refuses bad JSON with the GovchainError proof.malformed (was a TypeError)', () => {
  for (const input of [null, 7, { siblings: 'x', leaf: null }, { siblings: [], leaf: { key: 1, valueHash: 2 } }]) {
    assert.throws(() => smtProofFromJson(input), (e: unknown) => isGovchainError(e, 'proof.malformed'));
  }
});

test('fuzz regression: OPTIONS with a body and no content type answers a 415 problem body (was Fastify\'s own error body)', async () => {
  const res = await app.inject({ method: 'OPTIONS', url: '/v1/status', payload: ' ' });
  assert.equal(res.statusCode, 415);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  assert.equal(res.json().code, 'request.unsupported_media_type');
});

test('fuzz regression: a bad percent-escape in the path answers a 400 problem body (was FST_ERR_BAD_URL)', async () => {
  for (const url of ['/v1/notary/anchors/%zz', '/v1/txs/%', '/%E0%A4%A']) {
    const res = await app.inject({ method: 'GET', url });
    assert.equal(res.statusCode, 400, url);
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/, url);
    assert.equal(res.json().code, 'request.invalid', url);
  }
});

test('fuzz regression: the node still commits after the inputs above', async () => {
  const env = signTxSync({ chain: 'govchain-dev', type: 'notary.anchor', signer: chain.citizen.did, nonce: toHex(randomBytes(8)), payload: { digest: toHex(randomBytes(32)) } }, [chain.citizen]);
  const res = await app.inject({ method: 'POST', url: '/v1/txs?wait=commit', payload: JSON.stringify(env), headers: { 'content-type': 'application/json' } });
  assert.equal(res.statusCode, 200, res.body);
});

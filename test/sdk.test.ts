// The SDK against a real node over HTTP: signers (WebCrypto non-extractable key, remote
// signer that lies, key file), submit-and-wait with typed errors, batch anchoring with
// per-record proof bundles that chain record -> batch root -> log -> checkpoint.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { batchInclusionProof, randomBytes, sha256, signEd25519, toBase64, toHex, utf8 } from '@govchain/core';
import { createApiServer } from '@govchain/api';
import { readDemoIdentities, type GovchainNode } from '@govchain/node';
import {
  GovchainApiError,
  GovchainError,
  createGovchain,
  createRemoteSigner,
  createWebCryptoSigner,
  prepareBatch,
  verifyProofBundle,
  recordBundle,
} from '@govchain/sdk';
import { createKeyFileSigner, prepareBatchParallel } from '@govchain/sdk/node';
import type { FastifyInstance } from 'fastify';
import { demoChain, startNode, tempDir } from './support/chain.js';

let chain: ReturnType<typeof demoChain>;
let node: GovchainNode;
let app: FastifyInstance;
let base: string;
let citizenKeyFile: string;

before(async () => {
  chain = demoChain();
  node = await startNode(chain.dir);
  app = await createApiServer({ node });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  citizenKeyFile = readDemoIdentities(chain.dir).find((i) => i.role === 'citizen')!.keyFile;
});
after(async () => {
  await app.close();
  await node.stop();
  chain.cleanup();
});

describe('signers', () => {
  test('a non-extractable WebCrypto Ed25519 key signs transactions the node accepts', async () => {
    const signer = await createWebCryptoSigner();
    assert.equal(signer.keyPair.privateKey.extractable, false);
    const sdk = createGovchain({ url: base, signer });
    const digest = toHex(randomBytes(32));
    const receipt = await sdk.notary.anchor({ digest });
    assert.equal(receipt.status, 'ok');
    assert.equal(((await sdk.client.notaryAnchor(digest)) as { by: string }).by, signer.did);
  });

  test('a remote signer whose signature does not verify is refused before submission', async () => {
    const key = createKeyFileSigner(citizenKeyFile);
    const honest = createRemoteSigner({ did: key.did, kid: key.kid, publicKey: key.publicKey, sign: async (m) => key.sign(m) as Uint8Array });
    const sdk = createGovchain({ url: base, signer: honest });
    assert.equal((await sdk.notary.anchor({ digest: toHex(randomBytes(32)) })).status, 'ok');
    const liar = createRemoteSigner({ did: key.did, kid: key.kid, publicKey: key.publicKey, sign: async (m) => signEd25519(randomBytes(32), m) });
    await assert.rejects(createGovchain({ url: base, signer: liar }).notary.anchor({ digest: toHex(randomBytes(32)) }), (e: unknown) => e instanceof GovchainError && e.code === 'signer.bad_signature');
  });

  test('a key file readable by others is refused', () => {
    const t = tempDir();
    const path = join(t.dir, 'k.key');
    writeFileSync(path, '{}');
    chmodSync(path, 0o644);
    assert.throws(() => createKeyFileSigner(path), (e: unknown) => e instanceof GovchainError && e.code === 'key.insecure');
    t.cleanup();
  });
});

describe('typed errors', () => {
  test('problem bodies become GovchainApiError with code, status and field', async () => {
    const sdk = createGovchain({ url: base });
    await assert.rejects(sdk.client.tx('0'.repeat(64)), (e: unknown) => e instanceof GovchainApiError && e.code === 'tx.not_found' && e.status === 404);
    await assert.rejects(sdk.client.notaryAnchor('xyz'), (e: unknown) => e instanceof GovchainApiError && e.status === 400 && e.code === 'request.invalid' && e.field === '/params/digest');
  });

  test('a failed transaction raises its receipt code from submitAndWait', async () => {
    const sdk = createGovchain({ url: base, signer: createKeyFileSigner(citizenKeyFile) });
    const digest = toHex(randomBytes(32));
    await sdk.notary.anchor({ digest });
    await assert.rejects(sdk.notary.anchor({ digest }), (e: unknown) => e instanceof GovchainError && e.code === 'notary.already_anchored');
  });
});

describe('batch anchoring', () => {
  test('one transaction anchors a batch; each record has a bundle that verifies, a changed record does not', async () => {
    const records = Array.from({ length: 1000 }, (_, i) => `row ${i}: ${toHex(randomBytes(8))}`);
    const digests = records.map((r) => toHex(sha256(utf8(r))));
    const sdk = createGovchain({ url: base, signer: createKeyFileSigner(citizenKeyFile) });
    const batch = await sdk.notary.anchorBatch({ digests, label: 'sdk test batch' });
    assert.equal(batch.count, 1000);
    assert.equal(batch.bundle.envelope.body.type, 'notary.anchor_batch');
    const trust = await sdk.client.validators();
    for (const i of [0, 1, 499, 998, 999]) {
      const bundle = batch.recordBundle(i);
      const v = verifyProofBundle(JSON.parse(JSON.stringify(bundle)), { trustedVkeys: trust.vkeys, fileDigest: digests[i]! });
      assert.deepEqual(v.batch, { index: i, count: 1000, root: batch.root });
      assert.ok(JSON.stringify(bundle.batch).length < 1500, 'the record-specific part is under 1.5 KB');
      assert.deepEqual(JSON.parse(batch.proofJson(i)), batch.proof(i));
      assert.deepEqual(batch.proof(i).hashes, batchInclusionProof(batch.tree, i).map(toBase64));
    }
    // Another record's digest, a moved index, a wrong root: all refused.
    const p = batch.proof(5);
    assert.throws(() => verifyProofBundle(recordBundle(batch.bundle, { ...p, digest: digests[6]! })), /does not lead to the batch root/);
    assert.throws(() => verifyProofBundle(recordBundle(batch.bundle, { ...p, index: 6 })), /does not lead to the batch root/);
    assert.throws(() => verifyProofBundle(recordBundle(batch.bundle, { ...p, root: prepareBatch(digests.slice(1)).root })), /batch.root/);
    // The batch root is state, proven by the light client too.
    const verified = createGovchain({ url: base, trust });
    const st = await verified.verified.state('notary', `batch:${batch.root}`);
    assert.equal((st.value as { count: number }).count, 1000);
  });

  test('the two-thread tree equals the single-thread one (root, levels, proofs)', async () => {
    for (const n of [65_536, 65_537, 100_003, 131_072]) {
      const flat = randomBytes(n * 32);
      const one = prepareBatch(flat);
      const two = await prepareBatchParallel(flat);
      assert.equal(two.root, one.root, `root of ${n}`);
      assert.equal(two.tree.levels.length, one.tree.levels.length);
      two.tree.levels.forEach((l, j) => assert.equal(toHex(sha256(l)), toHex(sha256(one.tree.levels[j]!)), `level ${j} of ${n}`));
      for (const i of [0, 1, 65_535, n - 1]) assert.equal(two.proofJson(i), one.proofJson(i));
    }
  });

  test('bad batches are refused with clear errors', () => {
    assert.throws(() => prepareBatch([]), (e: unknown) => e instanceof GovchainError && e.code === 'batch.invalid');
    assert.throws(() => prepareBatch(['abc']), (e: unknown) => e instanceof GovchainError && e.code === 'batch.invalid' && /digest 1/.test(e.message));
  });
});

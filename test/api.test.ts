// The HTTP API in process (Fastify inject): the core routes of CONTRACT.md s.6 and the
// refusals of bad input, each with its status and RFC 9457 problem body.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  fromBase64,
  hashLeaf,
  signTxSync,
  smtProofFromJson,
  stateMapKey,
  stateValueHash,
  toHex,
  verifyCheckpointNote,
  verifyConsistency,
  verifyInclusion,
  verifySmtProof,
  didKeyKid,
  generateKeyPair,
  didKeyFromPublicKey,
  type JsonValue,
} from '@govchain/core';
import type { GovchainNode } from '@govchain/node';
import type { FastifyInstance } from 'fastify';
import { anchorTx, closeApiNode, openApiNode, type ApiNode } from './support/chain.js';

let chain: ApiNode['chain'];
let node: GovchainNode;
let app: FastifyInstance;

before(async () => void ({ chain, node, app } = await openApiNode()));
after(async () => closeApiNode({ chain, node, app }));

const post = (payload: unknown, query = '?wait=commit', headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  app.inject({ method: 'POST', url: `/v1/txs${query}`, payload: typeof payload === 'string' ? payload : JSON.stringify(payload), headers });

function assertProblem(res: { statusCode: number; headers: Record<string, unknown>; json: () => any }, status: number, code: string, field?: string): void {
  assert.equal(res.statusCode, status, JSON.stringify(res.json()));
  assert.match(String(res.headers['content-type']), /application\/problem\+json/);
  const p = res.json();
  assert.equal(p.status, status);
  assert.equal(p.code, code);
  assert.equal(typeof p.title, 'string');
  assert.equal(typeof p.detail, 'string');
  assert.equal(p.type, `urn:govchain:error:${code}`);
  if (field !== undefined) assert.equal(p.field, field);
}

describe('transactions', () => {
  test('a notary anchor commits with ?wait=commit and is readable with its receipt', async () => {
    const env = anchorTx(chain.citizen);
    const res = await post(env);
    assert.equal(res.statusCode, 200, res.body);
    const receipt = res.json();
    assert.equal(receipt.status, 'ok');
    assert.equal(receipt.events[0].type, 'notary.anchored');
    const got = await app.inject(`/v1/txs/${receipt.txid}`);
    assert.equal(got.statusCode, 200);
    assert.deepEqual(got.json().envelope, env);
    assert.deepEqual(got.json().receipt, receipt);
    const block = await app.inject(`/v1/blocks/${receipt.height}`);
    assert.ok(block.json().txids.includes(receipt.txid));
  });

  test('without wait, 202 with the txid', async () => {
    const res = await post(anchorTx(chain.citizen), '');
    assert.equal(res.statusCode, 202);
    assert.match(res.json().txid, /^[0-9a-f]{64}$/);
    await node.waitForCommit(res.json().txid, 5000);
  });

  test('a second anchor of the same digest commits as failed with the module code', async () => {
    const digest = toHex(new Uint8Array(32).fill(7));
    assert.equal((await post(anchorTx(chain.citizen, 'govchain-dev', digest))).json().status, 'ok');
    const second = (await post(anchorTx(chain.citizen, 'govchain-dev', digest))).json();
    assert.equal(second.status, 'failed');
    assert.equal(second.code, 'notary.already_anchored');
  });
});

describe('bad input is refused with a problem body, and the node keeps serving', () => {
  test('malformed JSON', async () => assertProblem(await post('{"body": '), 400, 'tx.malformed'));
  test('not an object', async () => assertProblem(await post('[1,2]'), 400, 'tx.malformed'));
  test('wrong types', async () => {
    const env = anchorTx(chain.citizen) as any;
    env.body.nonce = 5;
    assertProblem(await post(env), 400, 'tx.malformed', '/body/nonce');
  });
  test('payload not matching its schema', async () => {
    const env = signTxSync({ chain: 'govchain-dev', type: 'notary.anchor', signer: chain.citizen.did, nonce: 'x1', payload: { digest: 'nothex' } }, [chain.citizen]);
    assertProblem(await post(env), 400, 'tx.invalid_payload', '/body/payload/digest');
  });
  test('oversize body', async () => {
    const res = await post(JSON.stringify({ body: { x: 'a'.repeat(200_000) }, signatures: [] }));
    assertProblem(res, 413, 'request.too_large');
  });
  test('unknown module', async () => {
    const env = signTxSync({ chain: 'govchain-dev', type: 'nosuch.thing', signer: chain.citizen.did, nonce: 'x2', payload: {} }, [chain.citizen]);
    assertProblem(await post(env), 400, 'tx.unknown_type', '/body/type');
  });
  test('bad signature', async () => {
    const env = anchorTx(chain.citizen);
    env.body.nonce = 'changed-after-signing';
    assertProblem(await post(env), 400, 'tx.bad_signature', '/signatures/0/sig');
  });
  test('signature by someone other than the signer', async () => {
    const other = generateKeyPair();
    const env = signTxSync(
      { chain: 'govchain-dev', type: 'notary.anchor', signer: chain.citizen.did, nonce: 'x3', payload: { digest: 'cd'.repeat(32) } },
      [{ seed: other.seed, kid: didKeyKid(other.publicKey) }],
    );
    assertProblem(await post(env), 400, 'tx.signer_missing');
    void didKeyFromPublicKey;
  });
  test('wrong chain', async () => assertProblem(await post(anchorTx(chain.citizen, 'another-chain')), 400, 'tx.wrong_chain', '/body/chain'));
  test('expired', async () => {
    const env = signTxSync(
      { chain: 'govchain-dev', type: 'notary.anchor', signer: chain.citizen.did, nonce: 'x4', payload: { digest: 'ef'.repeat(32) }, expires: '2020-01-01T00:00:00Z' },
      [chain.citizen],
    );
    assertProblem(await post(env), 400, 'tx.expired', '/body/expires');
  });
  test('replayed txid', async () => {
    const env = anchorTx(chain.citizen);
    assert.equal((await post(env)).statusCode, 200);
    assertProblem(await post(env), 409, 'tx.replayed');
  });
  test('wrong content type', async () => {
    const res = await post('hello', '', { 'content-type': 'text/plain' });
    assertProblem(res, 415, 'request.unsupported_media_type');
  });
  test('unknown routes, transactions, blocks', async () => {
    assertProblem(await app.inject('/v1/nothing'), 404, 'route.not_found');
    assertProblem(await app.inject(`/v1/txs/${'0'.repeat(64)}`), 404, 'tx.not_found');
    assertProblem(await app.inject('/v1/blocks/999999'), 404, 'block.not_found');
    assertProblem(await app.inject('/v1/blocks/abc'), 400, 'request.invalid');
    assertProblem(await app.inject('/v1/proofs/inclusion?txid=zz'), 400, 'request.invalid');
    assertProblem(await app.inject('/v1/state/nosuch/key'), 404, 'module.not_found');
  });
  test('the node still serves after all of that', async () => {
    assert.equal((await post(anchorTx(chain.citizen))).json().status, 'ok');
    assert.equal((await app.inject('/readyz')).statusCode, 200);
  });
});

describe('proofs and checkpoints', () => {
  test('status, validators and a certified checkpoint that verifies under the quorum', async () => {
    const status = (await app.inject('/v1/status')).json();
    assert.equal(status.chainId, 'govchain-dev');
    assert.ok(status.height > 0);
    const v = (await app.inject('/v1/validators')).json();
    assert.equal(v.quorum, 1);
    const res = await app.inject('/v1/checkpoint');
    assert.match(String(res.headers['content-type']), /text\/plain/);
    const { checkpoint } = verifyCheckpointNote(res.body, v.vkeys, v.quorum);
    assert.equal(checkpoint.origin, 'govchain-dev');
  });

  test('an inclusion proof leads from the receipt to the checkpoint root', async () => {
    const receipt = (await post(anchorTx(chain.citizen))).json();
    const note = (await app.inject('/v1/checkpoint')).body;
    const v = (await app.inject('/v1/validators')).json();
    const { checkpoint } = verifyCheckpointNote(note, v.vkeys, v.quorum);
    const p = (await app.inject(`/v1/proofs/inclusion?txid=${receipt.txid}&size=${checkpoint.size}`)).json();
    assert.equal(p.treeSize, checkpoint.size);
    const leaf = fromBase64(p.leaf);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(leaf)), receipt);
    assert.ok(verifyInclusion(hashLeaf(leaf), p.leafIndex, p.treeSize, p.hashes.map(fromBase64), checkpoint.rootHash));
    assert.ok(!verifyInclusion(hashLeaf(leaf), p.leafIndex + 1, p.treeSize, p.hashes.map(fromBase64), checkpoint.rootHash));
  });

  test('two checkpoints are linked by a consistency proof', async () => {
    const v = (await app.inject('/v1/validators')).json();
    const first = verifyCheckpointNote((await app.inject('/v1/checkpoint')).body, v.vkeys, v.quorum).checkpoint;
    await post(anchorTx(chain.citizen));
    await post(anchorTx(chain.citizen));
    const second = verifyCheckpointNote((await app.inject('/v1/checkpoint')).body, v.vkeys, v.quorum).checkpoint;
    assert.ok(second.size > first.size);
    const p = (await app.inject(`/v1/proofs/consistency?from=${first.size}&to=${second.size}`)).json();
    assert.ok(verifyConsistency(first.size, second.size, first.rootHash, second.rootHash, p.hashes.map(fromBase64)));
    // the stored checkpoint of the first size is still served
    const again = await app.inject(`/v1/checkpoint?size=${first.size}`);
    assert.equal(again.statusCode, 200);
    assertProblem(await app.inject(`/v1/proofs/consistency?from=${second.size}&to=${first.size}`), 400, 'proof.bad_range');
  });

  test('state values come with membership and non-membership proofs against the checkpoint', async () => {
    const digest = toHex(new Uint8Array(32).fill(9));
    await post(anchorTx(chain.citizen, 'govchain-dev', digest));
    const v = (await app.inject('/v1/validators')).json();
    const res = (await app.inject(`/v1/state/notary/${digest}?proof=1`)).json();
    const { checkpoint } = verifyCheckpointNote(res.checkpoint, v.vkeys, v.quorum);
    assert.equal(res.value.digest, digest);
    const proof = smtProofFromJson(res.proof);
    assert.ok(verifySmtProof(checkpoint.stateRoot, stateMapKey('notary', digest), stateValueHash(res.value as JsonValue), proof));
    assert.ok(!verifySmtProof(checkpoint.stateRoot, stateMapKey('notary', digest), stateValueHash({ ...res.value, by: 'someone else' }), proof));
    const absent = (await app.inject(`/v1/state/notary/${'1'.repeat(64)}?proof=1`)).json();
    assert.equal(absent.value, null);
    const cp2 = verifyCheckpointNote(absent.checkpoint, v.vkeys, v.quorum).checkpoint;
    assert.ok(verifySmtProof(cp2.stateRoot, stateMapKey('notary', '1'.repeat(64)), null, smtProofFromJson(absent.proof)));
  });
});

describe('documentation and operations', () => {
  test('OpenAPI 3.1 lists every core route', async () => {
    const doc = (await app.inject('/openapi.json')).json();
    assert.equal(doc.openapi, '3.1.0');
    for (const path of ['/v1/status', '/v1/txs', '/v1/txs/{txid}', '/v1/blocks/{height}', '/v1/proofs/inclusion', '/v1/proofs/consistency', '/v1/checkpoint', '/v1/validators', '/v1/events', '/metrics', '/healthz', '/readyz', '/v1/notary/anchors/{digest}']) {
      assert.ok(doc.paths[path], `missing ${path}`);
    }
    assert.equal((await app.inject('/docs')).statusCode < 400, true);
  });

  test('metrics are Prometheus text and count commits', async () => {
    const res = await app.inject('/metrics');
    assert.match(res.body, /govchain_tx_committed_total\{status="ok"\} [1-9]\d*/);
    assert.match(res.body, /govchain_tx_submitted_total\{result="accepted"\} [1-9]\d*/);
    assert.match(res.body, /govchain_height \d+/);
    assert.equal((await app.inject('/healthz')).json().status, 'ok');
  });
});

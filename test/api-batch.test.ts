// Batched submission (POST /v1/txs/batch, issue 2): per-envelope results in request order,
// RFC 9457 problems per refused envelope, whole-request refusals (not an array, too many
// envelopes or bytes), duplicates within one batch, rate limits counted per envelope, the
// SDK's submitBatch, and a node that keeps serving afterwards.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { toHex, randomBytes, type TxEnvelope } from '@govchain/core';
import { createApiServer } from '@govchain/api';
import { BATCH_MAX_TXS } from '@govchain/schemas';
import { createClient } from '@govchain/sdk';
import { readDemoIdentities, readKeyFile, type GovchainNode, type LoadedKey } from '@govchain/node';
import type { FastifyInstance } from 'fastify';
import { anchorTx, closeApiNode, openApiNode, type ApiNode } from './support/chain.js';

let chain: ApiNode['chain'];
let node: GovchainNode;
let app: FastifyInstance;
let citizens: LoadedKey[];

before(async () => {
  ({ chain, node, app } = await openApiNode());
  citizens = readDemoIdentities(chain.dir)
    .filter((i) => i.role === 'citizen')
    .map((i) => readKeyFile(i.keyFile));
});
after(async () => closeApiNode({ chain, node, app }));

const json = { 'content-type': 'application/json' };
const postBatch = (server: FastifyInstance, payload: unknown, query = '', remoteAddress?: string) =>
  server.inject({ method: 'POST', url: `/v1/txs/batch${query}`, payload: typeof payload === 'string' ? payload : JSON.stringify(payload), headers: json, ...(remoteAddress === undefined ? {} : { remoteAddress }) });

function assertProblem(res: { statusCode: number; body: string; headers: Record<string, unknown>; json: () => any }, status: number, code: string): any {
  assert.equal(res.statusCode, status, res.body);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  const p = res.json();
  assert.equal(p.status, status);
  assert.equal(p.code, code);
  assert.equal(p.type, `urn:govchain:error:${code}`);
  return p;
}

describe('POST /v1/txs/batch', () => {
  test('a good batch: 202 with every txid in order, then all commit', async () => {
    const envs = Array.from({ length: 50 }, (_, i) => anchorTx(citizens[i % citizens.length]!));
    const res = await postBatch(app, envs);
    assert.equal(res.statusCode, 202, res.body);
    const body = res.json();
    assert.equal(body.accepted, 50);
    assert.equal(body.rejected, 0);
    assert.equal(body.results.length, 50);
    for (const [i, r] of body.results.entries()) {
      assert.equal(r.accepted, true);
      const receipt = await node.waitForCommit(r.txid, 10_000);
      assert.equal(receipt.status, 'ok');
      // Result i belongs to envelope i: the committed envelope is the one sent at i.
      assert.deepEqual((await app.inject(`/v1/txs/${r.txid}`)).json().envelope, envs[i]);
    }
  });

  test('?wait=commit: 200 with a receipt per envelope', async () => {
    const envs = [anchorTx(chain.citizen), anchorTx(chain.citizen), anchorTx(chain.citizen)];
    const res = await postBatch(app, envs, '?wait=commit');
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.committed, 3);
    for (const r of body.results) {
      assert.equal(r.receipt.txid, r.txid);
      assert.equal(r.receipt.status, 'ok');
      assert.equal(typeof r.receipt.height, 'number');
    }
  });

  test('mixed valid and invalid envelopes: a problem per refused envelope, the others admitted', async () => {
    const good1 = anchorTx(chain.citizen);
    const good2 = anchorTx(chain.citizen);
    const badSig = anchorTx(chain.citizen);
    badSig.signatures[0]!.sig = badSig.signatures[0]!.sig.slice(0, -4) + (badSig.signatures[0]!.sig.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    const wrongChain = anchorTx(chain.citizen, 'another-chain');
    const res = await postBatch(app, [good1, { body: 'not a body' }, badSig, 42, good2, wrongChain], '?wait=commit');
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.accepted, 2);
    assert.equal(body.rejected, 4);
    const [r0, r1, r2, r3, r4, r5] = body.results;
    assert.equal(r0.accepted, true);
    assert.equal(r0.receipt.status, 'ok');
    assert.equal(r4.accepted, true);
    assert.equal(r4.receipt.status, 'ok');
    for (const [r, i] of [[r1, 1], [r2, 2], [r3, 3], [r5, 5]] as const) {
      assert.equal(r.accepted, false);
      assert.equal(r.problem.status, 400, JSON.stringify(r.problem));
      assert.equal(r.problem.type, `urn:govchain:error:${r.problem.code}`);
      assert.equal(typeof r.problem.detail, 'string');
      assert.equal(r.problem.instance, `/v1/txs/batch?wait=commit#/${i}`);
    }
    assert.equal(r1.problem.code, 'tx.malformed');
    assert.equal(r2.problem.code, 'tx.bad_signature');
    assert.equal(r3.problem.code, 'tx.malformed');
    assert.equal(r5.problem.code, 'tx.wrong_chain');
    assert.equal(r5.problem.field, '/body/chain');
  });

  test('a txid twice in one batch is admitted once; the second is a 409 tx.duplicate problem', async () => {
    const env = anchorTx(chain.citizen);
    const res = await postBatch(app, [env, env, anchorTx(chain.citizen)], '?wait=commit');
    const body = res.json();
    assert.equal(body.accepted, 2, res.body);
    const refused = body.results.filter((r: any) => !r.accepted);
    assert.equal(refused.length, 1);
    assert.equal(refused[0].problem.code, 'tx.duplicate');
    assert.equal(refused[0].problem.status, 409);
    const admitted = body.results.filter((r: any) => r.accepted && r.txid === refused[0].txid);
    assert.equal(admitted.length, 1);
    assert.equal(admitted[0].receipt.status, 'ok');
    // Sent again after it committed: replayed.
    const again = (await postBatch(app, [env])).json();
    assert.equal(again.results[0].problem.code, 'tx.replayed');
    assert.equal(again.results[0].txid, refused[0].txid);
  });

  test('whole-request refusals: not JSON, not an array, empty, too many envelopes, too many bytes', async () => {
    assertProblem(await postBatch(app, '[{"body": '), 400, 'request.malformed_json');
    assertProblem(await postBatch(app, anchorTx(chain.citizen)), 400, 'request.invalid');
    assertProblem(await postBatch(app, []), 400, 'request.invalid');
    const tooMany = Array.from({ length: BATCH_MAX_TXS + 1 }, () => ({ body: {}, signatures: [] }));
    const p = assertProblem(await postBatch(app, tooMany), 413, 'request.too_large');
    assert.match(p.detail, new RegExp(`at most ${BATCH_MAX_TXS}`));
    assertProblem(await postBatch(app, JSON.stringify(['x'.repeat(5 * 1024 * 1024)])), 413, 'request.too_large');
    assertProblem(await app.inject({ method: 'POST', url: '/v1/txs/batch', payload: '[]', headers: { 'content-type': 'text/plain' } }), 415, 'request.unsupported_media_type');
    assertProblem(await postBatch(app, [anchorTx(chain.citizen)], '?wait=later'), 400, 'request.invalid');
  });

  test('the single-envelope route and the txid route are unchanged beside it', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/txs', payload: JSON.stringify(anchorTx(chain.citizen)), headers: json });
    assert.equal(res.statusCode, 202);
    assert.match(res.json().txid, /^[0-9a-f]{64}$/);
    assertProblem(await app.inject('/v1/txs/batch'), 400, 'request.invalid'); // GET: "batch" is no txid
  });

  test('OpenAPI documents the route with its body and answers', async () => {
    const doc = (await app.inject('/openapi.json')).json();
    const op = doc.paths['/v1/txs/batch'].post;
    assert.ok(op.requestBody.content['application/json'].schema);
    assert.ok(op.responses['202']);
    assert.ok(op.responses['200']);
    assert.ok(op.responses['413']);
  });

  test('the node keeps serving after all of that', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/txs?wait=commit', payload: JSON.stringify(anchorTx(chain.citizen)), headers: json });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().status, 'ok');
    assert.equal((await app.inject('/readyz')).statusCode, 200);
  });
});

describe('rate limits count every envelope of a batch', () => {
  test('per IP: a batch uses one unit per envelope; envelopes past the limit get 429 problems', async () => {
    const limited = await createApiServer({ node, rateLimit: { perIp: 5, windowMs: 60_000 } });
    try {
      const envs = Array.from({ length: 8 }, (_, i) => anchorTx(citizens[i % citizens.length]!));
      const body = (await postBatch(limited, envs, '', '10.1.0.1')).json();
      assert.equal(body.accepted, 5);
      for (const r of body.results.slice(5)) {
        assert.equal(r.problem.code, 'rate.limited');
        assert.equal(r.problem.status, 429);
        assert.ok(r.problem.retryAfter >= 1 && r.problem.retryAfter <= 60);
      }
      // The address has used its quota: the next request is refused as a whole.
      assertProblem(await postBatch(limited, [anchorTx(chain.citizen)], '', '10.1.0.1'), 429, 'rate.limited');
      assertProblem(await limited.inject({ url: '/v1/status', remoteAddress: '10.1.0.1' }), 429, 'rate.limited');
      assert.equal((await limited.inject({ url: '/v1/status', remoteAddress: '10.1.0.2' })).statusCode, 200);
      for (const r of body.results.slice(0, 5)) await node.waitForCommit(r.txid, 10_000);
    } finally {
      await limited.close();
    }
  });

  test('per signer: the signer limit applies to each envelope', async () => {
    const limited = await createApiServer({ node, rateLimit: { perIp: 10_000, perSigner: 3, windowMs: 60_000 } });
    try {
      const signer = citizens[1]!;
      const other = citizens[2]!;
      const envs = [...Array.from({ length: 5 }, () => anchorTx(signer)), anchorTx(other)];
      const body = (await postBatch(limited, envs, '?wait=commit')).json();
      assert.equal(body.accepted, 4);
      assert.equal(body.results.filter((r: any) => !r.accepted && r.problem.code === 'rate.limited').length, 2);
      assert.equal(body.results[5].accepted, true);
    } finally {
      await limited.close();
    }
  });
});

describe('SDK submitBatch', () => {
  test('over a listening server: results in order, receipts with wait, a typed error for a refused request', async () => {
    const server = await createApiServer({ node });
    await server.listen({ host: '127.0.0.1', port: 0 });
    try {
      const client = createClient({ url: `http://127.0.0.1:${(server.server.address() as { port: number }).port}` });
      const envs: TxEnvelope[] = [anchorTx(chain.citizen), anchorTx(chain.citizen, 'govchain-dev', toHex(randomBytes(32)))];
      const r = await client.submitBatch(envs, { wait: 'commit', timeoutMs: 10_000 });
      assert.equal(r.accepted, 2);
      assert.equal(r.results[0]!.receipt?.status, 'ok');
      assert.equal(r.results[1]!.receipt?.status, 'ok');
      const again = await client.submitBatch([envs[0]!]);
      assert.equal(again.results[0]!.accepted, false);
      assert.equal(again.results[0]!.problem?.code, 'tx.replayed');
      await assert.rejects(client.submitBatch([]), (e: any) => e.status === 400 && e.code === 'request.invalid');
    } finally {
      await server.close();
    }
  });
});

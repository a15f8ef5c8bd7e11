// Abuse protections of the HTTP API and the node (issue 9): per-IP and per-identity rate
// limits (429 + Retry-After problem bodies), request size limits, the per-signer mempool
// cap, CORS (same-origin by default) and security headers, strict content types.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { signTxSync, toHex, randomBytes } from '@govchain/core';
import { createApiServer } from '@govchain/api';
import { GovchainNode, createKey, readDemoIdentities, readKeyFile, type LoadedKey } from '@govchain/node';
import type { FastifyInstance } from 'fastify';
import { anchorTx, demoChain, openSlowNode, startNode } from './support/chain.js';

let chain: ReturnType<typeof demoChain>;
let node: GovchainNode;
let citizens: LoadedKey[];
before(async () => {
  chain = demoChain();
  node = await startNode(chain.dir);
  citizens = readDemoIdentities(chain.dir)
    .filter((i) => i.role === 'citizen')
    .map((i) => readKeyFile(i.keyFile));
});
after(async () => {
  await node.stop();
  chain.cleanup();
});

const json = { 'content-type': 'application/json' };

function assertProblem(res: { statusCode: number; headers: Record<string, unknown>; json: () => any }, status: number, code: string): any {
  assert.equal(res.statusCode, status, JSON.stringify(res.json()));
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  const p = res.json();
  assert.equal(p.status, status);
  assert.equal(p.code, code);
  return p;
}

async function withApp(opts: Parameters<typeof createApiServer>[0], fn: (app: FastifyInstance) => Promise<void>): Promise<void> {
  const app = await createApiServer(opts);
  try {
    await fn(app);
  } finally {
    await app.close();
  }
}

describe('rate limits', () => {
  test('per IP: past the limit, 429 rate.limited with Retry-After; another IP is unaffected', async () => {
    await withApp({ node, rateLimit: { perIp: 5, windowMs: 60_000 } }, async (app) => {
      for (let i = 0; i < 5; i++) assert.equal((await app.inject({ url: '/v1/status', remoteAddress: '10.0.0.1' })).statusCode, 200);
      const res = await app.inject({ url: '/v1/status', remoteAddress: '10.0.0.1' });
      const p = assertProblem(res, 429, 'rate.limited');
      const after = Number(res.headers['retry-after']);
      assert.ok(after >= 1 && after <= 60, `Retry-After ${res.headers['retry-after']}`);
      assert.equal(p.retryAfter, after);
      // Every route counts, errors included, and the limit holds for POSTs too.
      assertProblem(await app.inject({ method: 'POST', url: '/v1/txs', remoteAddress: '10.0.0.1', payload: JSON.stringify(anchorTx(chain.citizen)), headers: json }), 429, 'rate.limited');
      assert.equal((await app.inject({ url: '/v1/status', remoteAddress: '10.0.0.2' })).statusCode, 200);
    });
  });

  test('per signer: past the limit, 429 for that DID only; forged envelopes naming it do not use its quota', async () => {
    const [a, b, c] = citizens as [LoadedKey, LoadedKey, LoadedKey];
    await withApp({ node, rateLimit: { perIp: 10_000, perSigner: 3, windowMs: 60_000 } }, async (app) => {
      const submit = (env: unknown) => app.inject({ method: 'POST', url: '/v1/txs', payload: JSON.stringify(env), headers: json });
      // c forges envelopes with a as the signer: refused for the signature, not counted for a.
      for (let i = 0; i < 5; i++) {
        const forged = signTxSync({ chain: 'govchain-dev', type: 'notary.anchor', signer: a.did, nonce: toHex(randomBytes(8)), payload: { digest: toHex(randomBytes(32)) } }, [c]);
        assert.equal((await submit(forged)).statusCode, 400);
      }
      for (let i = 0; i < 3; i++) assert.equal((await submit(anchorTx(a))).statusCode, 202);
      const res = await submit(anchorTx(a));
      const p = assertProblem(res, 429, 'rate.limited');
      assert.match(p.detail, new RegExp(a.did));
      assert.ok(Number(res.headers['retry-after']) >= 1);
      assert.equal((await submit(anchorTx(b))).statusCode, 202);
    });
  });

  test('rateLimit: false turns the limits off (benchmarks)', async () => {
    await withApp({ node, rateLimit: false }, async (app) => {
      for (let i = 0; i < 50; i++) assert.equal((await app.inject({ url: '/healthz', remoteAddress: '10.0.0.9' })).statusCode, 200);
    });
  });
});

describe('request size limits', () => {
  test('a transaction over 128 KiB is 413 request.too_large', async () => {
    await withApp({ node }, async (app) => {
      const res = await app.inject({ method: 'POST', url: '/v1/txs', payload: JSON.stringify({ pad: 'x'.repeat(129 * 1024) }), headers: json });
      assertProblem(res, 413, 'request.too_large');
    });
  });

  test('every other route takes at most 16 KiB of body (here the CORS OPTIONS route)', async () => {
    await withApp({ node }, async (app) => {
      const res = await app.inject({ method: 'OPTIONS', url: '/v1/status', payload: JSON.stringify({ pad: 'x'.repeat(17 * 1024) }), headers: json });
      assertProblem(res, 413, 'request.too_large');
      // Under the limit the body is read, and a non-preflight OPTIONS is simply no route.
      assertProblem(await app.inject({ method: 'OPTIONS', url: '/v1/status', payload: '{}', headers: json }), 404, 'route.not_found');
    });
  });
});

describe('mempool per-signer cap', () => {
  test('one signer cannot hold more than maxPendingPerSigner pending transactions; others still get in', async () => {
    const t = demoChain();
    // Blocks every 1.5 s: submissions stay pending long enough to hit the cap.
    const slow = await openSlowNode(t.dir, { blockIntervalMs: 1500, maxPendingPerSigner: 3 });
    try {
      // did:key signers need no registration on this fresh chain.
      const [a, b] = [createKey(), createKey()];
      const sent = [];
      for (let i = 0; i < 3; i++) sent.push((await slow.submit(JSON.stringify(anchorTx(a)))).txid);
      assert.equal(slow.pendingOf(a.did), 3);
      await assert.rejects(slow.submit(JSON.stringify(anchorTx(a))), (e: any) => e.code === 'mempool.signer_full');
      await withApp({ node: slow }, async (app) => {
        const res = await app.inject({ method: 'POST', url: '/v1/txs', payload: JSON.stringify(anchorTx(a)), headers: json });
        assertProblem(res, 429, 'mempool.signer_full');
        assert.equal(res.headers['retry-after'], '1');
      });
      await slow.submit(JSON.stringify(anchorTx(b)));
      // Once committed, the signer's share is free again.
      for (const txid of sent) await slow.waitForCommit(txid, 10_000);
      assert.equal(slow.pendingOf(a.did), 0);
      await slow.submit(JSON.stringify(anchorTx(a)));
    } finally {
      await slow.stop();
      t.cleanup();
    }
  });
});

describe('mempool total cap', () => {
  test('past maxPending admitted transactions every signer gets 429 mempool.full; nothing admitted is dropped, and room returns as blocks commit', async () => {
    const t = demoChain();
    // Blocks every 1.5 s: submissions stay pending long enough to fill the mempool.
    const slow = await openSlowNode(t.dir, { blockIntervalMs: 1500, maxPending: 8, maxPendingPerSigner: 8 });
    try {
      const keys = Array.from({ length: 4 }, () => createKey());
      const sent: string[] = [];
      for (let i = 0; i < 8; i++) sent.push((await slow.submit(JSON.stringify(anchorTx(keys[i % 4]!)))).txid);
      // A new signer is refused too: the cap is the node's memory bound, not a share.
      await assert.rejects(slow.submit(JSON.stringify(anchorTx(createKey()))), (e: any) => e.code === 'mempool.full');
      await withApp({ node: slow }, async (app) => {
        const res = await app.inject({ method: 'POST', url: '/v1/txs', payload: JSON.stringify(anchorTx(keys[0]!)), headers: json });
        assertProblem(res, 429, 'mempool.full');
        assert.ok(Number(res.headers['retry-after']) >= 1, 'Retry-After tells the client when to come back');
        assert.match((await app.inject('/metrics')).body, /^govchain_mempool_transactions 8$/m);
      });
      // Refusal, not eviction: every admitted transaction commits.
      for (const txid of sent) assert.equal((await slow.waitForCommit(txid, 10_000)).txid, txid);
      assert.match(await slow.metrics.registry.getSingleMetricAsString('govchain_mempool_transactions'), /^govchain_mempool_transactions 0$/m);
      await slow.submit(JSON.stringify(anchorTx(createKey())));
    } finally {
      await slow.stop();
      t.cleanup();
    }
  });
});

describe('CORS and security headers', () => {
  test('by default no cross-origin access: no Access-Control-Allow-Origin, also on preflight', async () => {
    await withApp({ node }, async (app) => {
      const res = await app.inject({ url: '/v1/status', headers: { origin: 'https://evil.example' } });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['access-control-allow-origin'], undefined);
      const pre = await app.inject({ method: 'OPTIONS', url: '/v1/txs', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
      assert.equal(pre.headers['access-control-allow-origin'], undefined);
    });
  });

  test('configured origins are allowed, others are not', async () => {
    await withApp({ node, corsOrigins: ['https://portal.example.gov'] }, async (app) => {
      const ok = await app.inject({ method: 'OPTIONS', url: '/v1/txs', headers: { origin: 'https://portal.example.gov', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
      assert.equal(ok.statusCode, 204);
      assert.equal(ok.headers['access-control-allow-origin'], 'https://portal.example.gov');
      assert.match(String(ok.headers['access-control-allow-methods']), /POST/);
      const get = await app.inject({ url: '/v1/status', headers: { origin: 'https://portal.example.gov' } });
      assert.equal(get.headers['access-control-allow-origin'], 'https://portal.example.gov');
      const other = await app.inject({ url: '/v1/status', headers: { origin: 'https://evil.example' } });
      assert.equal(other.headers['access-control-allow-origin'], undefined);
    });
  });

  test('security headers on pages and API responses; the Swagger UI has its own hash-based CSP', async () => {
    await withApp({ node }, async (app) => {
      for (const url of ['/', '/v1/status', '/v1/nope']) {
        const res = await app.inject({ url });
        const csp = String(res.headers['content-security-policy']);
        assert.match(csp, /default-src 'self'/, url);
        assert.match(csp, /frame-ancestors 'none'/, url);
        assert.match(csp, /script-src 'self'(;|$)/, url);
        assert.doesNotMatch(csp, /upgrade-insecure-requests/, url);
        assert.equal(res.headers['x-content-type-options'], 'nosniff', url);
        assert.ok(res.headers['x-frame-options'] !== undefined, url);
        assert.equal(res.headers['referrer-policy'], 'no-referrer', url);
        assert.equal(res.headers['x-powered-by'], undefined, url);
      }
      // The Swagger UI sets its own CSP (no inline script: its code is served from /docs/static).
      const docs = await app.inject({ url: '/docs' });
      assert.equal(docs.statusCode, 200);
      const csp = String(docs.headers['content-security-policy']);
      assert.match(csp, /script-src 'self'/);
      assert.match(csp, /object-src 'none'/);
      assert.doesNotMatch(csp, /upgrade-insecure-requests/);
      assert.equal(docs.headers['x-content-type-options'], 'nosniff');
    });
  });
});

describe('strict content types', () => {
  test('POST /v1/txs takes application/json only (415 otherwise)', async () => {
    await withApp({ node }, async (app) => {
      const body = JSON.stringify(anchorTx(chain.citizen));
      for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml']) {
        assertProblem(await app.inject({ method: 'POST', url: '/v1/txs', payload: body, headers: { 'content-type': ct } }), 415, 'request.unsupported_media_type');
      }
      assertProblem(await app.inject({ method: 'POST', url: '/v1/txs', payload: body }), 415, 'request.unsupported_media_type');
      assert.equal((await app.inject({ method: 'POST', url: '/v1/txs', payload: body, headers: { 'content-type': 'application/json; charset=utf-8' } })).statusCode, 202);
    });
  });
});

// The API serves the built portal at / (in process, Fastify inject): portal routes get
// index.html with a strict CSP, hashed assets are cached for good, and the API's own
// routes keep their behaviour: an unknown /v1 path is still a 404 problem body.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createApiServer, findPortalDir, PORTAL_CSP } from '@govchain/api';
import type { GovchainNode } from '@govchain/node';
import type { FastifyInstance } from 'fastify';
import { closeApiNode, openApiNode, type ApiNode } from './support/chain.js';

let chain: ApiNode['chain'];
let node: GovchainNode;
let app: FastifyInstance;

before(async () => void ({ chain, node, app } = await openApiNode()));
after(async () => closeApiNode({ chain, node, app }));

describe('portal serving', () => {
  test('the built portal is found (npm run build builds it with Vite)', () => {
    assert.ok(findPortalDir() !== undefined, 'packages/portal/dist/index.html is missing: run npm run build');
  });

  test('/ and any portal route answer index.html with a strict CSP, never cached stale', async () => {
    const root = await app.inject({ url: '/' });
    assert.equal(root.statusCode, 200);
    assert.match(root.headers['content-type'] as string, /^text\/html/);
    assert.match(root.body, /<div id="app">/);
    assert.equal(root.headers['content-security-policy'], PORTAL_CSP);
    assert.equal(root.headers['cache-control'], 'no-cache');
    for (const url of ['/verify', '/blocks/3', `/txs/${'a'.repeat(64)}`, '/checkpoint?x=1', '/no/such/page']) {
      const r = await app.inject({ url, headers: { accept: 'text/html' } });
      assert.equal(r.statusCode, 200, url);
      assert.equal(r.body, root.body, url);
    }
    const head = await app.inject({ method: 'HEAD', url: '/verify' });
    assert.equal(head.statusCode, 200);
  });

  test('hashed assets are served with a year-long immutable cache', async () => {
    const html = (await app.inject({ url: '/' })).body;
    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    assert.ok(assets.some((a) => a.endsWith('.js')) && assets.some((a) => a.endsWith('.css')), assets.join());
    for (const a of assets) {
      const r = await app.inject({ url: a });
      assert.equal(r.statusCode, 200, a);
      assert.equal(r.headers['cache-control'], 'public, max-age=31536000, immutable');
    }
  });

  test('API routes keep their behaviour; unknown API paths and missing files are 404 problems', async () => {
    assert.equal((await app.inject({ url: '/v1/status' })).json().chainId, 'govchain-dev');
    assert.equal((await app.inject({ url: '/healthz' })).json().status, 'ok');
    assert.equal((await app.inject({ url: '/readyz' })).statusCode, 200);
    assert.match((await app.inject({ url: '/metrics' })).body, /^# HELP/m);
    assert.equal((await app.inject({ url: '/openapi.json' })).json().openapi, '3.1.0');
    assert.match((await app.inject({ url: '/docs' })).headers['content-type'] as string, /^text\/html/);
    for (const [method, url] of [['GET', '/v1/no/such'], ['GET', '/v1'], ['GET', '/docs/no-such'], ['GET', '/assets/missing.js'], ['POST', '/verify'], ['GET', '/metrics/x']] as const) {
      const r = await app.inject({ method, url, headers: { accept: 'text/html' } });
      assert.equal(r.statusCode, 404, `${method} ${url}`);
      assert.match(r.headers['content-type'] as string, /^application\/problem\+json/, `${method} ${url}`);
      assert.equal(r.json().code, 'route.not_found');
    }
  });

  test('the portal files are not API routes: OpenAPI lists none of them', async () => {
    const paths = Object.keys((await app.inject({ url: '/openapi.json' })).json().paths);
    assert.ok(paths.includes('/v1/status'));
    assert.deepEqual(paths.filter((p) => !p.startsWith('/v1/') && !['/metrics', '/healthz', '/readyz'].includes(p)), []);
  });

  test('without a built portal, / says how to build it and the API is unchanged', async () => {
    const bare = await createApiServer({ node, portalDir: false });
    const r = await bare.inject({ url: '/' });
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /npm run build/);
    assert.equal((await bare.inject({ url: '/verify' })).statusCode, 404);
    await bare.close();
  });
});

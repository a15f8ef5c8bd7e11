// Fuzz: the HTTP API in process (Fastify inject) over a real node. Random methods,
// paths, query strings, headers and bodies (random text, random JSON, mutated valid
// envelopes) always get a success or a 4xx RFC 9457 problem body with a documented
// code, never a 5xx; afterwards the node still commits transactions.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { createApiServer } from '@govchain/api';
import type { GovchainNode } from '@govchain/node';
import { anchorTx, demoChain, startNode } from '../support/chain.js';
import { DOCUMENTED_CODES, fuzz, jsonMutation, mutateJson } from './support.js';

let chain: ReturnType<typeof demoChain>;
let node: GovchainNode;
let app: FastifyInstance;
let known: { txid: string; digest: string; height: number };

before(async () => {
  chain = demoChain();
  node = await startNode(chain.dir);
  // Abuse limits are raised here: the fuzzer is one client sending 100,000 requests, and
  // we want every one of them to reach the routes (rate limits have their own tests).
  app = await createApiServer({ node, rateLimit: { perIp: 1e9, perSigner: 1e9 } });
  const env = anchorTx(chain.citizen);
  const res = await app.inject({ method: 'POST', url: '/v1/txs?wait=commit', payload: JSON.stringify(env), headers: { 'content-type': 'application/json' } });
  assert.equal(res.statusCode, 200, res.body);
  known = { txid: res.json().txid, digest: env.body.payload.digest as string, height: res.json().height };
  const paths = Object.keys((app as unknown as { swagger(): { paths: Record<string, unknown> } }).swagger().paths);
  assert.ok(paths.length > 20, `only ${paths.length} documented routes`);
  templates.push(...paths.map((p) => p.replace(/\{[^}]+\}/g, '$')));
  // Wait until a certified checkpoint covers it, so proof routes have something to prove.
  for (let i = 0; i < 200 && (node.latestCheckpoint()?.checkpoint.size ?? 0) < 1; i++) await new Promise((r) => setTimeout(r, 10));
});
after(async () => {
  await app.close();
  await node.stop();
  chain.cleanup();
});

const segment = fc.oneof(
  fc.constantFrom('', '0', '1', '-1', '2', '99999999999999999999', '1e3', '0x10', 'null', 'true', '%00', '%ff', '%2e%2e', '..', '.', '%', '%zz', 'a%2Fb', '~', '\u00e9', 'notary', 'x'.repeat(600)),
  fc.string({ maxLength: 20 }).map(encodeURIComponent),
  fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex')),
  fc.constant('__known_txid__'),
  fc.constant('__known_digest__'),
  fc.constant('__known_did__'),
);
// Path templates: every route in the OpenAPI document (filled in before the run, so new
// routes are fuzzed without editing this file), plus pages and nonsense.
const templates: string[] = ['/', '/$', '/$/$/$', '/docs', '/docs/$', '/docs/static/$', '/openapi.json', '/metrics', '/healthz', '/readyz', '/assets/$', '/blocks/$'];
const queryKeys = ['wait', 'timeout', 'size', 'txid', 'from', 'to', 'proof', '__proto__', 'constructor'];
const queryValue = fc.oneof(segment, fc.constantFrom('commit', 'none', '1', '0', 'true', 'false', '60001', '-5', '1.5', '[]', '{}'));
const query = fc.array(fc.tuple(fc.constantFrom(...queryKeys), queryValue), { maxLength: 4 }).map((pairs) => (pairs.length === 0 ? '' : '?' + pairs.map(([k, v]) => `${k}=${v}`).join('&')));
const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,40}$/);
const contentType = fc.option(
  fc.oneof(
    fc.constantFrom('application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/json; charset=latin1', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/problem+json', 'application/jsonx', '*/*', ''),
    headerValue,
  ),
  { nil: undefined },
);
const extraHeaders = fc.dictionary(fc.constantFrom('accept', 'last-event-id', 'origin', 'x-forwarded-for', 'accept-encoding', 'if-none-match', 'range', 'x-govchain', 'authorization'), fc.oneof(headerValue, headerValue.map((v) => `Bearer ${v}`)), { maxKeys: 3 });
const body = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 200 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.array(jsonMutation, { minLength: 1, maxLength: 3 }).map((m) => JSON.stringify(mutateJson(anchorTx(chain.citizen), m))),
  fc.constant('__valid_envelope__'),
  fc.record({ did: fc.oneof(fc.string({ maxLength: 20 }), fc.constant('__citizen__')), nonce: fc.string({ maxLength: 40 }), signature: fc.string({ maxLength: 90 }), kid: fc.string({ maxLength: 20 }) }, { requiredKeys: [] }).map((o) => JSON.stringify(o).replace('__citizen__', chain.citizen.did)),
);

const request = fc.record({
  method: fc.constantFrom('GET', 'GET', 'GET', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'),
  template: fc.nat(),
  segments: fc.array(segment, { minLength: 3, maxLength: 3 }),
  query,
  contentType,
  headers: extraHeaders,
  body,
});

test('fuzz: the HTTP API answers random requests with success or a 4xx problem body, never a 5xx', async () => {
  const statuses = new Map<number, number>();
  await fuzz(
    'api.inject(random requests)',
    fc.asyncProperty(request, async (r) => {
      let i = 0;
      const fill = (s: string): string => (s === '__known_txid__' ? known.txid : s === '__known_digest__' ? known.digest : s === '__known_did__' ? encodeURIComponent(chain.citizen.did) : s);
      const path = templates[r.template % templates.length]!.replace(/\$/g, () => fill(r.segments[i++ % 3]!));
      const headers: Record<string, string> = { ...r.headers };
      if (r.contentType !== undefined) headers['content-type'] = r.contentType;
      const payload = r.body === '__valid_envelope__' ? JSON.stringify(anchorTx(chain.citizen)) : r.body;
      // The events stream never ends by design; it has its own tests.
      if (path.startsWith('/v1/events')) return;
      const res = await app.inject({ method: r.method as 'GET', url: path + r.query, headers, ...(payload === undefined || r.method === 'GET' || r.method === 'HEAD' ? {} : { payload }) });
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      const where = `${r.method} ${path + r.query} -> ${res.statusCode} ${res.body.slice(0, 300)}`;
      assert.ok(res.statusCode < 500, where);
      if (res.statusCode >= 400 && r.method !== 'HEAD') {
        assert.match(String(res.headers['content-type']), /^application\/problem\+json/, where);
        const p = res.json();
        assert.equal(p.status, res.statusCode, where);
        assert.ok(DOCUMENTED_CODES.has(p.code), `undocumented code ${p.code}: ${where}`);
        assert.equal(typeof p.detail, 'string', where);
      }
    }),
  );
  process.stdout.write(`# api statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}\n`);
  // The node kept serving: status answers and a new transaction commits.
  assert.equal((await app.inject('/v1/status')).statusCode, 200);
  const res = await app.inject({ method: 'POST', url: '/v1/txs?wait=commit', payload: JSON.stringify(anchorTx(chain.citizen)), headers: { 'content-type': 'application/json' } });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.json().status, 'ok');
  assert.ok(node.isReady());
});

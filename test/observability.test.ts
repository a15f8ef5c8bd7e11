// Observability stays true: every metric the Grafana dashboard queries exists on a live
// node's /metrics, and responses carry a request id.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { GovchainNode } from '@govchain/node';
import type { FastifyInstance } from 'fastify';
import { anchorTx, closeApiNode, openApiNode, type ApiNode } from './support/chain.js';

let chain: ApiNode['chain'];
let node: GovchainNode;
let app: FastifyInstance;
before(async () => void ({ chain, node, app } = await openApiNode()));
after(async () => closeApiNode({ chain, node, app }));

test('the Grafana dashboard only uses metrics the node exports', async () => {
  await app.inject({ method: 'POST', url: '/v1/txs?wait=commit', payload: JSON.stringify(anchorTx(chain.citizen)), headers: { 'content-type': 'application/json' } });
  await app.inject('/v1/status');
  const text = (await app.inject('/metrics')).body;
  const exported = new Set([...text.matchAll(/^# TYPE (\S+) (\S+)/gm)].flatMap((m) => (m[2] === 'histogram' ? [`${m[1]}_bucket`, `${m[1]}_count`, `${m[1]}_sum`] : [m[1]!])));
  const dash = JSON.parse(readFileSync(new URL('../../docs/grafana/govchain-node.json', import.meta.url), 'utf8'));
  const used = new Set<string>();
  for (const p of dash.panels) for (const t of p.targets) for (const m of t.expr.matchAll(/\b(govchain_[a-z_]+)/g)) used.add(m[1]);
  assert.ok(used.size >= 12);
  const missing = [...used].filter((m) => !exported.has(m));
  assert.deepEqual(missing, []);
  assert.match(text, /govchain_http_request_seconds_bucket\{[^}]*route="\/v1\/txs"/);
});

test('every response carries X-Request-Id; a well-formed one from the caller is kept', async () => {
  const a = await app.inject('/v1/status');
  assert.match(String(a.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  const b = await app.inject({ url: '/v1/status', headers: { 'x-request-id': 'trace-123' } });
  assert.equal(b.headers['x-request-id'], 'trace-123');
  const c = await app.inject({ url: '/v1/status', headers: { 'x-request-id': 'bad id with spaces' } });
  assert.notEqual(c.headers['x-request-id'], 'bad id with spaces');
});

test("/metrics reports each verifier thread's V8 heap (not part of the process heap figures)", async () => {
  const text = (await app.inject('/metrics')).body;
  const heap = (name: string): number[] => [...text.matchAll(new RegExp(`^${name}\\{worker="(\\d+)"\\} (\\S+)$`, 'gm'))].map((m) => Number(m[2]));
  const used = heap('govchain_verifier_heap_used_bytes');
  const total = heap('govchain_verifier_heap_total_bytes');
  assert.equal(used.length, 1); // this node runs one verifier thread
  assert.ok(used[0]! > 1024 * 1024 && used[0]! <= total[0]!, `used ${used[0]}, total ${total[0]}`);
  assert.equal(heap('govchain_verifier_external_memory_bytes').length, 1);
});

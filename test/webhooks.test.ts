// Webhooks in process: the admin routes' guard and validation, filters by module, type and
// status, the HMAC header, and the cursor that survives a new dispatcher on the same folder.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createApiServer } from '@govchain/api';
import { WebhookDispatcher, readNodeConfig, webhooksPath, type GovchainNode } from '@govchain/node';
import type { FastifyInstance } from 'fastify';
import { anchorTx, demoChain, startNode } from './support/chain.js';
import { startReceiver, waitFor } from './support/receiver.js';

const SECRET = 'sixteen-chars-or-more';
let chain: ReturnType<typeof demoChain>;
let node: GovchainNode;
let app: FastifyInstance;
let dispatcher: WebhookDispatcher;
let token: string;

before(async () => {
  chain = demoChain();
  node = await startNode(chain.dir);
  dispatcher = new WebhookDispatcher(node, chain.dir, { retryBaseMs: 20 });
  dispatcher.start();
  token = readNodeConfig(chain.dir).adminToken!;
  app = await createApiServer({ node, webhooks: dispatcher, adminToken: token });
});
after(async () => {
  await app.close();
  await dispatcher.stop();
  await node.stop();
  chain.cleanup();
});

const admin = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown, auth = `Bearer ${token}`) =>
  app.inject({ method, url, headers: { authorization: auth, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) }, ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }) });

test('admin routes need the token from node.json; bad registrations are 400 with the field', async () => {
  assert.ok(token.length >= 32);
  assert.equal((await admin('GET', '/v1/admin/webhooks', undefined, '')).statusCode, 403);
  assert.equal((await admin('GET', '/v1/admin/webhooks', undefined, `Bearer ${token}x`)).json().code, 'admin.forbidden');
  assert.equal((await admin('GET', '/v1/admin/webhooks')).statusCode, 200);
  const short = await admin('POST', '/v1/admin/webhooks', { url: 'http://127.0.0.1:1/x', secret: 'short' });
  assert.equal(short.statusCode, 400);
  assert.equal(short.json().field, '/body/secret');
  const ftp = await admin('POST', '/v1/admin/webhooks', { url: 'ftp://example/x', secret: SECRET });
  assert.equal(ftp.statusCode, 400);
  assert.equal((await admin('DELETE', '/v1/admin/webhooks/wh_nope')).json().code, 'webhook.not_found');
  const off = await createApiServer({ node });
  assert.equal((await off.inject({ method: 'GET', url: '/v1/admin/webhooks', headers: { authorization: `Bearer ${token}` } })).json().code, 'admin.disabled');
  await off.close();
});

test('filters select events; bodies are signed; the cursor is durable', async () => {
  const all = await startReceiver(SECRET);
  const failedOnly = await startReceiver(SECRET);
  const a = (await admin('POST', '/v1/admin/webhooks', { url: all.url, secret: SECRET, filter: { modules: ['notary'], types: ['notary.anchored'] } })).json();
  const f = (await admin('POST', '/v1/admin/webhooks', { url: failedOnly.url, secret: SECRET, filter: { status: 'failed' } })).json();
  assert.equal(a.cursor, node.head()?.logSize ?? 0);
  const digest = 'ab'.repeat(32);
  for (const env of [anchorTx(chain.citizen), anchorTx(chain.citizen, 'govchain-dev', digest), anchorTx(chain.citizen, 'govchain-dev', digest)]) {
    const r = await app.inject({ method: 'POST', url: '/v1/txs?wait=commit', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(env) });
    assert.equal(r.statusCode, 200);
  }
  // Event type filter: the failed re-anchor emitted no notary.anchored event.
  await waitFor(() => all.processed.length === 2 && failedOnly.processed.length === 1, 10_000, 'deliveries');
  assert.ok(all.requests.every((q) => q.signatureOk) && failedOnly.requests.every((q) => q.signatureOk));
  const failed = JSON.parse(failedOnly.requests[0]!.body);
  assert.equal(failed.receipt.status, 'failed');
  assert.equal(failed.receipt.code, 'notary.already_anchored');
  assert.equal(failedOnly.requests[0]!.key, failed.id);
  // The cursor is on disk: a new dispatcher on the same folder sends nothing again.
  await waitFor(() => dispatcher.list().every((w) => w.cursor === node.head()!.logSize), 5000, 'cursors');
  const stored = JSON.parse(readFileSync(webhooksPath(chain.dir), 'utf8')).webhooks;
  assert.deepEqual(stored.map((w: { cursor: number }) => w.cursor), [node.head()!.logSize, node.head()!.logSize]);
  const second = new WebhookDispatcher(node, chain.dir);
  assert.deepEqual(second.list().map((w) => w.id).sort(), [a.id, f.id].sort());
  assert.equal((await admin('DELETE', `/v1/admin/webhooks/${a.id}`)).statusCode, 204);
  await all.close();
  await failedOnly.close();
});

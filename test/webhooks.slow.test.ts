// Webhooks with real processes: a node started with `govchain start`, a webhook registered
// with the CLI, a real HTTP receiver that fails the first attempts and is mid-request when
// the node is SIGKILLed. After a restart every matching event is delivered, each
// idempotency key is processed once by the receiver, every body carries a valid HMAC.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { randomBytes, toHex } from '@govchain/core';
import { readDemoIdentities } from '@govchain/node';
import { createGovchain } from '@govchain/sdk';
import { createKeyFileSigner } from '@govchain/sdk/node';
import { freePort, tempDir } from './support/chain.js';
import { govchain, startNodeProcess, type NodeProcess } from './support/processes.js';
import { startReceiver, waitFor, type Receiver } from './support/receiver.js';

const SECRET = 'a-webhook-secret-of-the-land-office';
let t: ReturnType<typeof tempDir>;
let data: string;
let node: NodeProcess | undefined;
let receiver: Receiver;

before(async () => {
  t = tempDir();
  data = join(t.dir, 'chain');
  assert.equal(govchain(['init', '--demo', '--data', data]).code, 0);
  process.env.GOVCHAIN_WEBHOOK_RETRY_MS = '50';
});
after(async () => {
  await node?.kill('SIGKILL');
  await receiver?.close();
  t.cleanup();
});

async function anchors(url: string, n: number, type: 'anchor' | 'batch' = 'anchor'): Promise<string[]> {
  const signer = createKeyFileSigner(readDemoIdentities(data).find((i) => i.role === 'citizen')!.keyFile);
  const sdk = createGovchain({ url, signer });
  const txids: string[] = [];
  for (let i = 0; i < n; i++) {
    if (type === 'anchor') txids.push((await sdk.notary.anchor({ digest: toHex(randomBytes(32)) })).txid);
    else txids.push((await sdk.notary.anchorBatch({ digests: [toHex(randomBytes(32)), toHex(randomBytes(32))] })).txid);
  }
  return txids;
}

test('every matching event is delivered across a SIGKILL and restart; each key processed once', async () => {
  // Requests 1-3 fail (500); request 6 is processed but answered only after the node is dead.
  receiver = await startReceiver(SECRET, (n) => (n <= 3 ? 500 : n === 6 ? 'hold' : 200), 2000);
  node = await startNodeProcess(data, await freePort());
  const env = { GOVCHAIN_DATA: data, GOVCHAIN_NODE: node.url };

  // Operator-only: without the token the route refuses.
  const denied = await fetch(`${node.url}/v1/admin/webhooks`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } });
  assert.equal(denied.status, 403);
  assert.equal(((await denied.json()) as { code: string }).code, 'admin.forbidden');
  const add = govchain(['webhook', 'add', '--url', receiver.url, '--secret', SECRET, '--type', 'notary.anchor', '--json'], { env });
  assert.equal(add.code, 0, add.stderr);
  const hook = JSON.parse(add.stdout);
  assert.match(hook.id, /^wh_/);

  const first = await anchors(node.url, 5);
  await anchors(node.url, 2, 'batch'); // filtered out: notary.anchor_batch
  await waitFor(() => receiver.requests.length >= 6, 20_000, 'the held request');
  await node.kill('SIGKILL'); // mid-delivery: request 6 processed, not yet acknowledged
  node = undefined;

  node = await startNodeProcess(data, await freePort());
  const later = await anchors(node.url, 3);
  const expected = [...first, ...later];
  await waitFor(() => receiver.processed.length >= expected.length, 30_000, `${expected.length} processed events`);
  await new Promise((r) => setTimeout(r, 300)); // nothing more should arrive

  const bodies = receiver.requests.map((q) => JSON.parse(q.body));
  assert.ok(receiver.requests.every((q) => q.signatureOk), 'every request carries a valid HMAC-SHA256 signature');
  assert.ok(bodies.every((b) => b.type === 'notary.anchor' && b.module === 'notary'), 'only notary.anchor events');
  // Each idempotency key processed once, and they are exactly the anchors, in log order.
  assert.equal(new Set(receiver.processed).size, receiver.processed.length);
  const byKey = new Map(bodies.map((b) => [b.id, b.receipt.txid]));
  assert.deepEqual(receiver.processed.map((k) => byKey.get(k)), expected);
  // The failures were retried, and the event in flight at the kill was sent again.
  assert.equal(receiver.requests.slice(0, 4).every((q) => q.key === receiver.requests[0]!.key), true);
  assert.ok(receiver.duplicates >= 1, `the interrupted event is redelivered (duplicates: ${receiver.duplicates})`);

  const list = govchain(['webhook', 'list', '--json'], { env: { GOVCHAIN_DATA: data, GOVCHAIN_NODE: node.url } });
  assert.equal(list.code, 0, list.stderr);
  const listed = JSON.parse(list.stdout).webhooks[0];
  assert.equal(listed.id, hook.id);
  assert.equal(listed.failures, 0);
  assert.ok(listed.delivered >= expected.length - 1);
  assert.equal(govchain(['webhook', 'remove', hook.id], { env: { GOVCHAIN_DATA: data, GOVCHAIN_NODE: node.url } }).code, 0);
  assert.equal(govchain(['webhook', 'remove', hook.id], { env: { GOVCHAIN_DATA: data, GOVCHAIN_NODE: node.url } }).code, 2);
});

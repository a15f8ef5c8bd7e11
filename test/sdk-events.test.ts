// The SDK's event stream over a real socket: from an index, resumed after a disconnect of
// the caller, and across connections dropped by the server mid-stream: every event once,
// in log order.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createApiServer } from '@govchain/api';
import type { GovchainNode } from '@govchain/node';
import { streamEvents, type ChainEvent } from '@govchain/sdk';
import type { FastifyInstance } from 'fastify';
import { anchorTx, demoChain, startNode } from './support/chain.js';

let chain: ReturnType<typeof demoChain>;
let node: GovchainNode;
let app: FastifyInstance;
let base: string;

before(async () => {
  chain = demoChain();
  node = await startNode(chain.dir);
  app = await createApiServer({ node });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  app.server.on('request', (req) => {
    if (req.url?.startsWith('/v1/events')) streams.add(req.socket);
  });
});

const streams = new Set<import('node:net').Socket>();
/** The node drops every open event stream (and nothing else). */
function dropStreams(): void {
  for (const s of streams) s.destroy();
  streams.clear();
}
after(async () => {
  app.server.closeAllConnections();
  await app.close();
  await node.stop();
  chain.cleanup();
});

async function submit(n: number): Promise<string[]> {
  const txids: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${base}/v1/txs?wait=commit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(anchorTx(chain.citizen)) });
    txids.push(((await res.json()) as { txid: string }).txid);
  }
  return txids;
}

async function take(n: number, opts: { from?: number; lastEventId?: number }, during?: (got: ChainEvent[]) => Promise<void>): Promise<ChainEvent[]> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), 15_000);
  const got: ChainEvent[] = [];
  const side = during === undefined ? Promise.resolve() : during(got);
  for await (const e of streamEvents({ url: base, ...opts, signal: ac.signal, reconnectMs: 50 })) {
    got.push(e);
    if (got.length === n) break;
  }
  clearTimeout(timer);
  await side;
  return got;
}

test('from an index, then resumed after the last id seen', async () => {
  const start = node.head()?.logSize ?? 0;
  const first = await submit(3);
  const a = await take(3, { from: start });
  assert.deepEqual(a.map((e) => e.id), [start, start + 1, start + 2]);
  assert.deepEqual(a.map((e) => e.receipt.txid), first);
  const more = await submit(2);
  const b = await take(2, { lastEventId: start + 2 });
  assert.deepEqual(b.map((e) => e.receipt.txid), more);
});

test('connections dropped by the server mid-stream: reconnects and loses nothing', async () => {
  const start = node.head()!.logSize;
  let expected: string[] = [];
  const got = await take(6, { from: start }, async (seen) => {
    expected.push(...(await submit(2)));
    while (seen.length < 2) await new Promise((r) => setTimeout(r, 10));
    dropStreams();
    expected.push(...(await submit(2)));
    await new Promise((r) => setTimeout(r, 100));
    dropStreams();
    expected.push(...(await submit(2)));
  });
  assert.deepEqual(got.map((e) => e.id), [0, 1, 2, 3, 4, 5].map((i) => start + i));
  assert.deepEqual(got.map((e) => e.receipt.txid), expected);
  expected = [];
});

// Server-Sent Events over a real socket: a subscriber that disconnects and comes back
// with Last-Event-ID receives every event it missed, once, in log order, then live ones.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createApiServer } from '@govchain/api';
import type { GovchainNode } from '@govchain/node';
import type { FastifyInstance } from 'fastify';
import { anchorTx, demoChain, startNode } from './support/chain.js';
import { readSse, type SseEvent } from './support/sse.js';

let chain: ReturnType<typeof demoChain>;
let node: GovchainNode;
let app: FastifyInstance;
let base: string;

before(async () => {
  chain = demoChain();
  node = await startNode(chain.dir);
  app = await createApiServer({ node });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
after(async () => {
  await app.close();
  await node.stop();
  chain.cleanup();
});

async function submit(n: number): Promise<string[]> {
  const txids: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${base}/v1/txs?wait=commit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(anchorTx(chain.citizen)) });
    assert.equal(res.status, 200);
    txids.push(((await res.json()) as { txid: string }).txid);
  }
  return txids;
}

/** Collect `count` events from a subscription, then disconnect. */
async function collect(count: number, lastEventId?: string, whileOpen?: () => Promise<void>, from = 0): Promise<SseEvent[]> {
  const ac = new AbortController();
  const events: SseEvent[] = [];
  const timer = setTimeout(() => ac.abort(), 10_000);
  const reading = (async () => {
    try {
      for await (const e of readSse(`${base}/v1/events?from=${from}`, { lastEventId, signal: ac.signal })) {
        events.push(e);
        if (events.length === count) break;
      }
    } catch (e) {
      if (!ac.signal.aborted) throw e;
    }
  })();
  if (whileOpen !== undefined) await whileOpen();
  await reading;
  clearTimeout(timer);
  ac.abort();
  return events;
}

test('Last-Event-ID resumes the stream without loss or duplicates', async () => {
  const start = node.head()!.logSize; // the demo cast's registrations come first
  const first = await submit(3);
  const seen = await collect(3, undefined, undefined, start);
  assert.deepEqual(seen.map((e) => Number(e.id)), [start, start + 1, start + 2]);
  assert.deepEqual(seen.map((e) => JSON.parse(e.data).txid), first);
  assert.ok(seen.every((e) => e.event === 'tx'));

  // While the subscriber is away, four more commit; it comes back naming the last id it saw.
  const missed = await submit(4);
  const later: string[] = [];
  const resumed = await collect(6, seen.at(-1)!.id, async () => {
    later.push(...(await submit(2)));
  });
  assert.deepEqual(resumed.map((e) => Number(e.id)), [3, 4, 5, 6, 7, 8].map((i) => start + i));
  assert.deepEqual(resumed.map((e) => JSON.parse(e.data).txid), [...missed, ...later]);
  // Each event is the receipt that the log commits to.
  for (const e of resumed) {
    const r = JSON.parse(e.data);
    const tx = (await (await fetch(`${base}/v1/txs/${r.txid}`)).json()) as { receipt: unknown; leafIndex: number };
    assert.deepEqual(tx.receipt, r);
    assert.equal(tx.leafIndex, Number(e.id));
  }
});

test('a new subscriber without Last-Event-ID or ?from starts with live events', async () => {
  const ac = new AbortController();
  const got: SseEvent[] = [];
  const headSize = node.head()!.logSize;
  const reading = (async () => {
    try {
      for await (const e of readSse(`${base}/v1/events`, { signal: ac.signal })) {
        got.push(e);
        break;
      }
    } catch (e) {
      if (!ac.signal.aborted) throw e;
    }
  })();
  await new Promise((r) => setTimeout(r, 100));
  const [txid] = await submit(1);
  await reading;
  ac.abort();
  assert.equal(got.length, 1);
  assert.equal(Number(got[0]!.id), headSize);
  assert.equal(JSON.parse(got[0]!.data).txid, txid);
});

import { test } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import assert from 'node:assert/strict';
import { createSoloOrderer } from './solo.js';
import type { OrderedBlock } from './orderer.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const tx = (i: number) => ({ txid: i.toString(16).padStart(64, '0'), envelope: `{"n":${i}}` });

test('solo: a full block is cut at once; blocks come one at a time with rising heights', async () => {
  const blocks: OrderedBlock[] = [];
  let inHandler = 0;
  let overlap = false;
  const o = createSoloOrderer({ blockIntervalMs: 10_000, maxBlockTxs: 3 });
  await o.start({ height: 4, time: '2026-01-01T00:00:00.000Z' }, async (b) => {
    inHandler++;
    if (inHandler > 1) overlap = true;
    blocks.push(b);
    await sleep(20);
    inHandler--;
  });
  for (let i = 0; i < 7; i++) await o.submit(tx(i));
  await sleep(150);
  await o.close();
  // 7 txs, at most 3 per block, interval far away: two full blocks; the seventh waits.
  assert.deepEqual(blocks.map((b) => b.height), [5, 6]);
  assert.deepEqual(blocks.map((b) => b.txs.length), [3, 3]);
  assert.equal(overlap, false);
  assert.ok(Date.parse(blocks[1]!.time) >= Date.parse(blocks[0]!.time));
});

test('solo: an idle orderer cuts at once; later cuts come one interval after the previous cut, and a slow block is followed at once', async () => {
  const cutAt: number[] = [];
  const sizes: number[] = [];
  const o = createSoloOrderer({ blockIntervalMs: 200, maxBlockTxs: 1000 });
  await o.start({ height: 0, time: '2026-01-01T00:00:00.000Z' }, async (b) => {
    cutAt.push(performance.now());
    sizes.push(b.txs.length);
    if (b.height === 2) await sleep(300); // a slow block
  });
  const t0 = performance.now();
  await o.submit(tx(1)); // idle: cut at once (block 1)
  await sleep(20);
  await o.submit(tx(2)); // waits for the interval since block 1 (block 2, ~200 ms, slow until ~500 ms)
  await o.submit(tx(3));
  await sleep(250);
  await o.submit(tx(4)); // ~270 ms: behind the slow block; its interval since block 2's cut ends at ~400 ms
  await sleep(700);
  await o.close();
  assert.deepEqual(sizes, [1, 2, 1]);
  // (Upper bounds leave room for a loaded machine; the old rule, an interval from the first
  // waiting transaction, would cut tx 1 at ~200 ms together with txs 2 and 3.)
  assert.ok(cutAt[0]! - t0 < 120, `first cut after ${(cutAt[0]! - t0).toFixed(0)} ms`);
  const second = cutAt[1]! - cutAt[0]!;
  assert.ok(second >= 190 && second < 450, `second cut ${second.toFixed(0)} ms after the first`);
  // Block 2 is handed over ~300 ms after its cut, past its interval: block 3 follows at once.
  const third = cutAt[2]! - cutAt[1]!;
  assert.ok(third >= 290 && third < 600, `third cut ${third.toFixed(0)} ms after the second`);
});

test('solo: a cut waits for the I/O callbacks already pending, so what was admitted meanwhile joins the block', async () => {
  const sizes: number[] = [];
  const o = createSoloOrderer({ blockIntervalMs: 50, maxBlockTxs: 1000 });
  await o.start({ height: 0, time: '2026-01-01T00:00:00.000Z' }, async (b) => void sizes.push(b.txs.length));
  await o.submit(tx(1));
  await sleep(100); // block 1: tx 1
  // The interval is over, so the cut for tx 3 is due at once; meanwhile a verifier thread's
  // answer (a message, an I/O callback) that submits tx 2 is already pending while this
  // thread is busy (a block executing).
  const channel = new MessageChannel();
  channel.port2.once('message', () => void o.submit(tx(2)));
  await o.submit(tx(3));
  channel.port1.postMessage('checked');
  const until = performance.now() + 20;
  while (performance.now() < until); // busy: the cut's timer and the message are both due
  await sleep(100);
  channel.port1.close();
  await o.close();
  assert.deepEqual(sizes, [1, 2]);
});

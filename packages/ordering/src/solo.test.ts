import { test } from 'node:test';
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

test('solo: a transaction waiting behind a slow block is cut one interval after it arrived, not after the block', async () => {
  const cutAt: number[] = [];
  const o = createSoloOrderer({ blockIntervalMs: 200, maxBlockTxs: 1000 });
  await o.start({ height: 0, time: '2026-01-01T00:00:00.000Z' }, async () => {
    cutAt.push(performance.now());
    await sleep(300); // a slow block
  });
  const t0 = performance.now();
  await o.submit(tx(1)); // cut at ~200 ms, handled until ~500 ms
  await sleep(250);
  const arrived = performance.now(); // ~250 ms: waits behind the slow block
  await o.submit(tx(2));
  await sleep(800);
  await o.close();
  assert.equal(cutAt.length, 2);
  assert.ok(cutAt[0]! - t0 >= 190, `first cut after ${cutAt[0]! - t0} ms`);
  // Its interval ends at ~450 ms, during the slow block, so it is cut as soon as that block
  // is handed over (~500 ms: waited ~250 ms); counting from the end of the block would cut
  // it at ~700 ms (waited ~450 ms).
  const waited = cutAt[1]! - arrived;
  assert.ok(waited >= 190 && waited < 380, `second transaction waited ${waited.toFixed(0)} ms`);
});

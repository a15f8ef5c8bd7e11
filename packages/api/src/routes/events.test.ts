import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { utf8 } from '@govchain/core';
import { streamEvents, type EventSource } from './events.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A chain of `size` receipts that grows on `commit(n)`, counting leaf reads. */
function chain(size: number): EventSource & { reads: number; commit(n: number): void } {
  const listeners = new Set<() => void>();
  const c = {
    size,
    reads: 0,
    head: () => ({ logSize: c.size }),
    store: {
      leaf: (i: number) => {
        c.reads++;
        return i < c.size ? utf8(JSON.stringify({ txid: String(i).padStart(64, '0'), height: 1, index: i, status: 'ok' })) : undefined;
      },
    },
    onCommit(l: () => void) {
      listeners.add(l);
      return () => void listeners.delete(l);
    },
    commit(n: number) {
      c.size += n;
      for (const l of listeners) l();
    },
  };
  return c;
}

/** A client socket: takes data only while `reading`, so the stream sees backpressure. */
function client(): { out: Writable; ids: number[]; read(on: boolean): void } {
  let reading = false;
  let pending: (() => void) | undefined;
  const ids: number[] = [];
  const out = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _enc, done) {
      for (const m of chunk.toString().matchAll(/^id: (\d+)$/gm)) ids.push(Number(m[1]));
      if (reading) done();
      else pending = done;
    },
  });
  return {
    out,
    ids,
    read(on) {
      reading = on;
      if (on && pending !== undefined) {
        const d = pending;
        pending = undefined;
        d();
      }
    },
  };
}

test('a client that does not read holds up the stream instead of the node buffering the history; it gets every event once it reads', async () => {
  const src = chain(100_000);
  const c = client();
  const stop = streamEvents(src, c.out, 10);
  await sleep(100);
  // One chunk at most was read from storage while the client took nothing.
  assert.ok(src.reads <= 1000, `${src.reads} leaves read for a client that reads nothing`);
  assert.ok(c.out.writableLength < 200 * 1024, `${c.out.writableLength} bytes buffered`);
  c.read(true);
  src.commit(5); // live events come after the history, from storage too
  for (let i = 0; i < 200 && c.ids.length < 100_000 - 10 + 5; i++) await sleep(20);
  stop();
  assert.equal(c.ids.length, 100_000 - 10 + 5);
  assert.ok(c.ids.every((id, i) => id === 10 + i), 'every event once, in order');
});

test('a client that takes nothing for the stall time is disconnected', async () => {
  const src = chain(100_000);
  const c = client();
  streamEvents(src, c.out, 0, { stallMs: 100 });
  await sleep(300);
  assert.equal(c.out.destroyed, true);
  const reads = src.reads;
  src.commit(10);
  await sleep(50);
  assert.equal(src.reads, reads, 'nothing is read for a closed stream');
});

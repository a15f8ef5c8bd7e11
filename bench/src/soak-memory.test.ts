import { test } from 'node:test';
import assert from 'node:assert/strict';
import { floorPoints, leastSquaresSlope, seriesTrend, seriesVerdict, type MemorySample } from './soak-memory.js';

const MiB = 2 ** 20;
const SECONDS = 600;
const WARMUP = 150;
/** A 600-s soak sampled every 5 s, anonymous RSS from `anonMiB(t)`. */
const soak = (anonMiB: (t: number) => number): MemorySample[] =>
  Array.from({ length: SECONDS / 5 + 1 }, (_, i) => {
    const t = i * 5;
    return { t, rss: NaN, anon: anonMiB(t) * MiB, heapUsed: 50 * MiB, heapTotal: 90 * MiB, external: NaN, arrayBuffers: NaN, heapLive: NaN, mempool: 0, workersHeap: NaN };
  });
const verdict = (anonMiB: (t: number) => number): string | undefined => seriesVerdict('anonymous RSS', seriesTrend(soak(anonMiB), 'anon', SECONDS, WARMUP), 64 * MiB, SECONDS, WARMUP);
/** GC sawtooth: up to 40 MiB of garbage collected every 30 s. */
const sawtooth = (t: number): number => ((t % 30) / 30) * 40;

test('least-squares slope of a line is its slope', () => {
  assert.equal(leastSquaresSlope([0, 1, 2, 3].map((t) => ({ t, y: 5 + 2 * t }))), 2);
  assert.ok(Number.isNaN(leastSquaresSlope([{ t: 0, y: 1 }])));
});

test('flat memory with GC noise passes', () => {
  assert.equal(verdict((t) => 200 + sawtooth(t)), undefined);
});

test('a plateau reached after warm-up passes even above the growth bound', () => {
  // +100 MiB between 200 s and 260 s (a backlog; V8 and malloc keep it), flat since.
  assert.equal(verdict((t) => 200 + Math.min(100, Math.max(0, t - 200) * (100 / 60)) + sawtooth(t)), undefined);
});

test('a steady leak that grows past the bound over the window fails', () => {
  // 10 MiB/min: 75 MiB over the 7.5 post-warm-up minutes.
  const v = verdict((t) => 200 + (t / 60) * 10 + sawtooth(t));
  assert.match(v ?? '', /still growing 10\.\d MiB\/min in the second half/);
});

test('growth within the bound passes whatever the slope', () => {
  assert.equal(verdict((t) => 200 + (t / 60) * 5), undefined);
});

/** A 30-s soak (CI's short mode) sampled every second: warm-up 10 s. */
const shortVerdict = (anonMiB: (t: number) => number): string | undefined => {
  const samples = Array.from({ length: 32 }, (_, t) => ({ t, rss: NaN, anon: anonMiB(t) * MiB, heapUsed: NaN, heapTotal: NaN, external: NaN, arrayBuffers: NaN, heapLive: NaN, mempool: 0, workersHeap: NaN }));
  return seriesVerdict('anonymous RSS', seriesTrend(samples, 'anon', 30, 10), 64 * MiB, 30, 10);
};

test('a short soak ending at the top of a collection cycle passes', () => {
  // V8 commits heap for garbage until the next major collection: 70 MiB up over 12 s, then
  // back (a CI run: 183 MiB after warm-up, 251 MiB in the last samples, a 198 MiB floor).
  assert.equal(shortVerdict((t) => 180 + ((t % 12) / 12) * 70), undefined);
});

test('the floor is the smallest sample of each slice after warm-up', () => {
  const points = [0, 5, 10, 12, 15, 19, 20, 25, 30].map((t) => ({ t, y: t === 12 ? 1 : 100 + t }));
  assert.deepEqual(floorPoints(points, 10, 10), [{ t: 15, y: 1 }, { t: 25, y: 120 }]);
});

test('a gross leak fails even a short soak', () => {
  // 8 MiB/s: 160 MiB over the 20 post-warm-up seconds, 80 MiB between the two floors.
  assert.match(shortVerdict((t) => 180 + 8 * t + ((t % 12) / 12) * 40) ?? '', /anonymous RSS grew \d+\.\d MiB after warm-up/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leastSquaresSlope, seriesTrend, seriesVerdict, type MemorySample } from './soak-memory.js';

const MiB = 2 ** 20;
const SECONDS = 600;
const WARMUP = 150;
/** A 600-s soak sampled every 5 s, anonymous RSS from `anonMiB(t)`. */
const soak = (anonMiB: (t: number) => number): MemorySample[] =>
  Array.from({ length: SECONDS / 5 + 1 }, (_, i) => {
    const t = i * 5;
    return { t, rss: NaN, anon: anonMiB(t) * MiB, heapUsed: 50 * MiB, heapTotal: 90 * MiB, external: NaN, arrayBuffers: NaN, heapLive: NaN, mempool: 0 };
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

/**
 * The soak's memory series and the test that tells a leak from a plateau (docs/faults.md,
 * "Memory bound"). Pure: samples in, figures out.
 *
 * A leak is memory kept per unit of work (per transaction, per block): under a steady load it
 * grows at a steady rate for as long as the load lasts. A plateau is memory that grows while
 * something fills (V8 growing its heap after a backlog, malloc arenas, LMDB and V8 caches)
 * and then stays. So the soak judges anonymous RSS by two figures over the post-warm-up
 * window: its growth from the end of warm-up to the end, and the least-squares slope over the
 * second half of the soak. A plateau reached after warm-up may exceed the growth bound and is
 * still flat in the second half; a leak keeps its slope to the end.
 */
import { median } from './harness.js';

/** One sample of a node process. Sizes in bytes, NaN when not available. */
export interface MemorySample {
  /** Seconds since the soak's schedule began. */
  t: number;
  /** Resident set size (VmRSS): anonymous + file-backed (LMDB's mapped pages) + shared. */
  rss: number;
  /** Anonymous resident memory (RssAnon): JS heaps of every thread, native allocations. */
  anon: number;
  /** V8 heap of the main thread in use and committed (process.memoryUsage heapUsed/heapTotal). */
  heapUsed: number;
  heapTotal: number;
  /** Memory of C++ objects bound to JS objects, including ArrayBuffers (external). */
  external: number;
  /** ArrayBuffer and Buffer memory, part of external. */
  arrayBuffers: number;
  /** Transactions admitted by the node and not yet committed. */
  mempool: number;
}

/** Anonymous RSS over the soak and the figures the memory check uses. */
export interface MemoryTrend {
  /** Anonymous RSS at 25, 50, 75 and 100% of the soak (median of the samples nearest). */
  anonAt: [number, number, number, number];
  /** Anonymous RSS at the end of warm-up and at the end (medians of 3 samples). */
  anonAfterWarmup: number;
  anonEnd: number;
  anonGrowth: number;
  /** Least-squares slope of anonymous RSS, bytes per minute, after warm-up and over the second half. */
  slopeAfterWarmup: number;
  slopeSecondHalf: number;
  /** Largest and last main-thread V8 heap in use and committed. */
  heapUsedPeak: number;
  heapTotalPeak: number;
  heapTotalEnd: number;
}

/** Least-squares slope of `y` against `t` (units of y per unit of t); NaN with fewer than 3 points. */
export function leastSquaresSlope(points: ReadonlyArray<{ t: number; y: number }>): number {
  const p = points.filter((q) => Number.isFinite(q.t) && Number.isFinite(q.y));
  if (p.length < 3) return NaN;
  const mt = p.reduce((a, q) => a + q.t, 0) / p.length;
  const my = p.reduce((a, q) => a + q.y, 0) / p.length;
  let num = 0;
  let den = 0;
  for (const q of p) {
    num += (q.t - mt) * (q.y - my);
    den += (q.t - mt) ** 2;
  }
  return den === 0 ? NaN : num / den;
}

/** The median of the anonymous RSS of the (up to) 3 samples nearest to time `t`. */
function anonNear(samples: readonly MemorySample[], t: number): number {
  const near = [...samples].sort((a, b) => Math.abs(a.t - t) - Math.abs(b.t - t)).slice(0, 3);
  return near.length === 0 ? NaN : median(near.map((s) => s.anon));
}

const maxOf = (xs: number[]): number => xs.filter(Number.isFinite).reduce((a, b) => Math.max(a, b), -Infinity);

/**
 * The trend of a node's anonymous RSS over a soak of `seconds` whose first `warmup` seconds
 * are warm-up. Samples must be in time order.
 */
export function memoryTrend(samples: readonly MemorySample[], seconds: number, warmup: number): MemoryTrend {
  const s = samples.filter((x) => Number.isFinite(x.anon));
  const after = s.filter((x) => x.t >= warmup);
  const anonAfterWarmup = after.length === 0 ? NaN : median(after.slice(0, 3).map((x) => x.anon));
  const anonEnd = s.length === 0 ? NaN : median(s.slice(-3).map((x) => x.anon));
  const perMinute = (from: number): number => leastSquaresSlope(s.filter((x) => x.t >= from).map((x) => ({ t: x.t / 60, y: x.anon })));
  return {
    anonAt: [0.25, 0.5, 0.75, 1].map((f) => anonNear(s, f * seconds)) as MemoryTrend['anonAt'],
    anonAfterWarmup,
    anonEnd,
    anonGrowth: anonEnd - anonAfterWarmup,
    slopeAfterWarmup: perMinute(warmup),
    slopeSecondHalf: perMinute(seconds / 2),
    heapUsedPeak: maxOf(samples.map((x) => x.heapUsed)),
    heapTotalPeak: maxOf(samples.map((x) => x.heapTotal)),
    heapTotalEnd: [...samples].reverse().find((x) => Number.isFinite(x.heapTotal))?.heapTotal ?? NaN,
  };
}

/**
 * The soak's memory verdict for one node: undefined when it passes, else why it fails.
 * A node fails when its anonymous RSS grew more than `boundBytes` from the end of warm-up to
 * the end *and* was still growing in the second half at least at the rate that adds
 * `boundBytes` over the post-warm-up window (`boundBytes / (seconds - warmup)` per second).
 * A steady leak meets both at once (one that just fills the bound over the window has
 * exactly that slope), so the soak catches the same leaks as a bound on growth alone; what
 * it no longer counts as a leak is growth that stopped: memory that rose while something
 * filled (a backlog, V8 growing its heap, malloc's arenas) and stayed flat since.
 */
export function memoryVerdict(trend: MemoryTrend, boundBytes: number, seconds: number, warmup: number): string | undefined {
  const boundSlope = leakSlopeBound(boundBytes, seconds, warmup);
  const MiB = 2 ** 20;
  if (!Number.isFinite(trend.anonGrowth)) return 'no anonymous RSS samples after warm-up';
  if (trend.anonGrowth <= boundBytes) return undefined;
  // With too few samples for a slope, growth alone decides.
  if (Number.isFinite(trend.slopeSecondHalf) && trend.slopeSecondHalf <= boundSlope) return undefined;
  return `anonymous RSS grew ${(trend.anonGrowth / MiB).toFixed(1)} MiB after warm-up (bound ${(boundBytes / MiB).toFixed(0)} MiB) and was still growing ${(trend.slopeSecondHalf / MiB).toFixed(1)} MiB/min in the second half (bound ${(boundSlope / MiB).toFixed(1)} MiB/min)`;
}

/** The second-half slope above which growth beyond the bound counts as a leak, bytes per minute. */
export function leakSlopeBound(boundBytes: number, seconds: number, warmup: number): number {
  return boundBytes / ((seconds - warmup) / 60);
}

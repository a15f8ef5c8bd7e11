/**
 * The soak's memory series and the test that tells a leak from a plateau (docs/faults.md,
 * "Memory check"). Pure: samples in, figures out.
 *
 * A leak is memory kept per unit of work (per transaction, per block): under a steady load it
 * grows at a steady rate for as long as the load lasts. A plateau is memory that grows while
 * something fills (V8 growing its heap after a backlog, malloc arenas, LMDB and V8 caches)
 * and then stays. So the soak judges a figure (anonymous RSS; the live JS heap) by two numbers
 * over the post-warm-up window: its growth from the end of warm-up to the end, and the
 * least-squares slope over the second half of the soak. A plateau reached after warm-up may
 * exceed the growth bound and is flat in the second half; a leak keeps its slope to the end.
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
  /** Main-thread V8 heap in use just after the last full collection (NaN before the first). */
  heapLive: number;
  /** Transactions admitted by the node and not yet committed. */
  mempool: number;
}

/** One figure of a node over the soak (anonymous RSS, live heap), bytes. */
export interface SeriesTrend {
  /** At 25, 50, 75 and 100% of the soak (median of the 3 samples nearest). */
  at: [number, number, number, number];
  /** At the end of warm-up and at the end (medians of 3 samples), and the difference. */
  afterWarmup: number;
  end: number;
  growth: number;
  /** Least-squares slope, bytes per minute, after warm-up and over the second half. */
  slopeAfterWarmup: number;
  slopeSecondHalf: number;
}

/** A node's memory over the soak: the figures the memory check uses, and peaks. */
export interface MemoryTrend {
  anon: SeriesTrend;
  /** Main-thread V8 heap in use just after full collections: what the program retains. */
  live: SeriesTrend;
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

const maxOf = (xs: number[]): number => xs.filter(Number.isFinite).reduce((a, b) => Math.max(a, b), -Infinity);

/** The trend of one figure over a soak of `seconds` whose first `warmup` seconds are warm-up. */
export function seriesTrend(samples: readonly MemorySample[], figure: 'anon' | 'heapLive', seconds: number, warmup: number): SeriesTrend {
  const s = samples.filter((x) => Number.isFinite(x[figure])).map((x) => ({ t: x.t, y: x[figure] }));
  const mid = (xs: Array<{ y: number }>): number => (xs.length === 0 ? NaN : median(xs.map((x) => x.y)));
  const near = (t: number): number => mid([...s].sort((a, b) => Math.abs(a.t - t) - Math.abs(b.t - t)).slice(0, 3));
  const afterWarmup = mid(s.filter((x) => x.t >= warmup).slice(0, 3));
  const end = mid(s.slice(-3));
  const perMinute = (from: number): number => leastSquaresSlope(s.filter((x) => x.t >= from).map((x) => ({ t: x.t / 60, y: x.y })));
  return {
    at: [0.25, 0.5, 0.75, 1].map((f) => near(f * seconds)) as SeriesTrend['at'],
    afterWarmup,
    end,
    growth: end - afterWarmup,
    slopeAfterWarmup: perMinute(warmup),
    slopeSecondHalf: perMinute(seconds / 2),
  };
}

/** A node's memory trend over a soak (samples in time order). */
export function memoryTrend(samples: readonly MemorySample[], seconds: number, warmup: number): MemoryTrend {
  return {
    anon: seriesTrend(samples, 'anon', seconds, warmup),
    live: seriesTrend(samples, 'heapLive', seconds, warmup),
    heapUsedPeak: maxOf(samples.map((x) => x.heapUsed)),
    heapTotalPeak: maxOf(samples.map((x) => x.heapTotal)),
    heapTotalEnd: [...samples].reverse().find((x) => Number.isFinite(x.heapTotal))?.heapTotal ?? NaN,
  };
}

/**
 * The verdict on one figure of a node: undefined when it passes, else why it fails. It fails
 * when the figure grew more than `boundBytes` from the end of warm-up to the end *and* was
 * still growing in the second half at least at the rate that adds `boundBytes` over the
 * post-warm-up window (`leakSlopeBound`). A steady leak meets both at once (one that just
 * fills the bound over the window has exactly that slope), so this catches the same steady
 * leaks as a bound on growth alone; what it does not count as a leak is growth that stopped:
 * memory that rose while something filled (a backlog, V8 growing its heap, malloc's arenas)
 * and stayed flat since.
 */
export function seriesVerdict(what: string, trend: SeriesTrend, boundBytes: number, seconds: number, warmup: number): string | undefined {
  const boundSlope = leakSlopeBound(boundBytes, seconds, warmup);
  const MiB = 2 ** 20;
  if (!Number.isFinite(trend.growth)) return `no ${what} samples after warm-up`;
  if (trend.growth <= boundBytes) return undefined;
  // With too few samples for a slope, growth alone decides.
  if (Number.isFinite(trend.slopeSecondHalf) && trend.slopeSecondHalf <= boundSlope) return undefined;
  return `${what} grew ${(trend.growth / MiB).toFixed(1)} MiB after warm-up (bound ${(boundBytes / MiB).toFixed(0)} MiB) and was still growing ${(trend.slopeSecondHalf / MiB).toFixed(1)} MiB/min in the second half (bound ${(boundSlope / MiB).toFixed(1)} MiB/min)`;
}

/** The second-half slope above which growth beyond `boundBytes` counts as a leak, bytes per minute. */
export function leakSlopeBound(boundBytes: number, seconds: number, warmup: number): number {
  return boundBytes / ((seconds - warmup) / 60);
}

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
 *
 * Both are taken on the figure's floor: the post-warm-up window is cut into slices of
 * `floorSliceSeconds` and each slice stands for its smallest sample. Between two major
 * collections V8 lets garbage pile up and commits heap for it (anonymous RSS rose 30-70 MiB
 * and fell back every 10-15 s in a 30 s soak), so a single sample, or the median of three,
 * carries the collector's phase; the floor is what the node could not give back, and a leak
 * raises it at the leak's rate. A slice spans at least one collection cycle (10 s, or a
 * twelfth of the window in long soaks).
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
  /** V8 heap committed by the verifier worker threads, all together (part of anon, not of heapTotal). */
  workersHeap: number;
}

/** One figure of a node over the soak (anonymous RSS, live heap), bytes. */
export interface SeriesTrend {
  /** At 25, 50, 75 and 100% of the soak (median of the 3 samples nearest). */
  at: [number, number, number, number];
  /** The floor (floorPoints) in the first and the last slice after warm-up, and the difference. */
  afterWarmup: number;
  end: number;
  growth: number;
  /** Least-squares slope of the floor, bytes per minute, after warm-up and over the second half (NaN under 3 slices). */
  slopeAfterWarmup: number;
  slopeSecondHalf: number;
}

/** A node's memory over the soak: the figures the memory check uses, and peaks. */
export interface MemoryTrend {
  anon: SeriesTrend;
  /** Main-thread V8 heap in use just after full collections: what the program retains. */
  live: SeriesTrend;
  /** Verifier threads' committed heap (shown, not judged: it is part of anonymous RSS). */
  workers: SeriesTrend;
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

/** Length of the slices whose minima form a figure's floor, seconds: a collection cycle or more. */
export function floorSliceSeconds(seconds: number, warmup: number): number {
  return Math.max(10, (seconds - warmup) / 12);
}

/**
 * The floor of a series after warm-up: one point per slice of `slice` seconds from `warmup` on,
 * at the slice's middle, valued at its smallest sample. A last slice shorter than half a slice
 * joins the one before it (it would hold too few samples to reach a trough).
 */
export function floorPoints(points: ReadonlyArray<{ t: number; y: number }>, warmup: number, slice: number): Array<{ t: number; y: number }> {
  const after = points.filter((p) => p.t >= warmup);
  if (after.length === 0) return [];
  const last = after.at(-1)!.t;
  const count = Math.max(1, Math.round((last - warmup) / slice));
  const width = (last - warmup) / count || slice;
  const floors = Array.from({ length: count }, (_, i) => ({ t: warmup + (i + 0.5) * width, y: Infinity }));
  for (const p of after) {
    const i = Math.min(count - 1, Math.floor((p.t - warmup) / width));
    floors[i]!.y = Math.min(floors[i]!.y, p.y);
  }
  return floors.filter((f) => Number.isFinite(f.y));
}

/** The trend of one figure over a soak of `seconds` whose first `warmup` seconds are warm-up. */
export function seriesTrend(samples: readonly MemorySample[], figure: 'anon' | 'heapLive' | 'workersHeap', seconds: number, warmup: number): SeriesTrend {
  const s = samples.filter((x) => Number.isFinite(x[figure])).map((x) => ({ t: x.t, y: x[figure] }));
  const mid = (xs: Array<{ y: number }>): number => (xs.length === 0 ? NaN : median(xs.map((x) => x.y)));
  const near = (t: number): number => mid([...s].sort((a, b) => Math.abs(a.t - t) - Math.abs(b.t - t)).slice(0, 3));
  const floors = floorPoints(s, warmup, floorSliceSeconds(seconds, warmup));
  const afterWarmup = floors[0]?.y ?? NaN;
  const end = floors.at(-1)?.y ?? NaN;
  const perMinute = (from: number): number => leastSquaresSlope(floors.filter((x) => x.t >= from).map((x) => ({ t: x.t / 60, y: x.y })));
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
    workers: seriesTrend(samples, 'workersHeap', seconds, warmup),
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

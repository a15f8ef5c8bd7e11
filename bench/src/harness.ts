/**
 * The benchmark harness: runs scenarios several times, aggregates each figure as
 * min / median / max, records the conditions (machine, Node, storage, mix, sizes,
 * durations), and renders the JSON result and the Markdown of docs/benchmarks.md.
 */
import { execFileSync } from 'node:child_process';
import { cpus, totalmem, tmpdir } from 'node:os';

/** One measured figure: every sample of it, with what it means and how it was taken. */
export interface Figure {
  /** Stable id, e.g. `node.tps.notary`. */
  id: string;
  /** Human name, e.g. "node: signed tx/s (notary mix)". */
  name: string;
  unit: string;
  samples: number[];
  /** How it was measured: mix, sizes, durations, concurrency. */
  conditions: string;
  /** Which direction is better, for the reader. */
  better: 'higher' | 'lower' | 'n/a';
  digits?: number;
}

/** What the harness hands a scenario's run. */
export interface RunOptions {
  quick: boolean;
  runIndex: number;
  /**
   * Start the `prepare` step of every selected scenario (once; later calls return the same
   * promise). A scenario calls it before long unmeasured work that leaves a core idle, and
   * awaits it before it measures anything.
   */
  prepareAhead?: () => Promise<void>;
}

/** A scenario: measures some figures; `repeat` means the harness runs it `runs` times. */
export interface Scenario {
  name: string;
  repeat: boolean;
  run(opts: RunOptions): Promise<Figure[]>;
  /** Unmeasured set-up (pre-signing) that may run during an earlier scenario's unmeasured builds. */
  prepare?(opts: { quick: boolean }): Promise<void>;
}

/** The machine and software a result was measured on. */
export interface Machine {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  os: string;
  storage: string;
  date: string;
}

export function describeMachine(): Machine {
  let storage = 'unknown filesystem';
  try {
    const out = execFileSync('df', ['-T', tmpdir()], { encoding: 'utf8' }).trim().split('\n')[1]?.split(/\s+/);
    if (out !== undefined) storage = `LMDB on ${out[1]} (${out[0]})`;
  } catch {
    // df missing: keep unknown
  }
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    os: `${process.platform} ${process.arch}`,
    storage,
    date: new Date().toISOString(),
  };
}

export interface Aggregate {
  id: string;
  name: string;
  unit: string;
  min: number;
  median: number;
  max: number;
  runs: number;
  conditions: string;
  better: Figure['better'];
  digits: number;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Percentile p (0-100) of `sorted` (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Merge figures of several runs by id. */
export function aggregate(figures: Figure[]): Aggregate[] {
  const byId = new Map<string, Figure>();
  for (const f of figures) {
    const seen = byId.get(f.id);
    if (seen === undefined) byId.set(f.id, { ...f, samples: [...f.samples] });
    else seen.samples.push(...f.samples);
  }
  return [...byId.values()].map((f) => ({
    id: f.id,
    name: f.name,
    unit: f.unit,
    min: Math.min(...f.samples),
    median: median(f.samples),
    max: Math.max(...f.samples),
    runs: f.samples.length,
    conditions: f.conditions,
    better: f.better,
    digits: f.digits ?? 0,
  }));
}

const fmt = (x: number, digits: number): string => (Number.isFinite(x) ? x.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a');

/** The Markdown table of aggregates. */
export function markdownTable(rows: Aggregate[]): string {
  const lines = ['| figure | median | min | max | unit | runs | conditions |', '|---|---:|---:|---:|---|---:|---|'];
  for (const r of rows) lines.push(`| ${r.name} | **${fmt(r.median, r.digits)}** | ${fmt(r.min, r.digits)} | ${fmt(r.max, r.digits)} | ${r.unit} | ${r.runs} | ${r.conditions} |`);
  return lines.join('\n');
}

/** A plain-text table for the terminal. */
export function textTable(rows: Aggregate[]): string {
  const cells = rows.map((r) => [r.name, fmt(r.median, r.digits), `${fmt(r.min, r.digits)} - ${fmt(r.max, r.digits)}`, r.unit]);
  const head = ['figure', 'median', 'min - max', 'unit'];
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]): string => c.map((x, i) => (i === 1 || i === 2 ? x.padStart(w[i]!) : x.padEnd(w[i]!))).join('  ');
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...cells.map(line)].join('\n');
}

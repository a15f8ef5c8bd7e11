/**
 * `npm run test:soak`: sustained load against (a) one node process and (b) the 4-validator
 * network (3 nats-server, 4 validators and an observer, each its own process), see
 * docs/faults.md. For each target, in one run:
 *   1. capacity: a short burst of fire-and-forget submissions (202) until committed;
 *   2. soak: an open-loop schedule of wait=commit submissions at SOAK_LOAD of capacity
 *      (soak-load.ts, its own process), sampling every node's memory (RSS, anonymous RSS
 *      from /proc; V8 heap used and committed, external and ArrayBuffer memory, mempool
 *      from /metrics);
 *   3. checks: zero 5xx and zero unanswered requests; every acknowledged transaction is in
 *      the chain exactly once; every node ends with identical roots; no memory leak
 *      (soak-memory.ts: anonymous RSS grew more than MEMORY_BOUND_MIB after warm-up and
 *      still grows in the second half).
 * GOVCHAIN_SOAK_SECONDS (default 600) sets the soak length per target; GOVCHAIN_SOAK_TARGETS
 * (default "node,network") which targets run; GOVCHAIN_SOAK_KEEP=1 keeps the data folders
 * and node logs (e.g. with GOVCHAIN_NODE_EXEC_ARGV=--trace-gc). Prints a summary table and a
 * memory trend line per node, writes bench-results/soak-<date>.json (every memory sample of
 * every node), exits 1 when a check fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_MAIN, freeTcpPort, startLocalNetwork, type LocalNetwork } from '@govchain/cli';
import { describeMachine, percentile } from './harness.js';
import { load } from './network.js';
import { presign } from './sign.js';
import { leakSlopeBound, memoryTrend, seriesVerdict, type MemorySample, type MemoryTrend } from './soak-memory.js';

// Capacity, not abuse limits: the load comes from one IP and a few signers.
process.env.GOVCHAIN_RATE_LIMIT_IP = '0';
process.env.GOVCHAIN_RATE_LIMIT_SIGNER = '0';

const SECONDS = Number(process.env.GOVCHAIN_SOAK_SECONDS ?? 600);
const TARGETS = (process.env.GOVCHAIN_SOAK_TARGETS ?? 'node,network').split(',');
/** Share of measured capacity the soak runs at. */
const SOAK_LOAD = 0.7;
/**
 * Growth of a node's anonymous RSS (JS heaps + native allocations, not LMDB's mapped file
 * pages) from the end of warm-up to the end of the soak beyond which, if it is still growing
 * in the second half (soak-memory.ts `seriesVerdict`), the node leaks. A node keeps no
 * per-transaction memory once a transaction commits: what stays is bounded (signature tally
 * of the last 1,000 heights, 10,000 certification timestamps, lmdb-js and V8 caches), so
 * steady load leaves memory flat apart from GC noise (tens of MiB). 64 MiB is above that
 * noise and below what a real leak produces: 150 bytes per transaction at 700 tx/s for 10
 * minutes is 60 MiB.
 */
const MEMORY_BOUND_MIB = 64;
/**
 * The same for the main thread's live JS heap (in use just after a full collection), where
 * the node keeps its state (mempool, waiters, tally): once warm it moved by a few MiB over 10
 * minutes, 2-15 MiB with a growing backlog (docs/faults.md), so 16 MiB; a leak of 2.1 MiB/min
 * (110 bytes per transaction at 320 tx/s) fails it.
 */
const LIVE_BOUND_MIB = 16;
/** The first WARMUP_SHARE of the soak (at least 10 s) is warm-up: caches and heaps fill. */
const WARMUP_SHARE = 0.25;
const WARMUP_SECONDS = Math.max(10, SECONDS * WARMUP_SHARE);
const MiB = 2 ** 20;

interface NodeUnderTest {
  name: string;
  url: string;
  pid: () => number | undefined;
}
interface TargetResult {
  target: string;
  capacity: number;
  rate: number;
  seconds: number;
  sent: number;
  committed: number;
  /** Blocks committed during the soak. */
  blocks: number;
  p50: number;
  p99: number;
  statuses: Record<string, number>;
  late: number;
  /** Connection resets before any answer that the generator retried (keep-alive race). */
  retriedResets: number;
  memory: Array<{ node: string; rssStart: number; rssEnd: number; rssPeak: number; heapStart: number; heapEnd: number; heapPeak: number; trend: MemoryTrend; samples: MemorySample[] }>;
  failures: string[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function getJson<T>(url: string): Promise<T | undefined> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    return r.ok ? ((await r.json()) as T) : undefined;
  } catch {
    return undefined;
  }
}

type Status = { height: number; logSize: number; logRoot?: string; stateRoot: string };

function procMemory(pid: number): { rss: number; anon: number } {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), anon: kb('RssAnon') };
  } catch {
    return { rss: NaN, anon: NaN };
  }
}

async function sample(n: NodeUnderTest, t: number): Promise<MemorySample> {
  const pid = n.pid();
  const m = pid === undefined ? { rss: NaN, anon: NaN } : procMemory(pid);
  let text = '';
  try {
    text = await (await fetch(`${n.url}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
  } catch {
    // no answer: the metrics stay NaN
  }
  const metric = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    t,
    ...m,
    heapUsed: metric('govchain_process_nodejs_heap_size_used_bytes'),
    heapTotal: metric('govchain_process_nodejs_heap_size_total_bytes'),
    external: metric('govchain_process_nodejs_external_memory_bytes'),
    arrayBuffers: metric('govchain_process_nodejs_array_buffers_bytes'),
    heapLive: metric('govchain_process_nodejs_heap_live_bytes') || NaN, // 0 before the first full collection
    mempool: metric('govchain_mempool_transactions'),
    workersHeap: [...text.matchAll(/^govchain_verifier_heap_total_bytes\{[^}]*\} (\S+)$/gm)].reduce((a, m) => a + Number(m[1]), 0) || NaN,
  };
}

function runLoad(chain: string, urls: string[], rate: number, seconds: number, out: string): Promise<{ sent: number; statuses: Record<string, number>; latenciesMs: number[]; acked: string[]; late: number; retriedResets: number; seconds: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [new URL('./soak-load.js', import.meta.url).pathname, chain, urls.join(','), String(rate), String(seconds), out], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(readFileSync(out, 'utf8'))) : reject(new Error(`soak load generator exited with ${code}`))));
  });
}

/** Measure capacity, soak, check. */
async function soakTarget(target: string, chain: string, nodes: NodeUnderTest[], loadUrls: string[], dir: string, burst: number): Promise<TargetResult> {
  const failures: string[] = [];
  const status = async (n: NodeUnderTest): Promise<Status | undefined> => getJson<Status>(`${n.url}/v1/status`);
  // 1. Capacity: fire-and-forget until the last node has committed them all.
  process.stderr.write(`${target}: measuring capacity (${burst} transactions)...\n`);
  const txs = await presign(chain, burst);
  const files = loadUrls.map((_, i) => {
    const f = join(dir, `capacity-${i}.json`);
    writeFileSync(f, JSON.stringify(txs.filter((_, k) => k % loadUrls.length === i)));
    return f;
  });
  const before = (await status(nodes.at(-1)!))!.logSize;
  const t0 = performance.now();
  const fired = await Promise.all(loadUrls.map((u, i) => load(u, files[i]!, 32, 'fire')));
  const accepted = fired.reduce((a, r) => a + r.accepted, 0);
  while (((await status(nodes.at(-1)!))?.logSize ?? 0) < before + accepted) await sleep(50);
  const capacity = accepted / ((performance.now() - t0) / 1000);
  const rate = Math.max(1, Math.round(capacity * SOAK_LOAD));
  process.stderr.write(`${target}: capacity ${capacity.toFixed(0)} tx/s; soaking at ${rate} tx/s for ${SECONDS} s\n`);

  // 2. Soak, sampling memory.
  const startHead = (await status(nodes[0]!))!;
  const samples = new Map<string, MemorySample[]>(nodes.map((n) => [n.name, []]));
  let sampling = true;
  const every = Math.max(1000, Math.min(5000, (SECONDS * 1000) / 60));
  const ts0 = performance.now();
  const sampler = (async () => {
    while (sampling) {
      const t = (performance.now() - ts0) / 1000;
      await Promise.all(nodes.map(async (n) => samples.get(n.name)!.push(await sample(n, t))));
      await sleep(every);
    }
  })();
  const r = await runLoad(chain, loadUrls, rate, SECONDS, join(dir, 'soak-result.json'));
  sampling = false;
  await sampler;
  for (const n of nodes) samples.get(n.name)!.push(await sample(n, (performance.now() - ts0) / 1000));

  // 3. Checks.
  const bad = Object.entries(r.statuses).filter(([k]) => k.startsWith('5') || k.startsWith('no answer'));
  if (bad.length > 0) failures.push(`server errors or unanswered requests: ${JSON.stringify(Object.fromEntries(bad))}`);
  // Identical roots everywhere (waiting for the slowest node to apply the last blocks).
  const deadline = Date.now() + 120_000;
  let heads: Array<Status | undefined> = [];
  for (;;) {
    heads = await Promise.all(nodes.map(status));
    const h0 = heads[0];
    if (h0 !== undefined && heads.every((h) => h !== undefined && h.height === h0.height && h.logRoot === h0.logRoot && h.stateRoot === h0.stateRoot) && h0.logSize >= startHead.logSize + r.acked.length) break;
    if (Date.now() > deadline) {
      failures.push(`nodes did not end with identical roots: ${JSON.stringify(heads)}`);
      break;
    }
    await sleep(500);
  }
  // Every acknowledged transaction exactly once (blocks of the soak, read from the first node).
  const head = heads[0] ?? startHead;
  const seen = new Set<string>();
  let duplicates = 0;
  const heights = Array.from({ length: head.height - startHead.height }, (_, i) => startHead.height + 1 + i);
  for (let i = 0; i < heights.length; i += 32) {
    const blocks = await Promise.all(heights.slice(i, i + 32).map((h) => getJson<{ txids: string[] }>(`${nodes[0]!.url}/v1/blocks/${h}`)));
    for (const b of blocks) {
      if (b === undefined) {
        failures.push('a block of the soak could not be read');
        continue;
      }
      for (const txid of b.txids) {
        if (seen.has(txid)) duplicates++;
        seen.add(txid);
      }
    }
  }
  const lost = r.acked.filter((txid) => !seen.has(txid)).length;
  if (lost > 0) failures.push(`${lost} acknowledged transactions are not in the chain`);
  if (duplicates > 0) failures.push(`${duplicates} transactions committed twice`);
  // Memory.
  const memory = nodes.map((n) => {
    const s = samples.get(n.name)!.filter((x) => Number.isFinite(x.rss));
    const heaps = s.filter((x) => Number.isFinite(x.heapUsed));
    const trend = memoryTrend(s, SECONDS, WARMUP_SECONDS);
    const m = {
      node: n.name,
      rssStart: s[0]?.rss ?? NaN,
      rssEnd: s.at(-1)?.rss ?? NaN,
      rssPeak: Math.max(...s.map((x) => x.rss)),
      heapStart: heaps[0]?.heapUsed ?? NaN,
      heapEnd: heaps.at(-1)?.heapUsed ?? NaN,
      heapPeak: trend.heapUsedPeak,
      trend,
      samples: s,
    };
    const verdicts = [seriesVerdict('anonymous RSS', trend.anon, MEMORY_BOUND_MIB * MiB, SECONDS, WARMUP_SECONDS)];
    // The live heap is known only from the first full collection on, which a short soak may not reach.
    if (Number.isFinite(trend.live.growth)) verdicts.push(seriesVerdict('live JS heap', trend.live, LIVE_BOUND_MIB * MiB, SECONDS, WARMUP_SECONDS));
    for (const v of verdicts) if (v !== undefined) failures.push(`${n.name}: ${v}`);
    return m;
  });
  const sorted = [...r.latenciesMs].sort((a, b) => a - b);
  return { target, capacity, rate, seconds: r.seconds, sent: r.sent, committed: r.acked.length, blocks: heights.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), statuses: r.statuses, late: r.late, retriedResets: r.retriedResets, memory, failures };
}

async function soakSingleNode(dir: string): Promise<TargetResult> {
  const data = join(dir, 'node');
  const init = spawn(process.execPath, [CLI_MAIN, 'init', '--demo', '--data', data, '--json'], { stdio: 'ignore' });
  await new Promise((r) => init.on('exit', r));
  const port = await freeTcpPort();
  const child: ChildProcess = spawn(process.execPath, [CLI_MAIN, 'start', '--data', data, '--http', `127.0.0.1:${port}`, '--block-interval', '50'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, GOVCHAIN_LOG_LEVEL: 'error' },
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      if ((await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200) break;
      if (i > 600 || child.exitCode !== null) throw new Error('the node did not start');
      await sleep(100);
    }
    return await soakTarget('node', 'govchain-dev', [{ name: 'node', url, pid: () => child.pid }], [url], dir, SECONDS < 120 ? 4000 : 8000);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
  }
}

async function soakNetwork(dir: string): Promise<TargetResult> {
  const chain = 'govchain-soak';
  const net: LocalNetwork = await startLocalNetwork({ dir: join(dir, 'net'), validators: 4, observers: 1, chainId: chain, blockIntervalMs: 50, logLevel: 'error' });
  try {
    const nodes = net.nodes.map((n) => ({ name: n.name, url: n.url, pid: () => n.child?.pid }));
    const validators = net.nodes.filter((n) => n.validator !== undefined).map((n) => n.url);
    // Load to every node (validators and the observer); the observer is checked last for capacity.
    const ordered = [...nodes.filter((n) => n.name !== 'observer-1'), nodes.find((n) => n.name === 'observer-1')!];
    return await soakTarget('network', chain, ordered, [...validators, net.node('observer-1').url], dir, SECONDS < 120 ? 3000 : 6000);
  } finally {
    await net.stop();
  }
}

const fmtMiB = (b: number): string => (Number.isFinite(b) ? (b / MiB).toFixed(0) : 'n/a');
const fmtSlope = (b: number): string => (Number.isFinite(b) ? `${b >= 0 ? '+' : ''}${(b / MiB).toFixed(1)}` : 'n/a');

function summary(results: TargetResult[]): string {
  const rows: string[][] = [['target', 'capacity tx/s', 'soak tx/s', 'seconds', 'sent', 'committed', 'p50 ms', 'p99 ms', 'answers', 'late', 'resets retried']];
  for (const r of results) rows.push([r.target, r.capacity.toFixed(0), String(r.rate), r.seconds.toFixed(0), String(r.sent), String(r.committed), r.p50.toFixed(0), r.p99.toFixed(0), Object.entries(r.statuses).map(([k, v]) => `${k}:${v}`).join(' '), String(r.late), String(r.retriedResets)]);
  const mem: string[][] = [['target', 'node', 'RSS start/end/peak MiB', 'anon RSS after warm-up/end MiB', 'anon growth MiB', 'heap used start/end/peak MiB', 'heap committed peak/end MiB']];
  const trends: string[] = [];
  for (const r of results) {
    for (const m of r.memory) {
      const t = m.trend;
      mem.push([r.target, m.node, `${fmtMiB(m.rssStart)}/${fmtMiB(m.rssEnd)}/${fmtMiB(m.rssPeak)}`, `${fmtMiB(t.anon.afterWarmup)}/${fmtMiB(t.anon.end)}`, (t.anon.growth / MiB).toFixed(1), `${fmtMiB(m.heapStart)}/${fmtMiB(m.heapEnd)}/${fmtMiB(m.heapPeak)}`, `${fmtMiB(t.heapTotalPeak)}/${fmtMiB(t.heapTotalEnd)}`]);
      for (const [what, x] of [['anon RSS', t.anon], ['live heap', t.live], ['verifier threads\' committed heap', t.workers]] as const) trends.push(`${r.target} ${m.node} ${what}: ${x.at.map(fmtMiB).join(' / ')} MiB at 25/50/75/100%; growth ${fmtSlope(x.growth)} MiB after warm-up; slope ${fmtSlope(x.slopeAfterWarmup)} MiB/min after warm-up, ${fmtSlope(x.slopeSecondHalf)} in the second half`);
    }
  }
  const table = (t: string[][]): string => {
    const w = t[0]!.map((_, i) => Math.max(...t.map((r) => r[i]!.length)));
    return t.map((r, k) => r.map((c, i) => c.padEnd(w[i]!)).join('  ') + (k === 0 ? '\n' + w.map((n) => '-'.repeat(n)).join('  ') : '')).join('\n');
  };
  return `${table(rows)}\n\n${table(mem)}\n\n${trends.join('\n')}`;
}

const machine = describeMachine();
process.stderr.write(`govchain soak: ${SECONDS} s per target (${TARGETS.join(', ')}) at ${SOAK_LOAD * 100}% of measured capacity; ${machine.cores} x ${machine.cpuModel}, Node ${machine.node}\n`);
const results: TargetResult[] = [];
const dir = mkdtempSync(join(tmpdir(), 'govchain-soak-'));
try {
  if (TARGETS.includes('node')) results.push(await soakSingleNode(mkdtempSync(join(dir, 'node-'))));
  if (TARGETS.includes('network')) results.push(await soakNetwork(mkdtempSync(join(dir, 'network-'))));
} finally {
  if (process.env.GOVCHAIN_SOAK_KEEP === '1') process.stderr.write(`kept the soak's data folders and node logs in ${dir}\n`);
  else rmSync(dir, { recursive: true, force: true });
}
const slopeBoundMiB = leakSlopeBound(MEMORY_BOUND_MIB * MiB, SECONDS, WARMUP_SECONDS) / MiB;
const liveSlopeBoundMiB = leakSlopeBound(LIVE_BOUND_MIB * MiB, SECONDS, WARMUP_SECONDS) / MiB;
process.stdout.write(`\ngovchain soak (${SECONDS} s per target, ${SOAK_LOAD * 100}% of capacity; a leak: anonymous RSS, or the live JS heap, grew more than ${MEMORY_BOUND_MIB} MiB, or ${LIVE_BOUND_MIB} MiB, after warm-up and still grows more than ${slopeBoundMiB.toFixed(1)}, or ${liveSlopeBoundMiB.toFixed(1)}, MiB/min in the second half)\n\n${summary(results)}\n\n`);
const failures = results.flatMap((r) => r.failures.map((f) => `${r.target}: ${f}`));
mkdirSync('bench-results', { recursive: true });
writeFileSync(join('bench-results', `soak-${machine.date.replace(/[:.]/g, '-')}.json`), JSON.stringify({ format: 'govchain-soak', version: 2, machine, seconds: SECONDS, load: SOAK_LOAD, warmupSeconds: WARMUP_SECONDS, memoryBoundMiB: MEMORY_BOUND_MIB, leakSlopeBoundMiBPerMin: slopeBoundMiB, liveBoundMiB: LIVE_BOUND_MIB, liveSlopeBoundMiBPerMin: liveSlopeBoundMiB, results: results.map((r) => ({ ...r })) }, null, 2) + '\n');
if (failures.length > 0) {
  process.stdout.write(`FAILED:\n${failures.map((f) => `  - ${f}`).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write('all checks passed: zero 5xx, nothing acknowledged lost or duplicated, identical roots, memory within bound\n');
process.exit(0);

/**
 * The 4-validator network figure: a local network (3 nats-server JetStream servers, R3
 * streams; 4 validator processes and 1 observer on this one machine), pre-signed notary
 * transactions POSTed over HTTP to the validators by separate load-generator processes.
 *   - throughput: fire-and-forget submissions (202) in POST /v1/txs/batch requests of BATCH
 *     envelopes, until the observer has committed all;
 *   - commit latency p50/p99: wait=commit submissions at a steady rate;
 *   - checkpoint certification latency: from a block durable on a node to its checkpoint
 *     being certified by a quorum there (govchain_checkpoint_certify_seconds, mean and p99
 *     bucket bound).
 * `node bench/dist/network.js [--quick]` runs it alone; the `network` scenario of
 * scenarios.ts calls benchNetwork() (`npm run bench -- --only network`).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalNetwork } from '@govchain/cli';
import { presign } from './sign.js';

// Capacity, not abuse limits: the load comes from one IP and a few signers.
process.env.GOVCHAIN_RATE_LIMIT_IP = '0';
process.env.GOVCHAIN_RATE_LIMIT_SIGNER = '0';

/** Envelopes per POST /v1/txs/batch request of the throughput run. */
export const BATCH = 100;

/** Figures of one run. */
export interface NetworkBenchResult {
  validators: number;
  transactions: number;
  txPerSecond: number;
  commitP50Ms: number;
  commitP99Ms: number;
  commitRate: number;
  certifyMeanMs: number;
  certifyP99BoundMs: number;
}

/** Run the HTTP load generator (http-load.ts) in its own process over `file`'s envelopes. */
export function load(url: string, file: string, connections: number, mode: 'fire' | 'commit' | `batch:${number}`, rate?: number): Promise<{ accepted: number; errors: number; seconds: number; latenciesMs?: number[] }> {
  return new Promise((resolve, reject) => {
    const args = [new URL('./http-load.js', import.meta.url).pathname, url, file, String(connections), mode, ...(rate === undefined ? [] : [String(rate)])];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load generator exited with ${code}`))));
  });
}

const pct = (v: number[], p: number): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

/** Run the network benchmark; `transactions` for the throughput run, split over the validators. */
export async function benchNetwork(opts: { transactions?: number; latencyTransactions?: number; rate?: number; quick?: boolean } = {}): Promise<NetworkBenchResult> {
  const total = opts.transactions ?? (opts.quick ? 1500 : 10_000);
  const latencyCount = opts.latencyTransactions ?? (opts.quick ? 300 : 2000);
  const rate = opts.rate ?? 200;
  const chain = 'bench-net';
  const dir = mkdtempSync(join(tmpdir(), 'govchain-bench-net-'));
  const net = await startLocalNetwork({ dir: join(dir, 'net'), validators: 4, observers: 1, chainId: chain, blockIntervalMs: 50, logLevel: 'error' });
  try {
    const validators = net.nodes.filter((n) => n.validator !== undefined);
    const observer = net.nodes.find((n) => n.validator === undefined)!;
    process.stderr.write(`network: pre-signing ${total + latencyCount} transactions...\n`);
    const txs = await presign(chain, total + latencyCount);
    const files = validators.map((v, i) => {
      const f = join(dir, `fire-${i}.json`);
      writeFileSync(f, JSON.stringify(txs.slice(0, total).filter((_, k) => k % validators.length === i)));
      return f;
    });
    const status = async (): Promise<{ logSize: number }> => (await fetch(`${observer.url}/v1/status`)).json() as Promise<{ logSize: number }>;
    const t0 = performance.now();
    const fired = await Promise.all(validators.map((v, i) => load(v.url, files[i]!, 4, `batch:${BATCH}`)));
    const accepted = fired.reduce((a, r) => a + r.accepted, 0);
    while ((await status()).logSize < accepted) await new Promise((r) => setTimeout(r, 50));
    const seconds = (performance.now() - t0) / 1000;
    const txPerSecond = accepted / seconds;
    process.stderr.write(`network: ${accepted} transactions committed in ${seconds.toFixed(1)} s\n`);

    const per = Math.ceil(latencyCount / validators.length);
    const lat = await Promise.all(
      validators.map((v, i) => {
        const f = join(dir, `commit-${i}.json`);
        writeFileSync(f, JSON.stringify(txs.slice(total + i * per, total + (i + 1) * per)));
        return load(v.url, f, 64, 'commit', rate / validators.length);
      }),
    );
    const latencies = lat.flatMap((r) => r.latenciesMs ?? []);
    const metrics = await (await fetch(`${validators[0]!.url}/metrics`)).text();
    const metric = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1] ?? NaN);
    const sum = metric('govchain_checkpoint_certify_seconds_sum');
    const count = metric('govchain_checkpoint_certify_seconds_count');
    const buckets = [...metrics.matchAll(/^govchain_checkpoint_certify_seconds_bucket\{le="([^"]+)"\} (\S+)$/gm)].map((m) => ({ le: m[1] === '+Inf' ? Infinity : Number(m[1]), n: Number(m[2]) }));
    const p99 = buckets.find((b) => b.n >= 0.99 * count)?.le ?? NaN;
    return {
      validators: validators.length,
      transactions: accepted,
      txPerSecond,
      commitP50Ms: pct(latencies, 50),
      commitP99Ms: pct(latencies, 99),
      commitRate: rate,
      certifyMeanMs: (sum / count) * 1000,
      certifyP99BoundMs: p99 * 1000,
    };
  } finally {
    await net.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop()!) && process.argv[1].endsWith('network.js')) {
  const r = await benchNetwork({ quick: process.argv.includes('--quick') });
  process.stdout.write(JSON.stringify(r, null, 2) + '\n');
  process.exit(0);
}

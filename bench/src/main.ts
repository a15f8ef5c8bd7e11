/**
 * `npm run bench`: the figures of DEVELOPERS.md and issue 2, printed as a table and saved
 * as JSON in bench-results/. `--quick` shortens every run (used by CI to keep it working).
 *
 * Rows: node-level throughput (pre-signed notary transactions fed to the node in process,
 * verification on worker threads, every transaction durably committed); HTTP API
 * throughput (a separate load-generator process); commit latency p50/p99 (wait=commit at
 * a steady rate); inclusion-proof size and verification time at 10^6 leaves; state-proof
 * size and verification time.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import {
  MemoryLogStore,
  MemorySmtStore,
  appendLeafHashes,
  hashLeaf,
  inclusionProof,
  logRoot,
  proveSmt,
  randomBytes,
  sha256,
  smtProofToJson,
  updateSmt,
  verifyInclusion,
  verifySmtProof,
} from '@govchain/core';
import { createApiServer } from '@govchain/api';
import { GovchainNode, initDataDir } from '@govchain/node';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { pino } from 'pino';
import { presign } from './sign.js';
import { benchNetwork } from './network.js';

const quick = process.argv.includes('--quick');
const rows: Array<{ name: string; value: string; detail: string }> = [];
const results: Record<string, unknown> = {};

function row(name: string, value: string, detail: string): void {
  rows.push({ name, value, detail });
  process.stderr.write(`  ${name}: ${value} (${detail})\n`);
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function freshNode(blockIntervalMs = 200): Promise<{ node: GovchainNode; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'govchain-bench-'));
  initDataDir({ dir, demo: false, chainId: 'bench' });
  const node = await GovchainNode.open({ dataDir: dir, blockIntervalMs, logger: pino({ level: 'warn' }), maxPending: 200_000 });
  await node.start();
  return { node, dir };
}

async function benchNodeThroughput(): Promise<void> {
  const seconds = quick ? 5 : 30;
  const target = quick ? 40_000 : 420_000;
  process.stderr.write(`node-level: pre-signing ${target} transactions...\n`);
  const txs = await presign('bench', target);
  const { node, dir } = await freshNode();
  let committed = 0;
  const unsub = node.onCommit((e) => (committed += e.receipts.length));
  const window = 20_000;
  let next = 0;
  let rejected = 0;
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  const feeders = Array.from({ length: 256 }, async () => {
    while (performance.now() < deadline && next < txs.length) {
      if (next - committed > window) {
        await new Promise((r) => setTimeout(r, 5));
        continue;
      }
      const text = txs[next++]!;
      try {
        await node.submit(text);
      } catch {
        rejected++;
      }
    }
  });
  await Promise.all(feeders);
  const submitted = next - rejected;
  while (committed < submitted && performance.now() < deadline + 30_000) await new Promise((r) => setTimeout(r, 10));
  const elapsed = (performance.now() - t0) / 1000;
  unsub();
  const rate = committed / elapsed;
  results.nodeThroughput = { committed, submitted, rejected, seconds: elapsed, txPerSecond: rate };
  row('node: signed tx/s (durable)', rate.toFixed(0), `${committed} notary txs committed in ${elapsed.toFixed(1)} s, feeding for ${seconds} s, verification on ${cpus().length} worker threads`);
  await node.stop();
  rmSync(dir, { recursive: true, force: true });
}

function runLoad(url: string, file: string, connections: number, mode: 'fire' | 'commit', rate?: number): Promise<{ sent: number; accepted: number; errors: number; seconds: number; latenciesMs?: number[]; statuses: Record<string, number> }> {
  return new Promise((resolve, reject) => {
    const args = [new URL('./http-load.js', import.meta.url).pathname, url, file, String(connections), mode];
    if (rate !== undefined) args.push(String(rate));
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load generator exited ${code}`))));
  });
}

async function benchHttp(): Promise<void> {
  const count = quick ? 20_000 : 150_000;
  process.stderr.write(`http: pre-signing ${count} transactions...\n`);
  const txs = await presign('bench', count);
  const { node, dir } = await freshNode();
  const app = await createApiServer({ node });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const file = join(dir, 'envelopes.json');
  writeFileSync(file, JSON.stringify(txs));
  let committed = 0;
  const unsub = node.onCommit((e) => (committed += e.receipts.length));
  const t0 = performance.now();
  const load = await runLoad(url, file, 64, 'fire');
  while (committed < load.accepted && performance.now() - t0 < 120_000) await new Promise((r) => setTimeout(r, 10));
  const elapsed = (performance.now() - t0) / 1000;
  unsub();
  const rate = committed / elapsed;
  results.httpThroughput = { ...load, committed, seconds: elapsed, txPerSecond: rate };
  row('HTTP API: signed tx/s (committed)', rate.toFixed(0), `${committed} POST /v1/txs committed in ${elapsed.toFixed(1)} s, 64 keep-alive connections from a separate process, ${load.errors} errors`);

  // Commit latency at a steady rate, measured by the client with ?wait=commit.
  const rateTx = quick ? 1000 : 2000;
  const latencyCount = rateTx * (quick ? 5 : 15);
  const lt = await presign('bench', latencyCount);
  writeFileSync(file, JSON.stringify(lt));
  const lat = await runLoad(url, file, 512, 'commit', rateTx);
  const sorted = (lat.latenciesMs ?? []).sort((a, b) => a - b);
  results.commitLatency = { rate: rateTx, count: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) };
  row('commit latency p50', `${percentile(sorted, 50).toFixed(0)} ms`, `wait=commit at ${rateTx} tx/s, ${sorted.length} transactions, block interval 200 ms`);
  row('commit latency p99', `${percentile(sorted, 99).toFixed(0)} ms`, `same run; max ${sorted.at(-1)?.toFixed(0)} ms`);
  await app.close();
  await node.stop();
  rmSync(dir, { recursive: true, force: true });
}

function benchProofs(): void {
  const leaves = quick ? 100_000 : 1_000_000;
  const store = new MemoryLogStore();
  const batch = 10_000;
  let size = 0;
  for (let i = 0; i < leaves; i += batch) {
    const hashes = Array.from({ length: Math.min(batch, leaves - i) }, (_, j) => hashLeaf(sha256(new Uint8Array([(i + j) & 255, (i + j) >> 8, (i + j) >> 16]))));
    const a = appendLeafHashes(store, size, hashes);
    store.apply(a.writes);
    size = a.size;
  }
  const root = logRoot(store, size);
  const index = Math.floor(size / 3);
  const leafHash = hashLeaf(sha256(new Uint8Array([index & 255, index >> 8, index >> 16])));
  const proof = inclusionProof(store, index, size);
  const n = 20_000;
  let t = performance.now();
  for (let i = 0; i < n; i++) if (!verifyInclusion(leafHash, index, size, proof, root)) throw new Error('proof did not verify');
  const us = ((performance.now() - t) * 1000) / n;
  const bytes = JSON.stringify({ leafIndex: index, treeSize: size, hashes: proof.map((h) => Buffer.from(h).toString('base64')) }).length;
  results.inclusionProof = { leaves: size, hashes: proof.length, bytes, verifyMicros: us };
  row(`inclusion proof at ${size.toLocaleString('en')} leaves`, `${us.toFixed(1)} µs verify`, `${proof.length} hashes, ${proof.length * 32} bytes raw, ${bytes} bytes as JSON`);

  const keys = quick ? 50_000 : 1_000_000;
  const smt = new MemorySmtStore();
  let sroot: Uint8Array = new Uint8Array(32);
  t = performance.now();
  for (let i = 0; i < keys; i += 2000) {
    const updates = Array.from({ length: Math.min(2000, keys - i) }, () => ({ key: randomBytes(32), valueHash: randomBytes(32) }));
    const r = updateSmt(smt, sroot, updates);
    smt.put(r.nodes);
    sroot = r.root;
  }
  const buildSeconds = (performance.now() - t) / 1000;
  const k = randomBytes(32);
  const v = randomBytes(32);
  const r = updateSmt(smt, sroot, [{ key: k, valueHash: v }]);
  smt.put(r.nodes);
  const sp = proveSmt(smt, r.root, k);
  t = performance.now();
  for (let i = 0; i < n; i++) if (!verifySmtProof(r.root, k, v, sp)) throw new Error('state proof did not verify');
  const sus = ((performance.now() - t) * 1000) / n;
  const sbytes = JSON.stringify(smtProofToJson(sp)).length;
  results.stateProof = { keys, siblings: sp.siblings.length, bytes: sbytes, verifyMicros: sus, updatesPerSecond: keys / buildSeconds };
  row(`state proof at ${keys.toLocaleString('en')} keys`, `${sus.toFixed(1)} µs verify`, `${sp.siblings.length} siblings, ${sbytes} bytes as JSON; map built at ${(keys / buildSeconds).toFixed(0)} updates/s`);
}

const machine = { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
process.stderr.write(`govchain bench${quick ? ' (quick)' : ''} on ${machine.cpus} × ${machine.model}, ${machine.memoryGiB} GiB, Node ${machine.node}\n`);
benchProofs();
await benchNodeThroughput();
await benchHttp();
{
  const n = await benchNetwork({ quick });
  results.network = n;
  row('4-validator network (JetStream), HTTP', `${n.txPerSecond.toFixed(0)} tx/s`, `${n.transactions} pre-signed notary txs POSTed to 4 validators; 3 nats-server R3, 4 validators + 1 observer on this machine`);
  row('network commit latency (wait=commit)', `p50 ${n.commitP50Ms.toFixed(0)} ms, p99 ${n.commitP99Ms.toFixed(0)} ms`, `steady ${n.commitRate} tx/s over the 4 validators`);
  row('network checkpoint certification', `mean ${n.certifyMeanMs.toFixed(0)} ms, p99 <= ${n.certifyP99BoundMs} ms`, 'block durable on a node -> quorum (3 of 4) of matching signatures collected there');
}

const w = Math.max(...rows.map((r) => r.name.length));
const v = Math.max(...rows.map((r) => r.value.length));
const table = [`| ${'figure'.padEnd(w)} | ${'value'.padEnd(v)} | conditions |`, `|${'-'.repeat(w + 2)}|${'-'.repeat(v + 2)}|---|`, ...rows.map((r) => `| ${r.name.padEnd(w)} | ${r.value.padEnd(v)} | ${r.detail} |`)].join('\n');
process.stdout.write(`\ngovchain benchmark${quick ? ' (quick mode)' : ''}: ${machine.cpus} cores (${machine.model}), ${machine.memoryGiB} GiB, Node ${machine.node}, LMDB storage\n\n${table}\n`);
mkdirSync('bench-results', { recursive: true });
writeFileSync(join('bench-results', `bench-${quick ? 'quick-' : ''}${new Date().toISOString().replace(/[:.]/g, '-')}.json`), JSON.stringify({ machine, quick, results, rows }, null, 2));
process.exit(0);

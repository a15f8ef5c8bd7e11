/** Helpers for multi-node tests: load over HTTP, agreement checks, waiting. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import { canonicalJson, verifyCheckpointNote, type Receipt } from '@govchain/core';
import { createKey, type LoadedKey } from '@govchain/node';
import type { LocalNetwork } from '@govchain/cli';
import { anchorTx } from './chain.js';

/** Status of one node, as served. */
export interface NodeStatus {
  height: number;
  logSize: number;
  logRoot?: string;
  stateRoot: string;
  certifiedSize?: number;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** GET JSON (undefined when the node does not answer). */
export async function getJson<T>(url: string): Promise<T | undefined> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(5000) });
    return r.ok ? ((await r.json()) as T) : undefined;
  } catch {
    return undefined;
  }
}

/** Signed notary envelopes (canonical JSON text) for `chain`. */
export function signedAnchors(chain: string, count: number, signers = 16): string[] {
  const keys: LoadedKey[] = Array.from({ length: signers }, () => createKey());
  return Array.from({ length: count }, (_, i) => canonicalJson(anchorTx(keys[i % signers]!, chain) as any));
}

/** Result of a load run. */
export interface LoadResult {
  /** txid -> receipt of every transaction acknowledged with wait=commit. */
  acked: Map<string, Receipt>;
  failed: number;
  latenciesMs: number[];
  seconds: number;
}

/**
 * POST `envelopes` with `?wait=commit` over `connections` connections, spreading them over
 * `urls` (round robin); a failed attempt (no answer, 5xx) is retried on another node up to
 * `retries` times: retries are safe, a txid commits at most once.
 */
export async function load(urls: () => string[], envelopes: string[], opts: { connections?: number; retries?: number; retryDelayMs?: number } = {}): Promise<LoadResult> {
  const agent = new Agent({ connections: opts.connections ?? 32, keepAliveTimeout: 10_000 });
  const acked = new Map<string, Receipt>();
  const latenciesMs: number[] = [];
  let failed = 0;
  let next = 0;
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= envelopes.length) return;
      for (let attempt = 0; ; attempt++) {
        const targets = urls();
        const url = targets[(i + attempt) % targets.length]!;
        const start = performance.now();
        try {
          const res = await request(`${url}/v1/txs?wait=commit&timeout=30000`, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json' }, body: envelopes[i], headersTimeout: 40_000, bodyTimeout: 40_000 });
          const body = (await res.body.json()) as any;
          if (res.statusCode === 200) {
            latenciesMs.push(performance.now() - start);
            acked.set(body.txid, body as Receipt);
            break;
          }
          if (res.statusCode === 409 && (body.code === 'tx.replayed' || body.code === 'tx.duplicate')) {
            // An earlier attempt got through: it is (or will be) committed once.
            break;
          }
        } catch {
          // connection refused / reset: the node is down; retry elsewhere
        }
        if (attempt >= (opts.retries ?? 5)) {
          failed++;
          break;
        }
        await sleep(opts.retryDelayMs ?? 200);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.connections ?? 32 }, worker));
  await agent.close();
  return { acked, failed, latenciesMs, seconds: (performance.now() - t0) / 1000 };
}

/** Add a load run's acknowledgements to `into`; a txid acknowledged twice must carry the same receipt. */
export function recordAcks(into: Map<string, Receipt>, r: { acked: Map<string, Receipt> }): void {
  for (const [txid, receipt] of r.acked) {
    const before = into.get(txid);
    if (before !== undefined) assert.deepEqual(receipt, before, `txid ${txid} acknowledged with two different receipts`);
    into.set(txid, receipt);
  }
}

/**
 * Read every block from the node at `url`: no txid committed twice, the log size equals the
 * transactions in blocks, and every acknowledged transaction is there with the receipt it
 * was acknowledged with. Returns the number of committed transactions.
 */
export async function assertNothingLostOrDuplicated(url: string, acked: Map<string, Receipt>): Promise<number> {
  const head = (await getJson<NodeStatus>(`${url}/v1/status`))!;
  const seen = new Set<string>();
  for (let h = 1; h <= head.height; h++) {
    const b = (await getJson<{ txids: string[] }>(`${url}/v1/blocks/${h}`))!;
    for (const txid of b.txids) {
      assert.ok(!seen.has(txid), `txid ${txid} committed twice`);
      seen.add(txid);
    }
  }
  assert.equal(seen.size, head.logSize);
  for (const [txid, receipt] of acked) {
    assert.ok(seen.has(txid), `acknowledged ${txid} is missing`);
    const stored = (await getJson<{ receipt: Receipt }>(`${url}/v1/txs/${txid}`))!;
    assert.deepEqual(stored.receipt, receipt);
  }
  return seen.size;
}

/** Wait until every node in `names` reports the same head at or above `minLogSize`. */
export async function waitForAgreement(net: LocalNetwork, names: string[], minLogSize: number, timeoutMs = 90_000): Promise<NodeStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: Array<NodeStatus | undefined> = [];
  for (;;) {
    last = await Promise.all(names.map((n) => getJson<NodeStatus>(`${net.node(n).url}/v1/status`)));
    const first = last[0];
    if (first !== undefined && first.logSize >= minLogSize && last.every((s) => s !== undefined && s.height === first.height && s.logRoot === first.logRoot && s.stateRoot === first.stateRoot)) return first;
    if (Date.now() > deadline) assert.fail(`nodes ${names.join(', ')} did not agree at log size >= ${minLogSize}: ${JSON.stringify(last)}${await firstDifference(net, names)}`);
    await sleep(250);
  }
}

/** Where the nodes' chains first differ: the block at that height on each node, and the txids not on all of them. */
async function firstDifference(net: LocalNetwork, names: string[]): Promise<string> {
  type Block = { header: { txCount: number; logSize: number; time: string }; txids: string[] };
  const heights = await Promise.all(names.map(async (n) => (await getJson<NodeStatus>(`${net.node(n).url}/v1/status`))?.height ?? 0));
  for (let h = 1; h <= Math.min(...heights); h++) {
    const blocks = await Promise.all(names.map((n) => getJson<Block>(`${net.node(n).url}/v1/blocks/${h}`)));
    const texts = blocks.map((b) => JSON.stringify(b?.header));
    if (new Set(texts).size === 1) continue;
    const all = new Set(blocks.flatMap((b) => b?.txids ?? []));
    const partial = [...all].filter((t) => !blocks.every((b) => b?.txids.includes(t))).map((t) => `${t.slice(0, 16)} on ${names.filter((_, i) => blocks[i]?.txids.includes(t)).join('+')}`);
    const each = names.map((n, i) => `${n}: ${blocks[i]?.header.txCount} txs, log ${blocks[i]?.header.logSize}, time ${blocks[i]?.header.time}`);
    return `\nfirst different block: height ${h}; ${each.join('; ')}; txids not on every node: ${partial.join(', ') || 'none (same txids, other content)'}${orderingWarnings(net, names)}`;
  }
  return '\nno block differs below the lowest height';
}

/** A node's log so far ('' before it wrote one). */
export function nodeLog(net: LocalNetwork, name: string): string {
  const log = net.node(name).log;
  return existsSync(log) ? readFileSync(log, 'utf8') : '';
}

/** What each node logged about the ordering stream that could explain a fork (skipped transactions, cuts it could not build). */
function orderingWarnings(net: LocalNetwork, names: string[]): string {
  const patterns = ['fails the stateless checks', 'has not read', 'giving up a cut', 'invalid cut record', 'chain.diverged'];
  const lines = names.map((n) => {
    const text = nodeLog(net, n);
    const counts = patterns.map((p) => [p, text.split(p).length - 1] as const).filter(([, c]) => c > 0);
    return `${n}: ${counts.map(([p, c]) => `"${p}" x${c}`).join(', ') || 'nothing'}`;
  });
  return `\nordering warnings logged: ${lines.join('; ')}`;
}

/** Wait until `cond` holds (polling). */
export async function waitFor(what: string, cond: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

/** The node's latest certified checkpoint, verified against its validators (>= quorum). */
export async function certifiedCheckpoint(url: string): Promise<{ size: number; height: number; signers: string[] }> {
  const v = (await getJson<{ quorum: number; vkeys: string[] }>(`${url}/v1/validators`))!;
  const note = await (await fetch(`${url}/v1/checkpoint`)).text();
  const { checkpoint, signers } = verifyCheckpointNote(note, v.vkeys, v.quorum);
  return { size: checkpoint.size, height: checkpoint.height, signers };
}

/** Percentile of a list of numbers. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** Run `body`; on failure print the tail of every process log of the network, then rethrow. */
export async function withNetworkLogs(net: LocalNetwork, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (e) {
    const { readFileSync, existsSync } = await import('node:fs');
    for (const p of [...net.nodes, ...net.nats]) {
      if (!existsSync(p.log)) continue;
      const lines = readFileSync(p.log, 'utf8').trim().split('\n').slice(-15);
      process.stderr.write(`--- ${p.name} (${p.log}), last lines:\n${lines.map((l) => l.slice(0, 400)).join('\n')}\n`);
    }
    throw e;
  }
}

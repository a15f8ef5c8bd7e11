/**
 * The soak test's load generator, run as its own process (it must not share a thread with
 * what it measures): an open-loop schedule of `rate` signed notary transactions per second
 * for `seconds`, POSTed with `?wait=commit` round robin over the node URLs (undici, one pool
 * of keep-alive connections per node). Transactions are real: signed on worker threads in
 * chunks a few seconds ahead of the schedule (sign.ts), never while a request is timed.
 *   node soak-load.js <chain> <url,url,...> <rate/s> <seconds> <out.json>
 * Writes {sent, statuses, latenciesMs, acked: [txid...], late, retriedResets, seconds} to out.json and
 * prints one progress line to stderr every 10 s.
 */
import { writeFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import { presign } from './sign.js';

const [chain, urlList, rateArg, secondsArg, out] = process.argv.slice(2);
const urls = urlList!.split(',');
const rate = Number(rateArg);
const seconds = Number(secondsArg);
const total = Math.round(rate * seconds);
/** Most requests in flight; beyond it the schedule slips and the slip is counted (`late`). */
const MAX_IN_FLIGHT = 4096;
const agent = new Agent({ connections: 512, keepAliveTimeout: 4_000, headersTimeout: 60_000, bodyTimeout: 60_000 });

const queue: string[] = [];
let signing: Promise<void> | undefined;
let signed = 0;
const refill = (): void => {
  if (signing !== undefined || signed >= total) return;
  const n = Math.min(total - signed, Math.max(500, Math.round(rate * 5)));
  signed += n;
  signing = presign(chain!, n).then((txs) => {
    queue.push(...txs);
    signing = undefined;
  });
};
refill();
await signing;

const statuses: Record<string, number> = {};
const latenciesMs: number[] = [];
const acked: string[] = [];
let inFlight = 0;
let late = 0;
let sent = 0;
const t0 = performance.now();
let lastReport = t0;

/**
 * Connection resets before any answer, retried. A kept-alive connection the server closes
 * just as a request goes out on it is reset without the request being read (the HTTP
 * keep-alive race; more frequent when the load generator itself is short of CPU and reuses
 * a connection late). Retrying is safe: a txid commits at most once (409 on a duplicate).
 */
let retriedResets = 0;
const RESET = new Set(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE']);

async function send(envelope: string, i: number): Promise<void> {
  inFlight++;
  const start = performance.now();
  let key = '';
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await request(`${urls[(i + attempt) % urls.length]}/v1/txs?wait=commit&timeout=30000`, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json' }, body: envelope });
        const text = await res.body.text();
        key = String(res.statusCode);
        if (res.statusCode === 200) {
          latenciesMs.push(performance.now() - start);
          acked.push((JSON.parse(text) as { txid: string }).txid);
        } else if (attempt > 0 && res.statusCode === 409) key = '409 (retry after a reset: got through before)';
        break;
      } catch (e) {
        const code = (e as { code?: string }).code ?? (e as Error).message;
        if (RESET.has(code) && attempt < 2) {
          retriedResets++;
          continue;
        }
        key = `no answer (${code})`;
        break;
      }
    }
  } finally {
    inFlight--;
  }
  statuses[key] = (statuses[key] ?? 0) + 1;
}

const pending = new Set<Promise<void>>();
for (let i = 0; i < total; i++) {
  const due = t0 + (i / rate) * 1000;
  let wait = due - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  while (inFlight >= MAX_IN_FLIGHT || queue.length === 0) {
    if (queue.length === 0) refill();
    await (queue.length === 0 && signing !== undefined ? signing : new Promise((r) => setTimeout(r, 5)));
  }
  wait = due - performance.now();
  if (wait < -1000) late++;
  if (queue.length < rate * 3) refill();
  const p = send(queue.shift()!, i);
  sent++;
  pending.add(p);
  void p.finally(() => pending.delete(p));
  const now = performance.now();
  if (now - lastReport >= 10_000) {
    lastReport = now;
    process.stderr.write(`  soak load: ${((now - t0) / 1000).toFixed(0)} s, ${sent} sent, ${acked.length} committed, ${inFlight} in flight\n`);
  }
}
await Promise.all(pending);
writeFileSync(out!, JSON.stringify({ sent, statuses, latenciesMs, acked, late, retriedResets, seconds: (performance.now() - t0) / 1000 }));
await agent.close();
process.exit(0);

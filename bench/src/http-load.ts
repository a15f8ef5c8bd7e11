/**
 * HTTP load generator, run as its own process so that the node and the client do not
 * share a thread: POSTs pre-signed envelopes with a fixed number of connections.
 *   node http-load.js <url> <envelopes.json> <connections> <mode: fire|commit|batch:N> [rate/s]
 * fire: one envelope per POST /v1/txs (202); commit: POST /v1/txs?wait=commit, latencies
 * kept; batch:N: N envelopes per POST /v1/txs/batch (202), each envelope's result counted.
 * Prints one JSON line: {sent, accepted, errors, seconds, latenciesMs?}.
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';

const [url, file, connArg, mode, rateArg] = process.argv.slice(2);
const envelopes = JSON.parse(readFileSync(file!, 'utf8')) as string[];
const connections = Number(connArg);
const rate = rateArg === undefined ? 0 : Number(rateArg);
const agent = new Agent({ connections, pipelining: 1, keepAliveTimeout: 30_000 });
const batch = mode?.startsWith('batch:') ? Number(mode.slice(6)) : 0;
const path = mode === 'commit' ? '/v1/txs?wait=commit' : batch > 0 ? '/v1/txs/batch' : '/v1/txs';
// The request bodies, each the text of one envelope or of a JSON array of `batch` of them.
const bodies = batch > 0 ? Array.from({ length: Math.ceil(envelopes.length / batch) }, (_, i) => `[${envelopes.slice(i * batch, (i + 1) * batch).join(',')}]`) : envelopes;
let next = 0;
let accepted = 0;
let errors = 0;
const statuses: Record<number, number> = {};
const latencies: number[] = [];
const t0 = performance.now();

async function worker(): Promise<void> {
  for (;;) {
    const i = next++;
    if (i >= bodies.length) return;
    if (rate > 0) {
      const due = t0 + (i / rate) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const start = performance.now();
    try {
      const res = await request(url + path, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json' }, body: bodies[i] });
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
      if (batch > 0) {
        const answer = (await res.body.json()) as { accepted?: number; rejected?: number };
        const n = Math.min(batch, envelopes.length - i * batch);
        if (res.statusCode === 202 && typeof answer.accepted === 'number') {
          accepted += answer.accepted;
          errors += n - answer.accepted;
        } else errors += n;
        continue;
      }
      await res.body.dump();
      if (res.statusCode === 200 || res.statusCode === 202) {
        accepted++;
        if (mode === 'commit') latencies.push(performance.now() - start);
      } else errors++;
    } catch {
      errors += batch > 0 ? Math.min(batch, envelopes.length - i * batch) : 1;
    }
  }
}
await Promise.all(Array.from({ length: connections }, worker));
const seconds = (performance.now() - t0) / 1000;
process.stdout.write(JSON.stringify({ sent: envelopes.length, accepted, errors, statuses, seconds, latenciesMs: mode === 'commit' ? latencies : undefined }) + '\n');
await agent.close();

// Crash safety with real processes: a node under load is killed with SIGKILL at random
// moments; after every kill `govchain audit` passes, and in the end no acknowledged
// (wait=commit) transaction is lost and no transaction is committed twice.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readDemoIdentities, readKeyFile } from '@govchain/node';
import { anchorTx, freePort, tempDir } from './support/chain.js';
import { govchain, startNodeProcess } from './support/processes.js';

const ROUNDS = Number(process.env.GOVCHAIN_CRASH_ROUNDS ?? 20);
const CLIENTS = 24;

let t: ReturnType<typeof tempDir>;
let data: string;

before(() => {
  t = tempDir();
  data = join(t.dir, 'chain');
  assert.equal(govchain(['init', '--demo', '--data', data]).code, 0);
});
after(() => t.cleanup());

test(`SIGKILL at ${ROUNDS} random moments under load loses nothing acknowledged`, { timeout: 15 * 60_000 }, async () => {
  const citizens = readDemoIdentities(data)
    .filter((i) => i.role === 'citizen' || i.role === 'business')
    .map((i) => readKeyFile(i.keyFile));
  const acked = new Map<string, number>(); // txid -> height in its receipt
  let rng = 0x2545f491;
  const random = (): number => {
    rng ^= rng << 13;
    rng ^= rng >>> 17;
    rng ^= rng << 5;
    return (rng >>> 0) / 2 ** 32;
  };
  for (let round = 0; round < ROUNDS; round++) {
    const node = await startNodeProcess(data, await freePort(), ['--block-interval', '20']);
    let running = true;
    const client = async (c: number): Promise<void> => {
      const key = citizens[c % citizens.length]!;
      while (running) {
        const env = anchorTx(key);
        try {
          const res = await fetch(`${node.url}/v1/txs?wait=commit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(env) });
          if (res.status === 200) {
            const r = (await res.json()) as { txid: string; height: number; status: string };
            assert.equal(r.status, 'ok');
            acked.set(r.txid, r.height);
          }
        } catch {
          return; // the node died
        }
      }
    };
    const clients = Array.from({ length: CLIENTS }, (_, c) => client(c));
    await new Promise((r) => setTimeout(r, 150 + Math.floor(random() * 1200)));
    await node.kill('SIGKILL');
    running = false;
    await Promise.all(clients);
    const audit = govchain(['audit', '--data', data, '--json']);
    assert.equal(audit.code, 0, `round ${round}: ${audit.stderr} ${audit.stdout}`);
  }

  // Restart once more and account for every acknowledged transaction.
  const node = await startNodeProcess(data, await freePort());
  try {
    const status = (await (await fetch(`${node.url}/v1/status`)).json()) as { height: number };
    const seen = new Map<string, number>();
    for (let h = 1; h <= status.height; h++) {
      const b = (await (await fetch(`${node.url}/v1/blocks/${h}`)).json()) as { txids: string[] };
      for (const txid of b.txids) seen.set(txid, (seen.get(txid) ?? 0) + 1);
    }
    for (const [txid, count] of seen) assert.equal(count, 1, `${txid} committed ${count} times`);
    let lost = 0;
    for (const [txid, height] of acked) {
      const res = await fetch(`${node.url}/v1/txs/${txid}`);
      if (res.status !== 200) lost++;
      else assert.equal(((await res.json()) as { receipt: { height: number } }).receipt.height, height);
    }
    assert.equal(lost, 0, `${lost} of ${acked.size} acknowledged transactions lost`);
    assert.ok(acked.size > ROUNDS * 10, `too little load to mean anything: ${acked.size} acknowledged`);
    process.stdout.write(`# crash test: ${ROUNDS} SIGKILLs, ${acked.size} acknowledged transactions, ${seen.size} committed, height ${status.height}, none lost or duplicated\n`);
  } finally {
    await node.kill('SIGTERM');
  }
});

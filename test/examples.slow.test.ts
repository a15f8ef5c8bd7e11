// The runnable examples of docs/integration.md, run as a new user would: against a node
// started with `govchain start`, with a key file and a pinned trust file. The PostgreSQL
// example runs against a real server started from Debian's postgresql package.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { readDemoIdentities } from '@govchain/node';
import { freePort, tempDir } from './support/chain.js';
import { govchain, startNodeProcess, type NodeProcess } from './support/processes.js';
import { startPostgres, type TestPostgres } from './support/postgres.js';
import { waitFor } from './support/receiver.js';

const examples = join(fileURLToPath(new URL('../..', import.meta.url)), 'examples');
let t: ReturnType<typeof tempDir>;
let data: string;
let node: NodeProcess;
let env: Record<string, string>;
let postgres: TestPostgres | undefined;

before(async () => {
  t = tempDir();
  data = join(t.dir, 'chain');
  assert.equal(govchain(['init', '--demo', '--data', data]).code, 0);
  node = await startNodeProcess(data, await freePort());
  const trust = join(t.dir, 'trust.json');
  writeFileSync(trust, await (await fetch(`${node.url}/v1/validators`)).text());
  const agency = readDemoIdentities(data).find((i) => i.role.startsWith('agency:land'))!;
  env = { GOVCHAIN_NODE: node.url, GOVCHAIN_DATA: data, GOVCHAIN_KEY: agency.keyFile, GOVCHAIN_TRUST: trust };
});
after(async () => {
  await node?.kill('SIGKILL');
  postgres?.stop();
  t.cleanup();
});

function runExample(name: string, args: string[], extra: Record<string, string> = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(examples, name), ...args], { encoding: 'utf8', env: { ...process.env, ...env, ...extra }, timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test('anchor-document.mjs anchors a file and reads it back verified', () => {
  const file = join(t.dir, 'decision.pdf');
  writeFileSync(file, '%PDF-1.7 building permit decision\n');
  const r = runExample('anchor-document.mjs', [file]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.match(out.txid, /^[0-9a-f]{64}$/);
  assert.ok(out.checkpointSize >= 1);
  assert.ok(out.height >= 1);
});

test('webhook-receiver.mjs processes signed deliveries registered with the CLI', async () => {
  const port = await freePort();
  const child = spawn(process.execPath, [join(examples, 'webhook-receiver.mjs')], { env: { ...process.env, WEBHOOK_SECRET: 'example-secret-0123456789', PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  try {
    await waitFor(() => err.includes('listening'), 10_000, 'the receiver');
    const add = govchain(['webhook', 'add', '--url', `http://127.0.0.1:${port}/govchain`, '--secret', 'example-secret-0123456789', '--type', 'notary.anchor'], { env });
    assert.equal(add.code, 0, add.stderr);
    const file = join(t.dir, 'minutes.txt');
    writeFileSync(file, 'council minutes');
    const n = govchain(['notarize', file, '--json', '--key', env.GOVCHAIN_KEY!], { env });
    assert.equal(n.code, 0, n.stderr);
    const txid = JSON.parse(n.stdout).txid;
    await waitFor(() => out.includes(txid), 15_000, 'the delivery');
    const line = JSON.parse(out.trim().split('\n').find((l) => l.includes(txid))!);
    assert.equal(line.type, 'notary.anchor');
    assert.equal(line.status, 'ok');
  } finally {
    child.kill('SIGTERM');
  }
});

test('postgres-anchor.mjs anchors a PostgreSQL table and later proves one row unchanged (and a changed row not)', async () => {
  postgres = await startPostgres();
  const db = new pg.Client({ connectionString: postgres.url });
  await db.connect();
  await db.query('CREATE TABLE land_titles (id integer PRIMARY KEY, parcel text NOT NULL, holder_ref text NOT NULL, area_m2 numeric NOT NULL, registered date NOT NULL)');
  for (let i = 1; i <= 250; i++) {
    await db.query('INSERT INTO land_titles VALUES ($1, $2, $3, $4, $5)', [i, `HN-${1000 + i}`, `holder-${(i * 7919) % 1000}`, (100 + i * 1.5).toFixed(1), `2025-0${(i % 9) + 1}-1${i % 10}`]);
  }
  const dbEnv = { DATABASE_URL: postgres.url };
  const a = runExample('postgres-anchor.mjs', ['anchor', 'land_titles'], dbEnv);
  assert.equal(a.code, 0, a.stderr);
  const anchored = JSON.parse(a.stdout);
  assert.equal(anchored.rows, 250);
  const proofs = await db.query("SELECT count(*)::int AS n FROM govchain_row_proofs WHERE table_name = 'land_titles'");
  assert.equal(proofs.rows[0].n, 250);

  const ok = runExample('postgres-anchor.mjs', ['prove', 'land_titles', '42'], dbEnv);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /^VALID: land_titles id 42 is unchanged since block \d+ \(record 41 of 250/);

  await db.query("UPDATE land_titles SET area_m2 = area_m2 + 1 WHERE id = 42");
  const bad = runExample('postgres-anchor.mjs', ['prove', 'land_titles', '42'], dbEnv);
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /^INVALID/);
  // Other rows are still proven.
  assert.equal(runExample('postgres-anchor.mjs', ['prove', 'land_titles', '43'], dbEnv).code, 0);
  await db.end();
});

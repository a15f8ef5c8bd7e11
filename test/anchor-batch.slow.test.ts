// `govchain anchor-batch` with real processes: a digest file and a CSV column are anchored
// in one transaction each; every record's proof verifies with `govchain proof verify`
// (after `proof record` for NDJSON), a changed record fails, bad input exits 2.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, tempDir } from './support/chain.js';
import { govchain, startNodeProcess, type NodeProcess } from './support/processes.js';

let t: ReturnType<typeof tempDir>;
let node: NodeProcess;
let env: Record<string, string>;
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

before(async () => {
  t = tempDir();
  const data = join(t.dir, 'chain');
  assert.equal(govchain(['init', '--demo', '--data', data]).code, 0);
  node = await startNodeProcess(data, await freePort());
  env = { GOVCHAIN_DATA: data, GOVCHAIN_NODE: node.url };
});
after(async () => {
  await node?.kill('SIGKILL');
  t.cleanup();
});

test('a digest file: one transaction, NDJSON proofs, one record turned into a bundle that verifies', () => {
  const rows = Array.from({ length: 300 }, (_, i) => `permit ${i}; issued 2026-01-${String((i % 28) + 1).padStart(2, '0')}`);
  const file = join(t.dir, 'digests.txt');
  writeFileSync(file, '# permits table export\n' + rows.map(sha).join('\n') + '\n');
  const r = govchain(['anchor-batch', file, '--label', 'permits 2026-01', '--json'], { env });
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.count, 300);
  const lines = readFileSync(out.proofs, 'utf8').trim().split('\n');
  assert.equal(lines.length, 300);
  assert.ok(lines.every((l) => l.length < 1500), 'each record proof is under 1.5 KB');

  const rec = join(t.dir, 'permit-42.govproof.json');
  const p = govchain(['proof', 'record', out.bundle, out.proofs, '--digest', sha(rows[42]!), '--out', rec, '--json'], { env });
  assert.equal(p.code, 0, p.stderr);
  assert.equal(JSON.parse(p.stdout).index, 42);
  const row = join(t.dir, 'row42.txt');
  writeFileSync(row, rows[42]!);
  const v = govchain(['proof', 'verify', rec, '--file', row, '--json'], { env });
  assert.equal(v.code, 0, v.stderr);
  assert.deepEqual(JSON.parse(v.stdout).batch, { index: 42, count: 300, root: out.root });
  // The row changed by one character: the proof no longer matches it.
  writeFileSync(row, rows[42]!.replace('permit', 'Permit'));
  const bad = govchain(['proof', 'verify', rec, '--file', row], { env });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /INVALID/);
  // A digest that was not in the batch.
  assert.equal(govchain(['proof', 'record', out.bundle, out.proofs, '--digest', sha('not there')], { env }).code, 1);
});

test('a CSV column, one bundle per record in a folder', () => {
  const file = join(t.dir, 'export.csv');
  const rows = Array.from({ length: 5 }, (_, i) => ({ id: i, name: `"Company ${i}, Ltd"`, digest: sha(`company ${i}`) }));
  writeFileSync(file, 'id,name,row_sha256\n' + rows.map((r) => `${r.id},${r.name},${r.digest}`).join('\n') + '\n');
  const dir = join(t.dir, 'proofs');
  const r = govchain(['anchor-batch', file, '--column', 'row_sha256', '--dir', dir, '--json'], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).count, 5);
  const files = readdirSync(dir).filter((f) => f !== 'batch.govproof.json');
  assert.deepEqual(files.sort(), rows.map((x) => `${x.digest}.govproof.json`).sort());
  const v = govchain(['proof', 'verify', join(dir, files[0]!)], { env });
  assert.equal(v.code, 0, v.stderr);
});

test('bad input exits 2 with one line naming the problem', () => {
  const file = join(t.dir, 'bad.txt');
  writeFileSync(file, `${sha('a')}\nnot-a-digest\n`);
  const r = govchain(['anchor-batch', file], { env });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bad\.txt:2: not a hex SHA-256 digest/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  const csv = join(t.dir, 'bad.csv');
  writeFileSync(csv, 'a,b\n1,2\n');
  const c = govchain(['anchor-batch', csv, '--column', 'digest'], { env });
  assert.equal(c.code, 2);
  assert.match(c.stderr, /no column "digest"/);
  const empty = join(t.dir, 'empty.txt');
  writeFileSync(empty, '\n');
  assert.equal(govchain(['anchor-batch', empty], { env }).code, 2);
});

// `govchain doctor` on a healthy node and on broken setups: each problem is named in plain
// words with what to do, and the exit code says whether anything failed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { freePort, tempDir } from './support/chain.js';
import { govchain, startNodeProcess, type NodeProcess } from './support/processes.js';

let t: ReturnType<typeof tempDir>;
let data: string;
let node: NodeProcess;

before(async () => {
  t = tempDir();
  data = join(t.dir, 'chain');
  assert.equal(govchain(['init', '--demo', '--data', data]).code, 0);
  node = await startNodeProcess(data, await freePort());
});
after(async () => {
  await node?.kill('SIGKILL');
  t.cleanup();
});

type Finding = { check: string; status: string; message: string; fix?: string };
const doctor = (args: string[]): { code: number; findings: Finding[] } => {
  const r = govchain(['doctor', '--data', data, '--json', ...args]);
  return { code: r.code, findings: JSON.parse(r.stdout).findings };
};

test('a healthy node: every check passes, including the running node and its peer view', () => {
  const r = doctor(['--node', node.url, '--http', node.url.replace('http://', ''), '--peers', node.url]);
  assert.equal(r.code, 0, JSON.stringify(r.findings, null, 1));
  const checks = new Set(r.findings.map((f) => f.check));
  for (const c of ['genesis', 'settings', 'chain', 'validator key', 'disk', 'clock', 'node', 'port', 'peers']) assert.ok(checks.has(c), c);
  assert.ok(r.findings.every((f) => f.status === 'ok'), JSON.stringify(r.findings.filter((f) => f.status !== 'ok')));
});

test('a key readable by others, a port taken by another program, an unreachable NATS server', async () => {
  const key = join(data, 'keys', 'validator-1.key');
  chmodSync(key, 0o644);
  const other: Server = createServer((_q, s) => s.end('not govchain'));
  const port = await freePort();
  await new Promise<void>((r) => other.listen(port, '127.0.0.1', r));
  const nats = await freePort();
  try {
    const r = doctor(['--http', `127.0.0.1:${port}`, '--orderer', `nats://127.0.0.1:${nats}`]);
    assert.equal(r.code, 1);
    const byCheck = (c: string) => r.findings.find((f) => f.check === c && f.status === 'fail');
    assert.match(byCheck('validator key')!.fix!, /chmod 600/);
    assert.match(byCheck('port')!.message, /taken by another program/);
    assert.match(byCheck('nats')!.message, /cannot reach NATS/);
  } finally {
    chmodSync(key, 0o600);
    other.close();
  }
});

test('a broken genesis and a missing data folder are named, with the fix', () => {
  const g = join(data, 'genesis.json');
  const saved = readFileSync(g, 'utf8');
  writeFileSync(g, '{"chainId": "Not Valid"');
  try {
    const r = doctor([]);
    assert.equal(r.code, 1);
    const f = r.findings.find((x) => x.check === 'genesis')!;
    assert.equal(f.status, 'fail');
    assert.match(f.fix!, /genesis\.json/);
  } finally {
    writeFileSync(g, saved);
  }
  const missing = govchain(['doctor', '--data', join(t.dir, 'nope'), '--json']);
  assert.equal(missing.code, 1);
  assert.match(JSON.parse(missing.stdout).findings[0].fix, /govchain init/);
});

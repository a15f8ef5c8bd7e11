// Backups and disaster recovery with real processes: `govchain backup` copies a node's
// data folder while the node commits under load; `govchain restore` puts it in a new
// folder, checks every file and audits the chain; `govchain audit` agrees; a node started
// on the restored folder serves the backed-up head and keeps committing. A damaged
// backup is refused (exit 1); a stopped node backs up too.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readDemoIdentities, readKeyFile } from '@govchain/node';
import { anchorTx, freePort, tempDir } from './support/chain.js';
import { CLI, govchain, startNodeProcess, type NodeProcess } from './support/processes.js';

let t: ReturnType<typeof tempDir>;
let data: string;
let node: NodeProcess;
const started: NodeProcess[] = [];

before(async () => {
  t = tempDir();
  data = join(t.dir, 'chain');
  assert.equal(govchain(['init', '--demo', '--data', data]).code, 0);
  node = await startNodeProcess(data, await freePort(), ['--block-interval', '20', '--rate-limit-ip', '0', '--rate-limit-signer', '0']);
  started.push(node);
});
after(async () => {
  for (const n of started) await n.kill('SIGKILL');
  t.cleanup();
});

/** Run the CLI without blocking this process (the load keeps flowing meanwhile). */
function govchainAsync(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, GOVCHAIN_LOG_LEVEL: 'warn' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Submit anchors from every demo citizen until stopped; counts what was accepted. */
function load(url: string, dir: string): { stop: () => Promise<number> } {
  const keys = readDemoIdentities(dir).filter((i) => i.role === 'citizen').map((i) => readKeyFile(i.keyFile));
  let running = true;
  let accepted = 0;
  const worker = async (k: (typeof keys)[number]): Promise<void> => {
    while (running) {
      const r = await fetch(`${url}/v1/txs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(anchorTx(k)) });
      assert.ok(r.status === 202, `load got ${r.status}: ${await r.text()}`);
      accepted++;
    }
  };
  const all = Promise.all(keys.flatMap((k) => [worker(k), worker(k)]));
  return {
    async stop() {
      running = false;
      await all;
      return accepted;
    },
  };
}

test('backup of a running node under load, restore elsewhere, audit, start', async () => {
  const dest = join(t.dir, 'backup');
  const l = load(node.url, data);
  await new Promise((r) => setTimeout(r, 1000));
  const b = await govchainAsync(['backup', dest, '--data', data, '--json']);
  await new Promise((r) => setTimeout(r, 500));
  const accepted = await l.stop();
  assert.equal(b.code, 0, b.stderr);
  const backup = JSON.parse(b.stdout);
  assert.ok(backup.height > 0 && backup.logSize > 0, b.stdout);
  assert.ok(accepted > backup.logSize, `the load kept going past the backup (${accepted} accepted, ${backup.logSize} in the backup)`);
  process.stdout.write(`# backup under load: height ${backup.height}, ${backup.logSize} txs, ${backup.bytes} bytes; ${accepted} txs accepted in total\n`);
  // Keys stay private in the backup.
  assert.equal(statSync(join(dest, 'keys', 'validator-1.key')).mode & 0o777, 0o600);
  assert.equal(statSync(dest).mode & 0o777, 0o700);

  // A backup never goes over an existing one.
  const again = govchain(['backup', dest, '--data', data]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /backup\.exists/);

  const restored = join(t.dir, 'restored');
  const r = govchain(['restore', dest, '--data', restored, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).height, backup.height);
  assert.equal(JSON.parse(r.stdout).audited, true);
  const audit = govchain(['audit', '--data', restored, '--json']);
  assert.equal(audit.code, 0, audit.stderr);
  assert.equal(JSON.parse(audit.stdout).height, backup.height);
  assert.equal(JSON.parse(audit.stdout).transactions, backup.logSize);

  // The restored folder runs: same head, and it keeps committing with the restored demo keys.
  const revived = await startNodeProcess(restored, await freePort(), ['--block-interval', '20']);
  started.push(revived);
  const status = await (await fetch(`${revived.url}/v1/status`)).json();
  assert.equal(status.height, backup.height);
  assert.equal(status.stateRoot, backup.stateRoot);
  const citizen = readKeyFile(readDemoIdentities(restored).find((i) => i.role === 'citizen')!.keyFile);
  assert.ok(readDemoIdentities(restored).every((i) => i.keyFile.startsWith(restored)));
  const res = await fetch(`${revived.url}/v1/txs?wait=commit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(anchorTx(citizen)) });
  assert.equal(res.status, 200, await res.clone().text());
  assert.equal((await res.json()).height, backup.height + 1);
  await revived.kill('SIGTERM');
});

test('a damaged backup is refused with exit 1, naming the file', () => {
  const dest = join(t.dir, 'backup');
  const damaged = join(t.dir, 'damaged');
  cpSync(dest, damaged, { recursive: true });
  const db = join(damaged, 'db', 'data.mdb');
  const bytes = readFileSync(db);
  bytes[bytes.length - 100] ^= 0xff;
  writeFileSync(db, bytes);
  const r = govchain(['restore', damaged, '--data', join(t.dir, 'never')]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /db\/data\.mdb.*backup\.corrupt/);
  const missing = govchain(['restore', join(t.dir, 'nowhere'), '--data', join(t.dir, 'never2')]);
  assert.equal(missing.code, 1);
});

test('a stopped node backs up to its final head', async () => {
  await node.kill('SIGTERM');
  const head = govchain(['audit', '--data', data, '--json']);
  assert.equal(head.code, 0, head.stderr);
  const dest = join(t.dir, 'backup-stopped');
  const b = govchain(['backup', dest, '--data', data, '--json', '--compact']);
  assert.equal(b.code, 0, b.stderr);
  assert.equal(JSON.parse(b.stdout).height, JSON.parse(head.stdout).height);
  const r = govchain(['restore', dest, '--data', join(t.dir, 'restored-stopped'), '--json']);
  assert.equal(r.code, 0, r.stderr);
});

// Disk full under load (docs/faults.md): the node's data folder sits on a small tmpfs that a
// ballast file fills while clients submit with wait=commit. The node must stay up (no crash),
// stop committing with a clear reason (/readyz 503 naming the full disk, writes refused with
// 503 node.halted), keep what it acknowledged, pass `govchain audit`, and commit again once
// space is freed and it is restarted. Needs `mount -t tmpfs` (root); skipped otherwise.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson } from '@govchain/core';
import { createKey } from '@govchain/node';
import { anchorTx, freePort, tempDir } from './support/chain.js';
import { govchain, startNodeProcess, type NodeProcess } from './support/processes.js';

let t: ReturnType<typeof tempDir>;
let mnt: string;
let mounted = false;
let mountError = '';

before(() => {
  t = tempDir('govchain-diskfull-');
  mnt = join(t.dir, 'tmpfs');
  mkdirSync(mnt);
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=32m', 'tmpfs', mnt], { encoding: 'utf8' });
  mounted = r.status === 0;
  mountError = (r.stderr || r.error?.message || `exit ${r.status}`).trim();
});
after(() => {
  if (mounted) spawnSync('umount', ['-l', mnt]);
  t.cleanup();
});

const free = (): number => {
  const s = statfsSync(mnt);
  return s.bavail * s.bsize;
};

async function stopNode(node: NodeProcess): Promise<void> {
  const timer = setTimeout(() => node.child.kill('SIGKILL'), 10_000);
  await node.kill('SIGTERM');
  clearTimeout(timer);
}

test('disk full under load: the node halts clearly, loses nothing acknowledged, and commits again after space is freed', { timeout: 180_000 }, async (ctx) => {
  if (!mounted) {
    ctx.skip(`cannot mount a tmpfs here (${mountError}); run as root to test a full disk`);
    return;
  }
  const data = join(mnt, 'chain');
  assert.equal(govchain(['init', '--demo', '--data', data]).code, 0);
  let node = await startNodeProcess(data, await freePort(), ['--block-interval', '20']);
  const keys = Array.from({ length: 16 }, () => createKey());
  const acked = new Map<string, number>();
  const statuses: Record<string, number> = {};
  let running = true;
  const client = async (c: number): Promise<void> => {
    while (running) {
      try {
        const res = await fetch(`${node.url}/v1/txs?wait=commit&timeout=5000`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: canonicalJson(anchorTx(keys[c]!) as any) });
        const body = (await res.json()) as { txid?: string; height?: number; code?: string };
        const k = `${res.status} ${body.code ?? ''}`.trim();
        statuses[k] = (statuses[k] ?? 0) + 1;
        if (res.status === 200) acked.set(body.txid!, body.height!);
        else await new Promise((r) => setTimeout(r, 100));
      } catch {
        statuses.noAnswer = (statuses.noAnswer ?? 0) + 1;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  const clients = keys.map((_, c) => client(c));
  try {
    await new Promise((r) => setTimeout(r, 1000));
    assert.ok(acked.size > 0, 'load commits before the disk fills');
    // Leave 2 MiB: a few seconds of load.
    writeFileSync(join(mnt, 'ballast'), Buffer.alloc(Math.max(0, free() - 2 * 2 ** 20)));
    const deadline = Date.now() + 90_000;
    let ready = { status: 200, detail: '' };
    while (ready.status === 200) {
      assert.ok(Date.now() < deadline, `the node never reported the full disk: ${JSON.stringify(statuses)}`);
      await new Promise((r) => setTimeout(r, 250));
      const r = await fetch(`${node.url}/readyz`);
      ready = { status: r.status, detail: ((await r.json()) as { detail?: string }).detail ?? '' };
    }
    assert.equal(ready.status, 503);
    assert.match(ready.detail, /disk of the data folder is full/);
    // Still up a while later (no crash, no restart loop) and refusing writes clearly.
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(node.child.exitCode, null, 'the node process must stay up');
    const refused = await fetch(`${node.url}/v1/txs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: canonicalJson(anchorTx(keys[0]!) as any) });
    assert.equal(refused.status, 503);
    const problem = (await refused.json()) as { code: string; detail: string };
    assert.equal(problem.code, 'node.halted');
    assert.match(problem.detail, /disk of the data folder is full/);
    assert.equal((await fetch(`${node.url}/v1/status`)).status, 200, 'reads are still served');
    running = false;
    await Promise.all(clients);
    const committedAtHalt = acked.size;
    process.stdout.write(`# disk full: ${committedAtHalt} acknowledged before the halt; answers ${JSON.stringify(statuses)}\n`);
    await stopNode(node);

    // Free the space: the chain on disk is intact and the node resumes.
    rmSync(join(mnt, 'ballast'));
    const audit = govchain(['audit', '--data', data, '--json']);
    assert.equal(audit.code, 0, `audit after the full disk: ${audit.stderr} ${audit.stdout}`);
    node = await startNodeProcess(data, await freePort(), ['--block-interval', '20']);
    for (const [txid, height] of acked) {
      const res = await fetch(`${node.url}/v1/txs/${txid}`);
      assert.equal(res.status, 200, `acknowledged ${txid} lost`);
      assert.equal(((await res.json()) as { receipt: { height: number } }).receipt.height, height);
    }
    for (let i = 0; i < 50; i++) {
      const res = await fetch(`${node.url}/v1/txs?wait=commit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: canonicalJson(anchorTx(keys[i % keys.length]!) as any) });
      assert.equal(res.status, 200, 'commits resume after space is freed');
    }
    await stopNode(node);
    const audit2 = govchain(['audit', '--data', data, '--json']);
    assert.equal(audit2.code, 0, `audit after resuming: ${audit2.stderr}`);
  } finally {
    running = false;
    await Promise.all(clients);
    if (node.child.exitCode === null && node.child.signalCode === null) await stopNode(node);
  }
});

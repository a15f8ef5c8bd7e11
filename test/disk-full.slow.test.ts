// Disk full under load (docs/faults.md): the node's data folder sits on a small tmpfs that a
// ballast file fills while clients submit with wait=commit. The node must stay up (no crash),
// stop committing with a clear reason (/readyz 503 naming the full disk, writes refused with
// 503 store.disk_full), and, once the ballast is removed, resume by itself (no restart):
// ready again, commits again, every acknowledged transaction there exactly once, `govchain
// audit` passes, and a restart finds the same chain. Needs `mount -t tmpfs` (root); skipped otherwise.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson } from '@govchain/core';
import { createKey } from '@govchain/node';
import type { Receipt } from '@govchain/core';
import { anchorTx, freePort, tempDir } from './support/chain.js';
import { assertNothingLostOrDuplicated } from './support/network.js';
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

test('disk full under load: the node stops committing clearly, loses nothing acknowledged, and resumes by itself once space is freed', { timeout: 180_000 }, async (ctx) => {
  if (!mounted) {
    ctx.skip(`cannot mount a tmpfs here (${mountError}); run as root to test a full disk`);
    return;
  }
  const data = join(mnt, 'chain');
  assert.equal(govchain(['init', '--demo', '--data', data]).code, 0);
  let node = await startNodeProcess(data, await freePort(), ['--block-interval', '20']);
  const keys = Array.from({ length: 16 }, () => createKey());
  const acked = new Map<string, Receipt>();
  const statuses: Record<string, number> = {};
  let running = true;
  const client = async (c: number): Promise<void> => {
    while (running) {
      try {
        const res = await fetch(`${node.url}/v1/txs?wait=commit&timeout=5000`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: canonicalJson(anchorTx(keys[c]!) as any) });
        const body = (await res.json()) as Receipt & { code?: string };
        const k = `${res.status} ${body.code ?? ''}`.trim();
        statuses[k] = (statuses[k] ?? 0) + 1;
        if (res.status === 200) acked.set(body.txid, body);
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
    // Still up a while later (no crash, no restart loop), committing nothing, refusing writes clearly.
    const heightWhenFull = ((await (await fetch(`${node.url}/v1/status`)).json()) as { height: number }).height;
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(node.child.exitCode, null, 'the node process must stay up');
    const refused = await fetch(`${node.url}/v1/txs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: canonicalJson(anchorTx(keys[0]!) as any) });
    assert.equal(refused.status, 503);
    const problem = (await refused.json()) as { code: string; detail: string };
    assert.equal(problem.code, 'store.disk_full');
    assert.match(problem.detail, /disk of the data folder is full/);
    const statusWhileFull = await fetch(`${node.url}/v1/status`);
    assert.equal(statusWhileFull.status, 200, 'reads are still served');
    assert.equal(((await statusWhileFull.json()) as { height: number }).height, heightWhenFull, 'nothing is committed while the disk is full');
    const ackedWhileFull = acked.size;

    // Free the space, no restart: the node writes the block it was retrying and goes on.
    rmSync(join(mnt, 'ballast'));
    const resumeBy = Date.now() + 30_000;
    while ((await fetch(`${node.url}/readyz`)).status !== 200) {
      assert.ok(Date.now() < resumeBy, 'the node is ready again within 30 s of space being freed');
      await new Promise((r) => setTimeout(r, 100));
    }
    const resumedAfterMs = 30_000 - (resumeBy - Date.now());
    const more = acked.size;
    await new Promise((r) => setTimeout(r, 1000));
    assert.ok(acked.size > more, 'the clients commit again after space is freed');
    running = false;
    await Promise.all(clients);
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${node.url}/v1/txs?wait=commit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: canonicalJson(anchorTx(keys[i % keys.length]!) as any) });
      assert.equal(res.status, 200, 'commits resume after space is freed');
      const r = (await res.json()) as Receipt;
      acked.set(r.txid, r);
    }
    const committed = await assertNothingLostOrDuplicated(node.url, acked);
    process.stdout.write(`# disk full: ${ackedWhileFull} acknowledged before the disk filled, ready again ${resumedAfterMs} ms after space was freed (no restart), ${acked.size} acknowledged in all, ${committed} committed once each; answers ${JSON.stringify(statuses)}\n`);
    await stopNode(node);

    // The chain on disk is intact and a restart finds every acknowledged transaction.
    const audit = govchain(['audit', '--data', data, '--json']);
    assert.equal(audit.code, 0, `audit after the full disk: ${audit.stderr} ${audit.stdout}`);
    node = await startNodeProcess(data, await freePort(), ['--block-interval', '20']);
    assert.equal(await assertNothingLostOrDuplicated(node.url, acked), committed);
    await stopNode(node);
  } finally {
    running = false;
    await Promise.all(clients);
    if (node.child.exitCode === null && node.child.signalCode === null) await stopNode(node);
  }
});

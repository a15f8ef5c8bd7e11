// Interoperability with real processes: `govchain witness` runs as its own process; a
// `govchain start` node configured in node.json with that witness and a file anchor
// target gets its checkpoints cosigned (served by GET /v1/checkpoint) and anchored
// (GET /v1/anchors); the witness, restarted, resumes from its persisted state.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatVerifierKey, fromBase64, verifyCheckpointNote } from '@govchain/core';
import { freePort, tempDir } from './support/chain.js';
import { CLI, govchain, startNodeProcess, type NodeProcess } from './support/processes.js';

const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** Start `govchain witness` and wait for its JSON line. */
async function startWitness(args: string[]): Promise<{ child: ChildProcess; info: { url: string; vkey: string; name: string } }> {
  const child = spawn(process.execPath, [CLI, 'witness', '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const info = await new Promise<{ url: string; vkey: string; name: string }>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      stdout += d;
      if (stdout.includes('\n')) resolve(JSON.parse(stdout.split('\n')[0]!));
    });
    child.on('exit', (code) => reject(new Error(`witness exited ${code}: ${stderr}`)));
  });
  return { child, info };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const done = new Promise((r) => child.on('exit', r));
  child.kill('SIGTERM');
  await done;
}

async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('a node process with a witness process and a file anchor: cosigned, anchored, and the witness resumes after a restart', async () => {
  const t = tempDir();
  let node: NodeProcess | undefined;
  try {
    const data = join(t.dir, 'chain');
    const wdata = join(t.dir, 'witness');
    assert.equal(govchain(['init', '--demo', '--data', data, '--json']).code, 0);
    const genesis = JSON.parse(readFileSync(join(data, 'genesis.json'), 'utf8')) as { chainId: string; validators: Array<{ name: string; publicKey: string }> };
    const vkeysFile = join(t.dir, 'validators.txt');
    writeFileSync(vkeysFile, genesis.validators.map((v) => formatVerifierKey(v.name, fromBase64(v.publicKey))).join('\n') + '\n');
    // Bad usage: exit 2 with one line.
    const badUsage = govchain(['witness', '--data', wdata, '--vkeys', vkeysFile]);
    assert.equal(badUsage.code, 2);
    assert.match(badUsage.stderr, /--origin/);

    const wport = await freePort();
    const args = ['--data', wdata, '--http', `127.0.0.1:${wport}`, '--origin', genesis.chainId, '--vkeys', vkeysFile, '--name', 'auditor.example/w1'];
    let w = await startWitness(args);
    assert.equal((statSync(join(wdata, 'witness-key.json')).mode & 0o777).toString(8), '600');
    const anchors = join(t.dir, 'anchors.jsonl');
    const config = JSON.parse(readFileSync(join(data, 'node.json'), 'utf8'));
    writeFileSync(join(data, 'node.json'), JSON.stringify({ ...config, witnesses: [{ name: w.info.name, vkey: w.info.vkey, url: w.info.url }], anchors: [{ type: 'file', path: anchors }] }));
    node = await startNodeProcess(data, await freePort(), ['--anchor-interval', '1']);
    const url = node.url;
    const validators = (await (await fetch(`${url}/v1/validators`)).json()) as { quorum: number; vkeys: string[] };
    const cosigned = async (minSize: number): Promise<number | undefined> => {
      const note = await (await fetch(`${url}/v1/checkpoint`)).text();
      const v = verifyCheckpointNote(note, validators.vkeys, validators.quorum, { witnesses: [w.info.vkey], witnessQuorum: 1 });
      return v.checkpoint.size >= minSize ? v.checkpoint.size : undefined;
    };
    const first = await until('a cosigned checkpoint', () => cosigned(1));
    // Anchored to the file, and served by GET /v1/anchors.
    await until('an anchor line', async () => (existsSync(anchors) && readFileSync(anchors, 'utf8').includes('govchain-anchor') ? true : undefined));
    const a = (await (await fetch(`${url}/v1/anchors?atLeast=0`)).json()) as { size: number; receipts: Array<{ type: string; location: string }> };
    assert.deepEqual(a.receipts, [{ type: 'file', location: anchors }]);
    assert.equal((await fetch(`${url}/v1/anchors?atLeast=999999`)).status, 404);

    // Restart the witness: it keeps its key and latest checkpoint.
    await stop(w.child);
    w = await startWitness(args);
    const latest = await (await fetch(`${w.info.url}/checkpoint`)).text();
    assert.ok(Number(latest.split('\n')[1]) >= first);
    // New transactions: the node keeps getting cosignatures, with consistency proofs from the persisted size.
    const n = govchain(['notarize', join(data, 'genesis.json'), '--node', url, '--data', data, '--json']);
    assert.equal(n.code, 0, n.stderr);
    const bundlePath = JSON.parse(n.stdout).bundle as string;
    const bundle = JSON.parse(readFileSync(bundlePath, 'utf8')) as { inclusion: { treeSize: number } };
    // The bundle gains its anchor section once an anchor covers it; it still verifies offline.
    await until('an anchor covering the bundle', async () => ((await fetch(`${url}/v1/anchors?atLeast=${bundle.inclusion.treeSize}`)).status === 200 ? true : undefined));
    const pa = govchain(['proof', 'anchor', bundlePath, '--node', url]);
    assert.equal(pa.code, 0, pa.stderr);
    const pv = govchain(['proof', 'verify', bundlePath, '--trust', vkeysFile]);
    assert.equal(pv.code, 0, pv.stderr);
    assert.match(pv.stdout, new RegExp(`anchored outside the network .*file ${anchors.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
    await until('a later cosigned checkpoint', () => cosigned(Math.max(first + 1, bundle.inclusion.treeSize)));
    const info = (await (await fetch(`${w.info.url}/witness`)).json()) as { evidence: number; origin: string };
    assert.equal(info.evidence, 0);
    assert.equal(info.origin, genesis.chainId);
    await stop(w.child);
  } finally {
    await node?.kill();
    t.cleanup();
  }
});

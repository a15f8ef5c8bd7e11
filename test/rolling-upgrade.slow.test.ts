// A rolling upgrade of a 4-validator network without stopping it (docs/upgrades.md), with
// real processes and a real nats-server JetStream cluster. Every node starts as the "old
// release": a build that runs protocol versions only up to 1 (GOVCHAIN_TEST_PROTOCOL_MAX=1)
// and whose store is in the previous storage format (rewritten to format 0 while the node is
// stopped, as the old release left it). Under steady load each node in turn is stopped and
// started as the new release: it migrates its store, catches up and signs again, with at most
// one validator down at a time. Then governance schedules protocol 2; validator-4, left on the
// old release on purpose, stops at the activation height with a clear reason instead of
// diverging, while the others apply the new rule from exactly that block; upgraded, it catches
// up. Throughout: the network never stops committing, every checkpoint is certified, nothing
// acknowledged is lost or duplicated, and every node ends on the same roots.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes, signTxSync, toHex, verifyCheckpointNote, type JsonValue, type Receipt } from '@govchain/core';
import { startLocalNetwork, type LocalNetwork } from '@govchain/cli';
import { dataPaths, readKeyFile, type LoadedKey } from '@govchain/node';
import { tempDir } from './support/chain.js';
import { rewriteAsFormat0 } from './support/legacy-store.js';
import { assertNothingLostOrDuplicated, certifiedCheckpoint, getJson, load, recordAcks, signedAnchors, sleep, waitFor, waitForAgreement, withNetworkLogs, type NodeStatus } from './support/network.js';

process.env.GOVCHAIN_RATE_LIMIT_IP = '0';
process.env.GOVCHAIN_RATE_LIMIT_SIGNER = '0';

const CHAIN = 'govchain-roll';
const VALIDATORS = ['validator-1', 'validator-2', 'validator-3', 'validator-4'];
const ALL = [...VALIDATORS, 'observer-1'];
const OLD_RELEASE = { GOVCHAIN_TEST_PROTOCOL_MAX: '1' };
const NEW_RELEASE = { GOVCHAIN_TEST_PROTOCOL_MAX: '' };
let t: ReturnType<typeof tempDir>;
let net: LocalNetwork;
const up = new Set(ALL);
const urls = (): string[] => ALL.filter((n) => up.has(n)).map((n) => net.node(n).url);
const status = async (name: string): Promise<NodeStatus & { protocol?: { version: number; supported: number; scheduled?: { version: number; height: number } } }> => (await getJson<any>(`${net.node(name).url}/v1/status`))!;
const ready = async (name: string): Promise<boolean> => (await fetch(`${net.node(name).url}/readyz`).catch(() => undefined))?.status === 200;
const days = (n: number): string => new Date(Date.now() + n * 86_400_000).toISOString();

/** Sign `type` with `key` and submit it to `url`, waiting for its receipt. */
async function submit(url: string, key: LoadedKey, type: string, payload: Record<string, JsonValue>): Promise<Receipt> {
  const env = signTxSync({ chain: CHAIN, type, signer: key.did, nonce: toHex(randomBytes(8)), payload }, [key]);
  const res = await fetch(`${url}/v1/txs?wait=commit&timeout=30000`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(env) });
  const body = (await res.json()) as Receipt;
  assert.equal(res.status, 200, JSON.stringify(body));
  return body;
}

/**
 * Load that runs until stopped: 8 independent workers, each submitting anchors one at a time
 * (retried across nodes), so one request waiting on a stopping node never idles the rest.
 */
function steadyLoad(): { acked: Map<string, Receipt>; stop: () => Promise<number> } {
  const acked = new Map<string, Receipt>();
  let stopped = false;
  let failed = 0;
  const worker = async (): Promise<void> => {
    while (!stopped) {
      const r = await load(urls, signedAnchors(CHAIN, 10, 2), { connections: 1, retries: 120, retryDelayMs: 250 });
      recordAcks(acked, r);
      failed += r.failed;
    }
  };
  const running = Promise.all(Array.from({ length: 8 }, worker));
  return { acked, stop: async () => ((stopped = true), await running, failed) };
}

/** Samples the highest head any running node reports, every 200 ms, until stopped. */
function commitMonitor(): { stop: () => Promise<{ longestStallMs: number; blocks: number; txs: number }> } {
  let stopped = false;
  let last = { height: 0, logSize: 0, at: performance.now() };
  let first: typeof last | undefined;
  let longestStallMs = 0;
  const running = (async () => {
    while (!stopped) {
      const heads = await Promise.all(urls().map((u) => getJson<NodeStatus>(`${u}/v1/status`)));
      const best = heads.reduce((m, s) => (s !== undefined && s.height > m.height ? s : m), { height: 0, logSize: 0 } as { height: number; logSize: number });
      const now = performance.now();
      if (best.height > last.height) {
        if (first === undefined) first = { height: best.height, logSize: best.logSize, at: now };
        else longestStallMs = Math.max(longestStallMs, now - last.at);
        last = { height: best.height, logSize: best.logSize, at: now };
      }
      longestStallMs = Math.max(longestStallMs, first === undefined ? 0 : now - last.at);
      await sleep(200);
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await running;
      return { longestStallMs, blocks: last.height - (first?.height ?? last.height), txs: last.logSize - (first?.logSize ?? last.logSize) };
    },
  };
}

const migratedLines = (name: string): number => readFileSync(net.node(name).log, 'utf8').split('\n').filter((l) => l.includes('chain store migrated') && l.includes('format 0 -> 1')).length;

/**
 * Stop `name`, leave its store as the old release wrote it, start it as the new release; wait
 * until it migrated, caught up and (a validator) signed a certified checkpoint again.
 */
async function upgradeNode(name: string): Promise<number> {
  const t0 = performance.now();
  for (const v of VALIDATORS) if (v !== name) assert.ok(await ready(v), `${v} is up before ${name} is stopped: at most one validator down at a time`);
  up.delete(name);
  await net.stopNode(name);
  await rewriteAsFormat0(dataPaths(net.node(name).dir).db);
  const migrations = migratedLines(name);
  await net.startNode(name, NEW_RELEASE);
  assert.equal(migratedLines(name), migrations + 1, `${name} migrated its store from format 0 on start`);
  const ref = ALL.find((n) => n !== name && up.has(n))!;
  const target = (await status(ref)).height;
  await waitFor(`${name} catching up`, async () => (await status(name)).height >= target && (await ready(name)));
  assert.equal((await status(name)).protocol?.supported, 2);
  up.add(name);
  const validator = net.node(name).validator;
  if (validator !== undefined) {
    const size = (await status(name)).logSize;
    await waitFor(`${name} signing again`, async () => {
      const cp = await certifiedCheckpoint(net.node(ref).url);
      return cp.size > size && cp.signers.includes(validator);
    });
  }
  return (performance.now() - t0) / 1000;
}

before(async () => {
  t = tempDir('govchain-roll-');
  net = await startLocalNetwork({ dir: join(t.dir, 'net'), validators: 4, observers: 1, chainId: CHAIN, blockIntervalMs: 100, nodeEnv: Object.fromEntries(ALL.map((n) => [n, OLD_RELEASE])) });
});
after(async () => {
  await net?.stop();
  t.cleanup();
});

test('rolling upgrade under load: storage migration on each restart, then protocol 2 activated by governance', { timeout: 600_000 }, (tc) => withNetworkLogs(net, async () => {
  const agencies = VALIDATORS.map((v) => readKeyFile(join(net.node(v).dir, 'keys', 'agency.key')));
  for (const n of ALL) assert.deepEqual((await status(n)).protocol, { version: 1, supported: 1 });
  const traffic = steadyLoad();
  const monitor = commitMonitor();
  const t0 = performance.now();
  await sleep(1500);

  // 1. Roll the new release through every node but validator-4, one at a time.
  const perNode: Record<string, number> = {};
  for (const name of ['validator-1', 'validator-2', 'validator-3', 'observer-1']) perNode[name] = await upgradeNode(name);

  // 2. Governance schedules protocol 2 (3 of the 4 founding agencies).
  const v1 = net.node('validator-1').url;
  const activation = (await status('validator-1')).height + 60;
  const proposal = await submit(v1, agencies[0]!, 'governance.propose', { action: { type: 'set_protocol_version', version: 2, activationHeight: activation }, deadline: days(1) });
  assert.equal(proposal.status, 'ok', proposal.code);
  for (const a of agencies.slice(1, 3)) {
    const r = await submit(v1, a, 'governance.approve', { proposal: proposal.txid });
    assert.equal(r.status, 'ok', r.code);
  }
  // Until activation the old and new releases execute the same rules: a one-year deadline passes.
  const before = await submit(v1, agencies[0]!, 'governance.propose', { action: { type: 'set_threshold', threshold: 2 }, deadline: days(365) });
  assert.equal(before.status, 'ok', before.code);
  assert.ok(before.height < activation, `probe committed at ${before.height}, before activation at ${activation}`);
  await waitFor('validator-4 seeing the schedule', async () => (await status('validator-4')).protocol?.scheduled?.height === activation);
  assert.deepEqual((await status('validator-4')).protocol, { version: 1, supported: 1, scheduled: { version: 2, height: activation } });

  // 3. validator-4, still on the old release, stops before executing the activation block.
  await waitFor('validator-4 stopping at the activation height', async () => !(await ready('validator-4')), 120_000);
  up.delete('validator-4');
  const halted = (await (await fetch(`${net.node('validator-4').url}/readyz`)).json()) as { detail: string };
  assert.match(halted.detail, new RegExp(`block ${activation} runs under protocol version 2 .*supports protocol versions up to 1.*upgrade govchain`));
  assert.equal((await status('validator-4')).height, activation - 1, 'it executed nothing of the activation block');
  assert.match(readFileSync(net.node('validator-4').log, 'utf8'), /governance scheduled protocol version 2 from height \d+; this govchain supports up to 1/);
  // The others apply protocol 2 from that block, and keep certifying with 3 of 4.
  const after = await submit(v1, agencies[0]!, 'governance.propose', { action: { type: 'set_threshold', threshold: 2 }, deadline: days(365) });
  assert.ok(after.height >= activation);
  assert.equal(after.code, 'governance.deadline_too_far');
  const sizeAfter = (await status('validator-1')).logSize;
  await waitFor('certification past the activation without validator-4', async () => (await certifiedCheckpoint(net.node('observer-1').url)).size >= sizeAfter);

  // 4. Its operator upgrades it: it migrates, executes the activation block under protocol 2, signs.
  perNode['validator-4'] = await upgradeNode('validator-4');
  const rollSeconds = (performance.now() - t0) / 1000;
  const failed = await traffic.stop();
  const commits = await monitor.stop();
  assert.equal(failed, 0, 'every submission was eventually acknowledged');

  // 5. Same roots everywhere, every checkpoint certified, nothing lost or duplicated.
  const head = await waitForAgreement(net, ALL, sizeAfter);
  await waitFor('certification of the head everywhere', async () => (await Promise.all(ALL.map(status))).every((s) => s.certifiedSize === head.logSize));
  for (const n of ALL) assert.deepEqual((await status(n)).protocol, { version: 2, supported: 2 });
  const obs = net.node('observer-1').url;
  const vk = (await getJson<{ quorum: number; vkeys: string[] }>(`${obs}/v1/validators`))!;
  let checkpoints = 0;
  for (let h = 1; h <= head.height; h++) {
    const b = (await getJson<{ header: { txCount: number; logSize: number } }>(`${obs}/v1/blocks/${h}`))!;
    if (b.header.txCount === 0) continue; // no new leaf, no checkpoint of its own (block 1: size 0)
    const res = await fetch(`${obs}/v1/checkpoint?size=${b.header.logSize}`);
    assert.equal(res.status, 200, `checkpoint of block ${h} (size ${b.header.logSize}) is certified`);
    const { checkpoint } = verifyCheckpointNote(await res.text(), vk.vkeys, vk.quorum);
    assert.equal(checkpoint.height, h);
    checkpoints++;
  }
  const acked = new Map([...traffic.acked, ...[proposal, before, after].map((r) => [r.txid, r] as const)]);
  const committed = await assertNothingLostOrDuplicated(obs, acked);
  assert.ok(commits.longestStallMs < 15_000, `the network kept committing (longest stall ${Math.round(commits.longestStallMs)} ms)`);
  const figures = { rollSeconds: Math.round(rollSeconds), perNodeSeconds: Object.fromEntries(Object.entries(perNode).map(([k, v]) => [k, Math.round(v * 10) / 10])), blocksDuringRoll: commits.blocks, txsDuringRoll: commits.txs, longestStallMs: Math.round(commits.longestStallMs), acknowledged: traffic.acked.size, committed, checkpointsCertified: checkpoints, activation };
  tc.diagnostic(`rolling upgrade: ${JSON.stringify(figures)}`);
}));

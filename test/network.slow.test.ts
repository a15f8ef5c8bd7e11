// The multi-node network with real processes: a 3-server nats-server JetStream cluster
// (R3 streams), 4 validator nodes (one agency each) and 1 observer, each its own
// `govchain start` process. Load goes to different nodes; all nodes must agree on every
// root; faults (SIGKILL of a validator, of a NATS server; a node executing differently;
// an equivocating validator; 2 of 4 validators down) behave as docs/network.md says; and
// no transaction acknowledged with wait=commit is lost or committed twice.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { formatCheckpoint, formatSignedNote, signCheckpoint, type Receipt } from '@govchain/core';
import { startLocalNetwork, type LocalNetwork } from '@govchain/cli';
import { readKeyFile } from '@govchain/node';
import { jetStreamNames } from '@govchain/ordering';
import { tempDir } from './support/chain.js';
import { assertNothingLostOrDuplicated, recordAcks, withNetworkLogs, certifiedCheckpoint, getJson, load, signedAnchors, sleep, waitFor, waitForAgreement, type NodeStatus } from './support/network.js';

// The load here comes from one IP and a few signers: measure the network, not the abuse limits
// (node processes inherit these; test/support/processes.ts does the same for single nodes).
process.env.GOVCHAIN_RATE_LIMIT_IP = '0';
process.env.GOVCHAIN_RATE_LIMIT_SIGNER = '0';

const CHAIN = 'govchain-net';
const ALL = ['validator-1', 'validator-2', 'validator-3', 'validator-4', 'observer-1'];
let t: ReturnType<typeof tempDir>;
let net: LocalNetwork;
const acked = new Map<string, Receipt>();
const up = new Set(ALL);
const urls = (): string[] => ALL.filter((n) => up.has(n)).map((n) => net.node(n).url);

const record = (r: { acked: Map<string, Receipt> }): void => recordAcks(acked, r);

const status = async (name: string): Promise<NodeStatus> => (await getJson<NodeStatus>(`${net.node(name).url}/v1/status`))!;

before(async () => {
  t = tempDir('govchain-network-');
  net = await startLocalNetwork({ dir: join(t.dir, 'net'), validators: 4, observers: 1, chainId: CHAIN, blockIntervalMs: 50 });
});
after(async () => {
  await net?.stop();
  t.cleanup();
});

test('4 validators and an observer agree on every root after load sent to different nodes', { timeout: 180_000 }, () => withNetworkLogs(net, async () => {
  const r = await load(urls, signedAnchors(CHAIN, 1500), { connections: 48 });
  assert.equal(r.failed, 0);
  assert.equal(r.acked.size, 1500);
  record(r);
  const s = await waitForAgreement(net, ALL, 1500);
  assert.equal(s.logSize, 1500);
  await waitFor('certification of the head everywhere', async () => (await Promise.all(ALL.map(status))).every((x) => x.certifiedSize === s.logSize));
  for (const n of ALL) {
    const cp = await certifiedCheckpoint(net.node(n).url);
    assert.equal(cp.size, 1500);
    assert.ok(cp.signers.length >= 3, `${n}: checkpoint has ${cp.signers.length} signatures`);
  }
  // Signatures that arrive after the quorum are added to the stored note.
  await waitFor('all 4 signatures on the head checkpoint', async () => (await certifiedCheckpoint(net.node('observer-1').url)).signers.length === 4);
}));

test('batched submissions travel as batch messages; a txid sent to two validators commits once, and every node agrees', { timeout: 180_000 }, () => withNetworkLogs(net, async () => {
  const envelopes = signedAnchors(CHAIN, 600);
  const first = envelopes.slice(0, 300);
  const second = [...envelopes.slice(250, 300), ...envelopes.slice(300)]; // 50 also sent to validator-1
  const admin = await connect({ servers: net.natsUrls, ...net.admin, reconnect: false });
  try {
    const jsm = await jetstreamManager(admin, { timeout: 5000 });
    const lastSeq = async (): Promise<number> => (await jsm.streams.info(jetStreamNames(CHAIN).stream)).state.last_seq;
    const seq0 = await lastSeq();
    const before = (await status('observer-1')).logSize;
    const post = async (name: string, batch: string[]): Promise<any> => {
      const res = await fetch(`${net.node(name).url}/v1/txs/batch?wait=commit&timeout=60000`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `[${batch.join(',')}]` });
      assert.equal(res.status, 200, `${name}: ${res.status}`);
      return res.json();
    };
    const [a, b] = await Promise.all([post('validator-1', first), post('validator-2', second)]);
    const receipts = new Map<string, Receipt>();
    for (const r of [...a.results, ...b.results]) {
      assert.equal(r.accepted, true, JSON.stringify(r.problem));
      assert.equal(r.receipt.status, 'ok');
      const seen = receipts.get(r.txid);
      if (seen !== undefined) assert.deepEqual(r.receipt, seen, 'one txid, two receipts');
      receipts.set(r.txid, r.receipt);
    }
    assert.equal(receipts.size, 600);
    record({ acked: receipts });
    const s = await waitForAgreement(net, ALL, before + 600);
    assert.equal(s.logSize, before + 600, 'each txid executed once');
    // 650 admissions (and the cuts of their blocks) took far fewer stream messages.
    const messages = (await lastSeq()) - seq0;
    assert.ok(messages < 300, `${messages} stream messages for 650 admissions`);
  } finally {
    await admin.close().catch(() => {});
  }
}));

test('only member nodes may publish, each only what its role allows', { timeout: 30_000 }, () => withNetworkLogs(net, async () => {
  await assert.rejects(connect({ servers: net.natsUrls, reconnect: false, timeout: 3000 }), /Authorization/i);
  const creds = JSON.parse(readFileSync(join(net.node('observer-1').dir, 'nats.json'), 'utf8')) as { user: string; pass: string };
  const nc = await connect({ servers: net.natsUrls, ...creds, reconnect: false });
  try {
    const js = jetstream(nc, { timeout: 2000 });
    const names = jetStreamNames(CHAIN);
    const fake = { height: 999999, from: 0, to: 0, time: new Date().toISOString(), proposer: 'observer' };
    await assert.rejects(js.publish(names.cut, JSON.stringify(fake)), 'an observer must not append cut records');
    await assert.rejects(js.publish(names.sig('govchain-net-validator-1'), 'x'), 'an observer must not publish signatures');
  } finally {
    await nc.close().catch(() => {});
  }
  const h = (await status('observer-1')).height;
  assert.equal((await status('validator-1')).height >= h, true);
}));

test('SIGKILL a validator under load: the others keep committing; restarted, it catches up and signs again', { timeout: 180_000 }, () => withNetworkLogs(net, async () => {
  const envelopes = signedAnchors(CHAIN, 1000);
  const before = (await status('observer-1')).logSize;
  const running = load(urls, envelopes, { connections: 32 });
  await sleep(700);
  await net.stopNode('validator-2', 'SIGKILL');
  up.delete('validator-2');
  const atKill = (await status('observer-1')).logSize;
  const r = await running;
  record(r);
  assert.equal(r.failed, 0);
  const s = await waitForAgreement(net, ALL.filter((n) => n !== 'validator-2'), before + 1000);
  assert.ok(s.logSize > atKill, 'the network kept committing while validator-2 was down');
  await net.startNode('validator-2');
  up.add('validator-2');
  const s2 = await waitForAgreement(net, ALL, s.logSize);
  assert.equal(s2.logSize, before + 1000);
  // It signs again: a new checkpoint carries validator-2's signature.
  const r2 = await load(urls, signedAnchors(CHAIN, 100));
  record(r2);
  await waitFor('validator-2 signing again', async () => {
    const cp = await certifiedCheckpoint(net.node('validator-1').url);
    return cp.size >= s2.logSize + 100 && cp.signers.includes(`${CHAIN}-validator-2`);
  });
}));

test('SIGKILL one NATS server of three under load: nothing stops, nothing acknowledged is lost', { timeout: 180_000 }, () => withNetworkLogs(net, async () => {
  const before = (await status('observer-1')).logSize;
  // While JetStream elects new stream leaders, submissions get 503 for some seconds: clients retry (safe: a txid commits once).
  const running = load(urls, signedAnchors(CHAIN, 1000), { connections: 32, retries: 120, retryDelayMs: 500 });
  await sleep(500);
  await net.stopNats(0, 'SIGKILL');
  const r = await running;
  record(r);
  assert.equal(r.failed, 0);
  const s = await waitForAgreement(net, ALL, before + 1000);
  assert.equal(s.logSize, before + 1000);
  await waitFor('certification with one NATS server down', async () => (await status('observer-1')).certifiedSize === s.logSize);
  await net.startNats(0);
}));

test('an equivocating validator is detected and the evidence recorded', { timeout: 60_000 }, () => withNetworkLogs(net, async () => {
  // Play a compromised validator-4: its own key and NATS user sign two different
  // checkpoints for one size.
  const v4 = net.node('validator-4');
  const key = readKeyFile(join(v4.dir, 'keys', 'validator.key'));
  const creds = JSON.parse(readFileSync(join(v4.dir, 'nats.json'), 'utf8')) as { user: string; pass: string };
  const name = `${CHAIN}-validator-4`;
  const size = 10_000_000;
  const notes = ['a', 'b'].map((x) => {
    const cp = { origin: CHAIN, size, rootHash: new Uint8Array(32).fill(x.charCodeAt(0)), height: 123456, stateRoot: new Uint8Array(32), time: new Date().toISOString() };
    return formatSignedNote(formatCheckpoint(cp), [signCheckpoint(cp, name, key.seed)]);
  });
  const nc = await connect({ servers: net.natsUrls.slice(1), ...creds });
  try {
    const js = jetstream(nc);
    for (const n of notes) await js.publish(jetStreamNames(CHAIN).sig(name), n);
  } finally {
    await nc.close();
  }
  for (const n of ['observer-1', 'validator-1']) {
    await waitFor(`evidence on ${n}`, async () => ((await getJson<{ equivocations: any[] }>(`${net.node(n).url}/v1/evidence`))?.equivocations ?? []).some((e) => e.validator === name && e.size === size));
    const ev = (await getJson<{ equivocations: Array<{ notes: string[] }> }>(`${net.node(n).url}/v1/evidence`))!.equivocations[0]!;
    assert.deepEqual(new Set(ev.notes), new Set(notes));
  }
  const metrics = await (await fetch(`${net.node('observer-1').url}/metrics`)).text();
  assert.match(metrics, /govchain_equivocations_total 1/);
}));

test('a validator that executes differently halts with a clear reason; the others continue', { timeout: 180_000 }, () => withNetworkLogs(net, async () => {
  await net.stopNode('validator-3');
  const h = (await status('observer-1')).height;
  await net.startNode('validator-3', { GOVCHAIN_TEST_TAMPER_FROM_HEIGHT: String(h + 1) });
  const before = (await status('observer-1')).logSize;
  const r = await load(() => urls().filter((u) => u !== net.node('validator-3').url), signedAnchors(CHAIN, 300));
  record(r);
  assert.equal(r.failed, 0);
  await waitFor('validator-3 to halt', async () => (await fetch(`${net.node('validator-3').url}/readyz`)).status === 503);
  const ready = (await (await fetch(`${net.node('validator-3').url}/readyz`)).json()) as { code: string; detail: string };
  assert.equal(ready.code, 'node.not_ready');
  assert.match(ready.detail, /differs from the one signed by a quorum/);
  assert.match(await (await fetch(`${net.node('validator-3').url}/metrics`)).text(), /govchain_diverged 1/);
  // It never serves its own (uncertified) result as certified.
  const cp3 = await certifiedCheckpoint(net.node('validator-3').url);
  assert.ok(cp3.size <= before);
  const others = ALL.filter((n) => n !== 'validator-3');
  const s = await waitForAgreement(net, others, before + 300);
  await waitFor('certification without validator-3', async () => (await status('observer-1')).certifiedSize === s.logSize);
  up.delete('validator-3');
}));

test('with 2 of 4 validators down blocks still commit but nothing new is certified until one returns', { timeout: 180_000 }, () => withNetworkLogs(net, async () => {
  // validator-3 has halted (previous test); stop validator-4 too.
  await net.stopNode('validator-4');
  up.delete('validator-4');
  const certifiedBefore = (await status('observer-1')).certifiedSize!;
  const r = await load(urls, signedAnchors(CHAIN, 200));
  record(r);
  assert.equal(r.failed, 0, 'commits continue');
  const s = await waitForAgreement(net, ['validator-1', 'validator-2', 'observer-1'], certifiedBefore + 200);
  await sleep(1000);
  assert.equal((await status('observer-1')).certifiedSize, certifiedBefore, 'no certification without a quorum');
  await net.startNode('validator-4');
  up.add('validator-4');
  await waitFor('certification after validator-4 returns', async () => ((await status('observer-1')).certifiedSize ?? 0) >= s.logSize, 60_000);
}));

test('nothing acknowledged is lost, nothing is committed twice', { timeout: 60_000 }, () => withNetworkLogs(net, async () => {
  await assertNothingLostOrDuplicated(net.node('observer-1').url, acked);
}));

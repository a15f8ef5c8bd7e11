// Protocol versions recorded by governance (docs/upgrades.md): `set_protocol_version`
// schedules a version at an activation height; the new rules apply from exactly that block;
// a node whose software supports only older versions stops before executing it, with a
// clear reason, and continues once it runs a version that supports it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, signTxSync, toHex, type JsonValue, type Receipt } from '@govchain/core';
import { GovchainNode, dataPaths, readDemoIdentities, readGenesis, readKeyFile, verifyStore, type LoadedKey } from '@govchain/node';
import { PROTOCOL_VERSION } from '@govchain/modules';
import { anchorTx, demoChain, startNode } from './support/chain.js';

const days = (n: number): string => new Date(Date.now() + n * 86_400_000).toISOString();

async function send(node: GovchainNode, key: LoadedKey, type: string, payload: Record<string, JsonValue>): Promise<Receipt> {
  const env = signTxSync({ chain: node.chainId, type, signer: key.did, nonce: toHex(randomBytes(8)), payload }, [key]);
  const { txid } = await node.submit(JSON.stringify(env));
  return node.waitForCommit(txid, 10_000);
}

/** Propose `action` with the first agency and approve with as many more as the threshold needs. */
async function govern(node: GovchainNode, agencies: LoadedKey[], action: Record<string, JsonValue>): Promise<Receipt> {
  const p = await send(node, agencies[0]!, 'governance.propose', { action, deadline: days(1) });
  assert.equal(p.status, 'ok', p.code);
  const threshold = (node.stateValue('governance', 'policy') as { threshold: number }).threshold;
  let last = p;
  for (const a of agencies.slice(1, threshold)) {
    last = await send(node, a, 'governance.approve', { proposal: p.txid });
    assert.equal(last.status, 'ok', last.code);
  }
  assert.ok(last.events?.some((e) => e.type === 'governance.executed'), 'the proposal executed');
  return last;
}

/** Commit notary anchors one by one until the head reaches `height` (or the node halts); the last wait's error, if any. */
async function advanceTo(node: GovchainNode, citizen: LoadedKey, height: number): Promise<Error | undefined> {
  let last: Error | undefined;
  while ((node.head()?.height ?? 0) < height && node.isReady()) {
    const { txid } = await node.submit(JSON.stringify(anchorTx(citizen)));
    last = await node.waitForCommit(txid, 20_000).then(() => undefined, (e: Error) => e);
  }
  return last;
}

function agencyKeys(dir: string): LoadedKey[] {
  return readDemoIdentities(dir).filter((i) => i.role.startsWith('agency:')).map((i) => readKeyFile(i.keyFile));
}

test('set_protocol_version is checked against the schedule, never against the software', async () => {
  const chain = demoChain();
  const node = await startNode(chain.dir);
  try {
    const [a] = agencyKeys(chain.dir);
    const h = node.head()!.height;
    const skip = await send(node, a!, 'governance.propose', { action: { type: 'set_protocol_version', version: 3, activationHeight: h + 50 }, deadline: days(1) });
    assert.equal(skip.code, 'governance.invalid_protocol');
    const past = await send(node, a!, 'governance.propose', { action: { type: 'set_protocol_version', version: 2, activationHeight: h }, deadline: days(1) });
    assert.equal(past.code, 'governance.activation_passed');
    // A version this software does not know can still be scheduled: whether a node can run it
    // is the node's business, or nodes of two releases would disagree on the proposal itself.
    assert.equal(PROTOCOL_VERSION, 2);
    assert.deepEqual(node.protocol(), { version: 1, supported: 2 });
  } finally {
    await node.stop();
    chain.cleanup();
  }
});

test('protocol 2 rules apply from exactly the activation height; the chain audits clean', async () => {
  const chain = demoChain();
  const node = await startNode(chain.dir);
  try {
    const agencies = agencyKeys(chain.dir);
    const activation = node.head()!.height + 12;
    const done = await govern(node, agencies, { type: 'set_protocol_version', version: 2, activationHeight: activation });
    assert.ok(done.events?.some((e) => e.type === 'governance.protocol_scheduled' && e.data.activationHeight === activation));
    assert.deepEqual(node.protocol(), { version: 1, supported: 2, scheduled: { version: 2, height: activation } });
    // Rescheduling the pending version is allowed (postponing); another version is not.
    const other = await send(node, agencies[0]!, 'governance.propose', { action: { type: 'set_protocol_version', version: 3, activationHeight: activation + 1 }, deadline: days(1) });
    assert.equal(other.code, 'governance.invalid_protocol');
    // Before activation: a one-year deadline is accepted (protocol 1).
    const before = await send(node, agencies[0]!, 'governance.propose', { action: { type: 'set_threshold', threshold: 3 }, deadline: days(365) });
    assert.equal(before.status, 'ok', before.code);
    assert.ok(before.height < activation);
    await advanceTo(node, chain.citizen, activation - 1);
    assert.equal(node.head()!.height, activation - 1);
    // At and after activation: at most 90 days.
    const far = await send(node, agencies[0]!, 'governance.propose', { action: { type: 'set_threshold', threshold: 3 }, deadline: days(365) });
    assert.equal(far.height, activation);
    assert.equal(far.status, 'failed');
    assert.equal(far.code, 'governance.deadline_too_far');
    const near = await send(node, agencies[0]!, 'governance.propose', { action: { type: 'set_threshold', threshold: 3 }, deadline: days(60) });
    assert.equal(near.status, 'ok', near.code);
    assert.deepEqual(node.protocol(), { version: 2, supported: 2 });
    const report = verifyStore(node.store, readGenesis(dataPaths(chain.dir).genesis), { mode: 'full' });
    assert.equal(report.ok, true, report.reason);
  } finally {
    await node.stop();
    chain.cleanup();
  }
});

test('a node that supports only protocol 1 stops before the activation height, then an upgraded one continues', async () => {
  const chain = demoChain();
  let node = await startNode(chain.dir, { supportedProtocol: 1 });
  try {
    const agencies = agencyKeys(chain.dir);
    const activation = node.head()!.height + 10;
    await govern(node, agencies, { type: 'set_protocol_version', version: 2, activationHeight: activation });
    assert.deepEqual(node.protocol(), { version: 1, supported: 1, scheduled: { version: 2, height: activation } });
    const t0 = performance.now();
    const waitError = await advanceTo(node, chain.citizen, activation + 5);
    assert.equal(node.isReady(), false, 'the node halted');
    // The client waiting for the transaction of the activation block hears of the halt at once, not at its timeout.
    assert.match(String(waitError), /node has halted.*block \d+ runs under protocol version 2/);
    assert.ok(performance.now() - t0 < 15_000);
    assert.equal(node.head()!.height, activation - 1, 'nothing of the activation block was executed');
    assert.match(node.faultReason()!, new RegExp(`block ${activation} runs under protocol version 2 \\(activated at height ${activation} by governance proposal [0-9a-f]{64}\\); this govchain supports protocol versions up to 1`));
    await assert.rejects(node.submit(JSON.stringify(anchorTx(chain.citizen))), /node has halted/);
    await node.stop();
    // Restarted as the old release: it stops again at the same place.
    node = await startNode(chain.dir, { supportedProtocol: 1 });
    await advanceTo(node, chain.citizen, activation);
    assert.equal(node.head()!.height, activation - 1);
    assert.equal(node.isReady(), false);
    await node.stop();
    // Upgraded: it executes the activation block under the new rules.
    node = await startNode(chain.dir);
    const far = await send(node, agencies[0]!, 'governance.propose', { action: { type: 'set_threshold', threshold: 3 }, deadline: days(365) });
    assert.equal(far.height, activation);
    assert.equal(far.code, 'governance.deadline_too_far');
  } finally {
    await node.stop();
    chain.cleanup();
  }
});

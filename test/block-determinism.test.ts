// A block's outcome is a function of the block alone (docs/faults.md, "One transaction
// more on two validators"): the transactions a node admitted itself are executed exactly as
// every other node executes them, whatever happens to its mempool while the block is
// prepared, and only as the envelope text the orderer delivered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson, computeTxid, type TxEnvelope } from '@govchain/core';
import { GovchainNode, createKey } from '@govchain/node';
import { formatBlockTime, type Orderer, type OrderedTx } from '@govchain/ordering';
import { pino } from 'pino';
import { anchorTx, demoChain } from './support/chain.js';
import { handOrderer } from './support/hand-orderer.js';

/** A hand-driven orderer whose publishes settle when the test says so, and the next block. */
function heldOrderer() {
  const orderer = handOrderer({ hold: true });
  return { orderer, submissions: orderer.submissions, deliver: (txs: OrderedTx[]) => orderer.deliver({ height: orderer.from().height + 1, time: formatBlockTime(Date.now()), txs }) };
}

async function openNode(orderer: Orderer) {
  const chain = demoChain();
  // One verifier thread: checking the block's other transactions takes a real wait.
  const node = await GovchainNode.open({ dataDir: chain.dir, orderer, verifierWorkers: 1, logger: pino({ level: 'silent' }) });
  await node.start();
  return { node, cleanup: async () => (await node.stop(), chain.cleanup()) };
}

/** An ordered transaction as another node would publish it. */
const ordered = (env: TxEnvelope): OrderedTx => ({ txid: computeTxid(env.body), envelope: canonicalJson(env as any) });

test('a transaction whose publish fails while its block is prepared still executes on the node that admitted it', async () => {
  const hand = heldOrderer();
  const { node, cleanup } = await openNode(hand.orderer);
  try {
    // X: admitted here, its publish in flight.
    const x = ordered(anchorTx(createKey()));
    const submitted = node.submit(x.envelope);
    while (hand.submissions.length === 0) await new Promise((r) => setTimeout(r, 5));
    assert.equal(hand.submissions[0]!.tx.txid, x.txid);
    // The block: X and 200 transactions other nodes ordered, which this node checks on its
    // verifier thread. Meanwhile X's publish fails (JetStream stored the message, its
    // acknowledgement was lost with the NATS server that held it): the node forgets X.
    const others = Array.from({ length: 200 }, () => ordered(anchorTx(createKey())));
    const committed = node.waitForCommit(others[0]!.txid, 10_000);
    const delivered = hand.deliver([x, ...others]);
    hand.submissions[0]!.reject(new Error('no acknowledgement from JetStream within 15 s'));
    await assert.rejects(submitted, (e: any) => e.code === 'ordering.unavailable');
    await delivered;
    const b = node.getBlock((await committed).height)!;
    assert.equal(b.txids.length, 201, 'X and the 200 others, as on every node that did not admit X');
    assert.equal(b.txids[0], x.txid);
    assert.equal(node.getTx(x.txid)?.receipt.status, 'ok');
  } finally {
    await cleanup();
  }
});

test('a node executes the envelope the orderer delivered, not its own copy of the txid', async () => {
  const hand = heldOrderer();
  const { node, cleanup } = await openNode(hand.orderer);
  try {
    const key = createKey();
    const env = anchorTx(key);
    const mine = ordered(env);
    void node.submit(mine.envelope).catch(() => {});
    while (hand.submissions.length === 0) await new Promise((r) => setTimeout(r, 5));
    // Another node ordered the same body (same txid) with a signature that does not verify:
    // every node that did not admit it skips it, and so must this one.
    const sig = env.signatures[0]!.sig;
    const forged = ordered({ ...env, signatures: [{ ...env.signatures[0]!, sig: (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1) }] });
    assert.equal(forged.txid, mine.txid);
    assert.notEqual(forged.envelope, mine.envelope);
    const other = ordered(anchorTx(createKey()));
    const committed = node.waitForCommit(other.txid, 10_000);
    await hand.deliver([forged, other]);
    const b = node.getBlock((await committed).height)!;
    assert.deepEqual(b.txids, [other.txid], 'the forged envelope is skipped, as everywhere');
    assert.equal(node.getTx(mine.txid), undefined);
  } finally {
    await cleanup();
  }
});

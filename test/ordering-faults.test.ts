// An orderer that misbehaves (docs/security.md, "Compromised NATS server"): blocks delivered
// out of sequence (a height skipped, a height delivered again). The node must refuse to
// commit them (`chain.height_gap`), halt with the reason on /readyz, refuse writes, and keep
// what it had committed; a restart with an honest orderer resumes from there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson } from '@govchain/core';
import { GovchainNode, createKey } from '@govchain/node';
import { formatBlockTime, type OrderedBlock } from '@govchain/ordering';
import { pino } from 'pino';
import { anchorTx, demoChain } from './support/chain.js';
import { handOrderer } from './support/hand-orderer.js';

const block = (height: number, time: string, envelopes: string[]): OrderedBlock => ({
  height,
  time,
  txs: envelopes.map((e) => ({ txid: '', envelope: e })),
});

for (const [what, offset] of [
  ['a skipped height', 2],
  ['a committed height again', 0],
] as const) {
  test(`an orderer delivering ${what}: the node halts with chain.height_gap and keeps what it committed`, async () => {
    const chain = demoChain();
    const orderer = handOrderer();
    const node = await GovchainNode.open({ dataDir: chain.dir, orderer, verifierWorkers: 0, logger: pino({ level: 'silent' }) });
    await node.start();
    try {
      const start = orderer.from();
      const head = node.head()!;
      assert.equal(start.height, head.height);
      // An honest block first: it commits.
      const key = createKey();
      const env = canonicalJson(anchorTx(key) as any);
      const { txid } = await node.submit(env);
      const waiting = node.waitForCommit(txid, 10_000);
      await orderer.deliver({ height: head.height + 1, time: formatBlockTime(Date.now()), txs: [{ txid, envelope: env }] });
      assert.equal((await waiting).height, head.height + 1);
      const committed = node.head()!;
      // Then one out of sequence.
      await assert.rejects(orderer.deliver(block(committed.height + offset, formatBlockTime(Date.now()), [canonicalJson(anchorTx(key) as any)])), (e: any) => e.code === 'chain.height_gap');
      assert.equal(node.isReady(), false, 'the node halted');
      assert.match(node.faultReason()!, new RegExp(`block ${committed.height + offset} delivered, expected ${committed.height + 1}`));
      await assert.rejects(node.submit(canonicalJson(anchorTx(key) as any)), (e: any) => e.code === 'node.halted');
      assert.deepEqual(node.head(), committed, 'nothing of the bad block was committed');
    } finally {
      await node.stop();
    }
    // Restarted with an honest orderer, it resumes from its last committed block.
    const honest = handOrderer();
    const again = await GovchainNode.open({ dataDir: chain.dir, orderer: honest, verifierWorkers: 0, logger: pino({ level: 'silent' }) });
    await again.start();
    try {
      assert.equal(honest.from().height, again.head()!.height);
      assert.equal(again.isReady(), true);
    } finally {
      await again.stop();
      chain.cleanup();
    }
  });
}

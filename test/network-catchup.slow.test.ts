// Catch-up from a peer when the ordering stream was trimmed: with a stream that keeps
// only a few hundred messages, a validator that was down while thousands of transactions
// went by cannot replay from the stream; it fetches the blocks from a peer's API,
// re-executes them, checks the result against the certified checkpoint (quorum of
// validator signatures), and then follows the stream again and agrees with everyone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLocalNetwork, type LocalNetwork } from '@govchain/cli';
import { tempDir } from './support/chain.js';
import { withNetworkLogs, certifiedCheckpoint, load, signedAnchors, waitFor, waitForAgreement } from './support/network.js';

// The load here comes from one IP and a few signers: measure the network, not the abuse limits
// (node processes inherit these; test/support/processes.ts does the same for single nodes).
process.env.GOVCHAIN_RATE_LIMIT_IP = '0';
process.env.GOVCHAIN_RATE_LIMIT_SIGNER = '0';

const CHAIN = 'govchain-trim';
const NODES = ['validator-1', 'validator-2', 'validator-3', 'validator-4'];
let t: ReturnType<typeof tempDir>;
let net: LocalNetwork;

before(async () => {
  t = tempDir('govchain-catchup-');
  net = await startLocalNetwork({ dir: join(t.dir, 'net'), validators: 4, observers: 0, chainId: CHAIN, blockIntervalMs: 50, maxMsgs: 200 });
});
after(async () => {
  await net?.stop();
  t.cleanup();
});

test('a validator behind a trimmed stream catches up from a peer, verified against the certified checkpoint', { timeout: 240_000 }, () => withNetworkLogs(net, async () => {
  const urls = (): string[] => NODES.filter((n) => n !== 'validator-4').map((n) => net.node(n).url);
  const r0 = await load(urls, signedAnchors(CHAIN, 100));
  assert.equal(r0.failed, 0);
  await waitForAgreement(net, NODES, 100);
  await net.stopNode('validator-4');
  const r = await load(urls, signedAnchors(CHAIN, 1000));
  assert.equal(r.failed, 0);
  const s = await waitForAgreement(net, ['validator-1', 'validator-2', 'validator-3'], 1100);
  await waitFor('certification of the head', async () => (await certifiedCheckpoint(net.node('validator-1').url)).size === s.logSize);
  await net.startNode('validator-4');
  const s4 = await waitForAgreement(net, NODES, 1100);
  assert.equal(s4.logSize, 1100);
  assert.match(readFileSync(net.node('validator-4').log, 'utf8'), /caught up from a peer; blocks verified against the certified checkpoint/);
  // It follows the stream again afterwards and signs.
  const r2 = await load(() => NODES.map((n) => net.node(n).url), signedAnchors(CHAIN, 100));
  assert.equal(r2.failed, 0);
  await waitForAgreement(net, NODES, 1200);
  await waitFor('validator-4 signing again', async () => {
    const cp = await certifiedCheckpoint(net.node('validator-4').url);
    return cp.size === 1200 && cp.signers.includes(`${CHAIN}-validator-4`);
  });
}));

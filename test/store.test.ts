// The chain store keeps replaced state versions by hash, so a proof against an older
// certified root can still be served with its value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sha256, stateValueHash, utf8 } from '@govchain/core';
import { demoChain, startNode } from './support/chain.js';
import { readDemoIdentities, readKeyFile } from '@govchain/node';
import { generateKeyPair, randomBytes, signTxSync, toBase64Url, toHex } from '@govchain/core';

test('a replaced state value stays readable by its hash; the current one comes from state', async () => {
  const chain = demoChain();
  try {
    const node = await startNode(chain.dir);
    const id = readDemoIdentities(chain.dir).find((i) => i.name === 'citizen-an')!;
    const key = readKeyFile(id.keyFile);
    const before = node.stateValue('identity', `did/${key.did}`)!;
    const env = signTxSync({ chain: node.chainId, type: 'identity.add_key', signer: key.did, nonce: toHex(randomBytes(8)), payload: { publicKey: toBase64Url(generateKeyPair().publicKey) } }, [key]);
    const { txid } = await node.submit(JSON.stringify(env));
    assert.equal((await node.waitForCommit(txid)).status, 'ok');
    const after = node.stateValue('identity', `did/${key.did}`)!;
    assert.notDeepEqual(after, before);
    assert.deepEqual(JSON.parse(node.store.valueByHash(stateValueHash(before))!), before);
    assert.deepEqual(JSON.parse(node.store.valueByHash(stateValueHash(after), 'identity', `did/${key.did}`)!), after);
    assert.equal(node.store.valueByHash(sha256(utf8('"never stored"'))), undefined);
    await node.stop();
  } finally {
    chain.cleanup();
  }
});

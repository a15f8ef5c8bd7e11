// Versioned storage: a store written in the previous format (state keys in LMDB's
// ordered-binary encoding, no format marker) is migrated on open and audits clean; a store
// from a newer version is refused with a clear message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ChainStore, STORE_FORMAT, dataPaths, readGenesis, verifyStore } from '@govchain/node';
import { GovchainError } from '@govchain/core';
import { anchorTx, demoChain, startNode } from './support/chain.js';
import { rewriteAsFormat0 } from './support/legacy-store.js';

test('a format-0 store is migrated on open and passes the audit', async () => {
  const chain = demoChain();
  try {
    const node = await startNode(chain.dir);
    const { txid } = await node.submit(JSON.stringify(anchorTx(chain.citizen)));
    await node.waitForCommit(txid);
    const entries = [...node.store.stateEntries()].length;
    await node.stop();
    // Rewrite it as the previous format wrote it.
    await rewriteAsFormat0(dataPaths(chain.dir).db);
    const genesis = readGenesis(dataPaths(chain.dir).genesis);
    const store = ChainStore.open(dataPaths(chain.dir).db);
    assert.equal(store.migrations.length, 1);
    assert.match(store.migrations[0]!, /format 0 -> 1/);
    assert.equal(store.meta.get('format'), STORE_FORMAT);
    assert.equal([...store.stateEntries()].length, entries);
    const report = verifyStore(store, genesis, { mode: 'full' });
    assert.equal(report.ok, true, report.reason);
    // Reads by key still work after the audit's binary-keyed reads (a migration that left an
    // old-encoding handle open broke them: found by the rolling upgrade test).
    assert.ok(Array.isArray(store.stateValue('governance', 'agencies')));
    await store.close();
    // A second open has nothing to do.
    const again = ChainStore.open(dataPaths(chain.dir).db);
    assert.deepEqual(again.migrations, []);
    await again.close();
  } finally {
    chain.cleanup();
  }
});

test('a store from a newer version is refused', async () => {
  const chain = demoChain();
  try {
    const node = await startNode(chain.dir);
    await node.stop();
    const s = ChainStore.open(join(chain.dir, 'db'));
    await s.meta.put('format', STORE_FORMAT + 1);
    await s.close();
    assert.throws(() => ChainStore.open(join(chain.dir, 'db')), (e) => e instanceof GovchainError && e.code === 'store.too_new' && /newer govchain/.test(e.message));
  } finally {
    chain.cleanup();
  }
});

// Versioned storage: a store written in the previous format (state keys in LMDB's
// ordered-binary encoding, no format marker) is migrated on open and audits clean; a store
// from a newer version is refused with a clear message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { open } from 'lmdb';
import { ChainStore, STORE_FORMAT, dataPaths, readGenesis, verifyStore } from '@govchain/node';
import { GovchainError } from '@govchain/core';
import { anchorTx, demoChain, startNode } from './support/chain.js';

test('a format-0 store is migrated on open and passes the audit', async () => {
  const chain = demoChain();
  try {
    const node = await startNode(chain.dir);
    const { txid } = await node.submit(JSON.stringify(anchorTx(chain.citizen)));
    await node.waitForCommit(txid);
    const entries = [...node.store.stateEntries()].length;
    await node.stop();
    // Rewrite it as the previous format wrote it.
    const root = open({ path: dataPaths(chain.dir).db, compression: false, maxDbs: 16 } as never);
    const raw = root.openDB({ name: 'state', encoding: 'string', keyEncoding: 'binary' });
    const legacy = root.openDB({ name: 'state', encoding: 'string' });
    const rows = Array.from(raw.getRange({}), ({ key, value }) => [(key as Buffer).toString('utf8'), value as string] as const);
    root.transactionSync(() => {
      raw.clearSync();
      for (const [k, v] of rows) legacy.putSync(k, v);
      root.openDB({ name: 'meta', encoding: 'json' }).removeSync('format');
    });
    await root.close();
    const genesis = readGenesis(dataPaths(chain.dir).genesis);
    const store = ChainStore.open(dataPaths(chain.dir).db);
    assert.equal(store.migrations.length, 1);
    assert.match(store.migrations[0]!, /format 0 -> 1/);
    assert.equal(store.meta.get('format'), STORE_FORMAT);
    assert.equal([...store.stateEntries()].length, entries);
    const report = verifyStore(store, genesis, { mode: 'full' });
    assert.equal(report.ok, true, report.reason);
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

// Versioned storage: stores written in earlier formats (format 0: state keys in LMDB's
// ordered-binary encoding, no format marker; format 1: state-map nodes keyed by hash alone)
// are migrated on open, audit clean and keep committing; a store from a newer version is
// refused with a clear message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { open } from 'lmdb';
import { ChainStore, STORE_FORMAT, dataPaths, readGenesis, verifyStore } from '@govchain/node';
import { GovchainError, stateMapKey, stateValueHash, verifySmtProof, type JsonValue } from '@govchain/core';
import { anchorTx, demoChain, startNode } from './support/chain.js';
import { downgradeToFormat1, rewriteAsFormat0 } from './support/legacy-store.js';

test('a format-0 store is migrated on open and passes the audit', async () => {
  const chain = demoChain();
  try {
    const node = await startNode(chain.dir);
    const { txid } = await node.submit(JSON.stringify(anchorTx(chain.citizen)));
    await node.waitForCommit(txid);
    const entries = [...node.store.stateEntries()].length;
    await node.stop();
    // Rewrite it as format 0 wrote it.
    await rewriteAsFormat0(dataPaths(chain.dir).db);
    const genesis = readGenesis(dataPaths(chain.dir).genesis);
    const store = ChainStore.open(dataPaths(chain.dir).db);
    assert.equal(store.migrations.length, 2);
    assert.match(store.migrations[0]!, /format 0 -> 1/);
    assert.match(store.migrations[1]!, /format 1 -> 2/);
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

test('a format-1 store (state-map nodes by hash) is migrated, audits clean, and new blocks build on its nodes', async () => {
  const chain = demoChain();
  try {
    let node = await startNode(chain.dir);
    const first = anchorTx(chain.citizen);
    await node.waitForCommit((await node.submit(JSON.stringify(first))).txid);
    await node.stop();
    assert.ok((await downgradeToFormat1(dataPaths(chain.dir).db)) > 0);

    node = await startNode(chain.dir);
    assert.equal(node.store.meta.get('format'), STORE_FORMAT);
    assert.equal(node.head()!.stateVersion, undefined); // the root is a format-1 node
    // New blocks write versioned nodes whose untouched children are format-1 nodes.
    const later = [anchorTx(chain.citizen), anchorTx(chain.citizen)];
    for (const t of later) await node.waitForCommit((await node.submit(JSON.stringify(t))).txid);
    assert.ok(node.head()!.stateVersion !== undefined);
    assert.ok([...node.store.smtv.getKeys({})].length > 0);
    // Both the old and the new records prove against the latest certified root.
    for (const t of [first, ...later]) {
      const digest = t.body.payload.digest as string;
      const p = node.proveState('notary', digest);
      assert.ok(p.value !== null);
      const ok = verifySmtProof(p.checkpoint.checkpoint.stateRoot, stateMapKey('notary', digest), stateValueHash(p.value as JsonValue), p.proof);
      assert.equal(ok, true, `proof of ${digest}`);
    }
    await node.stop();
    const store = ChainStore.open(dataPaths(chain.dir).db);
    const report = verifyStore(store, readGenesis(dataPaths(chain.dir).genesis), { mode: 'full' });
    assert.equal(report.ok, true, report.reason);
    await store.close();
  } finally {
    chain.cleanup();
  }
});

test('an altered versioned state-map node is found by the start-up check', async () => {
  const chain = demoChain();
  try {
    const node = await startNode(chain.dir);
    await node.waitForCommit((await node.submit(JSON.stringify(anchorTx(chain.citizen)))).txid);
    await node.stop();
    const root = open({ path: dataPaths(chain.dir).db, compression: false, maxDbs: 16 } as never);
    const smtv = root.openDB({ name: 'smtv', encoding: 'binary', keyEncoding: 'binary' });
    const last = [...smtv.getRange({ reverse: true, limit: 1 })][0]!;
    const enc = Buffer.from(last.value as Buffer);
    enc[40] = enc[40]! ^ 1;
    smtv.putSync(last.key as Buffer, enc);
    await root.close();
    const store = ChainStore.open(dataPaths(chain.dir).db);
    const report = verifyStore(store, readGenesis(dataPaths(chain.dir).genesis), { mode: 'quick' });
    assert.equal(report.ok, false);
    assert.match(report.reason ?? '', /state-map node was altered|does not match the state root/);
    await store.close();
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

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

/**
 * Rewrite a store's state-map nodes as format 1 wrote them: every node in the `smt` table
 * under its hash, internal nodes as 65 bytes without child versions, no `stateVersion` in
 * the head or the blocks.
 */
function downgradeToFormat1(dbPath: string): number {
  const root = open({ path: dbPath, compression: false, maxDbs: 16 } as never);
  const smtv = root.openDB({ name: 'smtv', encoding: 'binary', keyEncoding: 'binary' });
  const smt = root.openDB({ name: 'smt', encoding: 'binary', keyEncoding: 'binary' });
  const blocks = root.openDB({ name: 'blocks', encoding: 'string' });
  const meta = root.openDB({ name: 'meta', encoding: 'json' });
  const nodes = Array.from(smtv.getRange({}), ({ key, value }) => [(key as Buffer).subarray(8), (value as Buffer).subarray(0, 65)] as const);
  const rows = Array.from(blocks.getRange({}), ({ key, value }) => [key as number, JSON.parse(value as string) as Record<string, unknown>] as const);
  root.transactionSync(() => {
    for (const [hash, enc] of nodes) smt.putSync(Buffer.from(hash), Buffer.from(enc));
    smtv.clearSync();
    for (const [h, b] of rows) {
      delete b.stateVersion;
      blocks.putSync(h, JSON.stringify(b));
    }
    const head = meta.get('head') as Record<string, unknown>;
    delete head.stateVersion;
    meta.putSync('head', head);
    meta.putSync('format', 1);
  });
  void root.close();
  return nodes.length;
}

test('a format-0 store is migrated on open and passes the audit', async () => {
  const chain = demoChain();
  try {
    const node = await startNode(chain.dir);
    const { txid } = await node.submit(JSON.stringify(anchorTx(chain.citizen)));
    await node.waitForCommit(txid);
    const entries = [...node.store.stateEntries()].length;
    await node.stop();
    downgradeToFormat1(dataPaths(chain.dir).db);
    // Rewrite it as format 0 wrote it.
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
    assert.equal(store.migrations.length, 2);
    assert.match(store.migrations[0]!, /format 0 -> 1/);
    assert.match(store.migrations[1]!, /format 1 -> 2/);
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

test('a format-1 store (state-map nodes by hash) is migrated, audits clean, and new blocks build on its nodes', async () => {
  const chain = demoChain();
  try {
    let node = await startNode(chain.dir);
    const first = anchorTx(chain.citizen);
    await node.waitForCommit((await node.submit(JSON.stringify(first))).txid);
    await node.stop();
    assert.ok(downgradeToFormat1(dataPaths(chain.dir).db) > 0);

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

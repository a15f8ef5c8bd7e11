import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from '@sinclair/typebox';
import { GovchainError, MemorySmtStore, SMT_EMPTY_ROOT, canonicalJson, fromUtf8, receiptLeafData, sha256, stateMapKey, toHex, updateSmt, utf8, type ModuleDefinition } from '@govchain/core';
import { createModuleRegistry } from '@govchain/modules';
import { executeBlock, type ChainView, type ExecutableTx } from './execute.js';

// A module whose events misbehave: one emits a value JCS cannot encode, one mutates its
// event data after emitting it.
const probe: ModuleDefinition = {
  name: 'probe',
  description: 'test module',
  txTypes: {
    nan: { schema: Type.Object({}), description: 'emits NaN', apply: (ctx) => ctx.emit('probe.nan', { x: Number.NaN }) },
    mutate: {
      schema: Type.Object({}),
      description: 'mutates emitted data',
      apply(ctx) {
        const data = { list: [1] };
        ctx.emit('probe.ok', data);
        data.list.push(2);
      },
    },
  },
};

const view: ChainView = {
  chainId: 'test',
  head: () => undefined,
  isCommitted: () => false,
  stateValue: () => undefined,
  logReader: { getNode: () => undefined },
  smtReader: new MemorySmtStore(),
};

function tx(type: string, n: number): ExecutableTx {
  const body = { chain: 'test', type, signer: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK', nonce: String(n), payload: {} };
  return { txid: String(n).padStart(64, '0'), envelope: '{}', body, signers: [body.signer], signatures: [], keys: [] };
}

test('an event JCS cannot encode fails its transaction, not the block; emitted data is isolated', () => {
  const b = executeBlock(view, createModuleRegistry([probe]), 1, '2030-01-01T00:00:00Z', [tx('probe.nan', 1), tx('probe.mutate', 2)]);
  assert.equal(b.receipts.length, 2);
  assert.deepEqual({ status: b.receipts[0]!.status, code: b.receipts[0]!.code }, { status: 'failed', code: 'codec.not_canonicalizable' });
  assert.equal(b.receipts[1]!.status, 'ok');
  assert.deepEqual(b.receipts[1]!.events, [{ type: 'probe.ok', data: { list: [1] } }]);
  assert.equal(b.leafData.length, 2);
});

// A module that emits several events and reads its own writes back.
const scribe: ModuleDefinition = {
  name: 'scribe',
  description: 'test module',
  txTypes: {
    write: {
      schema: Type.Object({}),
      description: 'writes, reads back, deletes, emits',
      apply(ctx) {
        const before = ctx.get('k');
        ctx.set('k', { n: (before as { n: number } | undefined)?.n === undefined ? 1 : (before as { n: number }).n + 1, s: 'é\u2028😀' });
        ctx.emit('scribe.seen', { before: before ?? null, after: ctx.get('k')!, ratio: 0.1 + 0.2 });
        ctx.set('gone', 1);
        ctx.delete('gone');
        if (ctx.get('gone') !== undefined) throw new Error('a deleted key is still visible');
        ctx.emit('scribe.z', { big: 1e21, neg: -0, list: [true, null, 'x'] });
      },
    },
  },
};

test('receipt leaf data is JCS(receipt) and state-map keys are stateMapKey(module, key); writes are visible to later reads', () => {
  const b = executeBlock(view, createModuleRegistry([scribe]), 1, '2030-01-01T00:00:00Z', [tx('scribe.write', 1), tx('scribe.write', 2)]);
  assert.deepEqual(b.receipts.map((r) => r.status), ['ok', 'ok']);
  // The second transaction saw the first one's write (n: 1 -> 2).
  assert.deepEqual(b.receipts[1]!.events![0]!.data.before, { n: 1, s: 'é\u2028😀' });
  b.receipts.forEach((r, i) => assert.deepEqual(b.leafData[i], receiptLeafData(r)));
  assert.equal(fromUtf8(b.leafData[0]!), canonicalJson(b.receipts[0]));
  assert.deepEqual([...b.stateWrites.keys()].sort(), ['scribe\u0000gone', 'scribe\u0000k']);
  assert.equal(b.stateWrites.get('scribe\u0000gone'), null);
  // The state root is the one the core computes from stateMapKey for the same writes.
  const store = new MemorySmtStore();
  const expected = updateSmt(store, SMT_EMPTY_ROOT, [
    { key: stateMapKey('scribe', 'k'), valueHash: sha256(utf8(b.stateWrites.get('scribe\u0000k')!.text)) },
    { key: stateMapKey('scribe', 'gone'), valueHash: null },
  ]).root;
  assert.equal(b.header.stateRoot, toHex(expected));
});

// A module whose transactions write and then fail (or not, as the payload says).
const risky: ModuleDefinition = {
  name: 'risky',
  description: 'test module',
  txTypes: {
    put: {
      schema: Type.Object({}),
      description: 'writes a, b and deletes c; fails when told to',
      apply(ctx, p: { v: number; fail?: boolean }) {
        ctx.set('a', p.v);
        ctx.set('a', p.v + 1); // twice: the undo log must restore the value from before both
        ctx.set(`new-${p.v}`, true);
        ctx.delete('c');
        if (p.fail === true) throw new GovchainError('risky.refused', 'told to fail');
      },
    },
  },
};

test("a failed transaction's writes are discarded, and the block's earlier writes stay as they were", () => {
  const withC: ChainView = { ...view, stateValue: (m, k) => (m === 'risky' && k === 'c' ? 'stored' : undefined) };
  const put = (n: number, payload: { v: number; fail?: boolean }): ExecutableTx => {
    const t = tx('risky.put', n);
    return { ...t, body: { ...t.body, payload } };
  };
  const b = executeBlock(withC, createModuleRegistry([risky]), 1, '2030-01-01T00:00:00Z', [put(1, { v: 10, fail: true }), put(2, { v: 20 }), put(3, { v: 30, fail: true })]);
  assert.deepEqual(b.receipts.map((r) => r.code ?? r.status), ['risky.refused', 'ok', 'risky.refused']);
  // Only the second transaction's writes: a = 21 (not 31 nor 11), its new key, c deleted.
  assert.deepEqual(
    [...b.stateWrites].map(([k, w]) => [k, w === null ? null : w.text]).sort(),
    [['risky\u0000a', '21'], ['risky\u0000c', null], ['risky\u0000new-20', 'true']],
  );
});

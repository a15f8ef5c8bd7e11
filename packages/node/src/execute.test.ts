import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from '@sinclair/typebox';
import { MemorySmtStore, type ModuleDefinition } from '@govchain/core';
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

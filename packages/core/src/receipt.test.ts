import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson, fromUtf8, receiptJson, receiptLeafData, type Receipt } from './index.js';

test('receiptJson is JCS(receipt) for every receipt shape', () => {
  const txid = 'ab'.repeat(32);
  const receipts: Receipt[] = [
    { txid, height: 1, index: 0, status: 'ok' },
    { status: 'failed', code: 'notary.already_anchored', index: 4999, height: 2 ** 40, txid },
    { txid, height: 7, index: 3, status: 'ok', events: [{ type: 'notary.anchored', data: { z: 1, a: ['é', { y: null, b: true }], digest: 'ff' } }] },
    { txid, height: 7, index: 3, status: 'ok', code: undefined, events: undefined },
    { txid, height: 7, index: 3, status: 'ok', extra: { b: 1, a: 2 } } as unknown as Receipt,
  ];
  for (const r of receipts) {
    assert.equal(receiptJson(r), canonicalJson(r));
    assert.equal(fromUtf8(receiptLeafData(r)), canonicalJson(r));
  }
});

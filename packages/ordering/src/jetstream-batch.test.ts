// Batch messages of the JetStream orderer: the `<txid> <envelope>` line format round-trips,
// and every malformed body is refused as a whole (every node must order the same nothing).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeTxBatch, encodeTxBatch } from './jetstream.js';

const txid = (c: string): string => c.repeat(64);
const txs = [
  { txid: txid('a'), envelope: '{"body":{"nonce":"1","payload":{"note":"a\\nb"}},"signatures":[]}' },
  { txid: txid('b'), envelope: '{"body":{"nonce":"2"},"signatures":[]}' },
  { txid: txid('c'), envelope: '{"body":{"nonce":"3 with spaces"},"signatures":[]}' },
];

test('a batch body decodes to the transactions it was encoded from, in order', () => {
  assert.deepEqual(decodeTxBatch(encodeTxBatch(txs), 3), txs);
  assert.deepEqual(decodeTxBatch(encodeTxBatch(txs.slice(0, 1)), 1), txs.slice(0, 1));
});

test('a count that does not match the lines, or a malformed line, refuses the whole batch', () => {
  const body = encodeTxBatch(txs);
  assert.equal(decodeTxBatch(body, 2), undefined);
  assert.equal(decodeTxBatch(body, 4), undefined);
  assert.equal(decodeTxBatch(body, 0), undefined);
  assert.equal(decodeTxBatch(body, Number.NaN), undefined);
  assert.equal(decodeTxBatch(`${txid('a')}{"body":{}}`, 1), undefined); // no separator
  assert.equal(decodeTxBatch(`${'a'.repeat(10)} {}`, 1), undefined); // short txid
  assert.equal(decodeTxBatch('', 1), undefined);
});

// Status lists: 2 bits per entry (IETF Token Status List layout), set and read back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromBase64 } from '@govchain/core';
import { STATUS_LIST_SIZE, emptyStatusList, statusAt, withStatus } from './status-list.js';

test('entries are independent 2-bit fields, least significant bits first', () => {
  let list = emptyStatusList('did:gov:x:issuer', 'l', 1);
  assert.equal(fromBase64(list.bits).length, STATUS_LIST_SIZE / 4);
  list = withStatus(list, 0, 'revoked', 2);
  list = withStatus(list, 1, 'suspended', 2);
  list = withStatus(list, 4095, 'suspended', 2);
  assert.equal(fromBase64(list.bits)[0], 0b1001);
  assert.deepEqual([0, 1, 2, 4094, 4095].map((i) => statusAt(list, i)), ['revoked', 'suspended', 'valid', 'valid', 'suspended']);
  list = withStatus(list, 1, 'valid', 3);
  assert.equal(statusAt(list, 1), 'valid');
  assert.equal(statusAt(list, 0), 'revoked');
  assert.throws(() => withStatus(list, 4096, 'revoked', 3), /idx/);
  assert.throws(() => statusAt(list, -1), RangeError);
});

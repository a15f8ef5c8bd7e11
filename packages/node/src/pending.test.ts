import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SmtNode } from '@govchain/core';
import { NodesByHash } from './pending.js';

const leaf = (b: number): SmtNode => ({ kind: 'leaf', key: new Uint8Array(32).fill(b), valueHash: new Uint8Array(32) });

test('NodesByHash finds nodes by full hash, also when hashes share their first 30 bits', () => {
  const index = new NodesByHash();
  const a = new Uint8Array(32).fill(0xab);
  const b = a.slice();
  b[3] = a[3]! ^ 0x01; // differs only in the 2 low bits of byte 3: same slot
  b[31] = 0x00;
  const c = a.slice();
  c[20] = 0x00; // same slot again
  const missing = a.slice();
  missing[31] = 0x01; // same slot, never added
  index.add({ hash: a, node: leaf(1) });
  index.add({ hash: b, node: leaf(2) });
  index.add({ hash: c, node: leaf(3) });
  assert.deepEqual(index.get(a.slice()), leaf(1));
  assert.deepEqual(index.get(b.slice()), leaf(2));
  assert.deepEqual(index.get(c.slice()), leaf(3));
  assert.equal(index.get(missing), undefined);
  assert.equal(index.get(new Uint8Array(32)), undefined);
});

// Batch trees equal the RFC 6962 reference (MTH and PATH of s.2.1) for every size up to
// 70 and every leaf, and their paths verify with verifyInclusion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sha256 } from '../crypto.js';
import { toHex } from '../bytes.js';
import { batchInclusionProof, buildBatchTree, MAX_BATCH_RECORDS } from './batch.js';
import { hashLeaf, naiveInclusionProof, rootFromLeafHashes, verifyInclusion } from './rfc6962.js';

const digest = (i: number): Uint8Array => sha256(new Uint8Array([i & 0xff, i >> 8]));

test('root and audit paths equal the RFC 6962 reference for 1..70 records', () => {
  for (let n = 1; n <= 70; n++) {
    const digests = Array.from({ length: n }, (_, i) => digest(i));
    const leafHashes = digests.map((d) => hashLeaf(d));
    const tree = buildBatchTree(digests);
    assert.equal(toHex(tree.root), toHex(rootFromLeafHashes(leafHashes)), `root of ${n}`);
    for (let i = 0; i < n; i++) {
      const path = batchInclusionProof(tree, i);
      assert.deepEqual(path.map(toHex), naiveInclusionProof(leafHashes, i).map(toHex), `path ${i} of ${n}`);
      assert.ok(verifyInclusion(leafHashes[i]!, i, n, path, tree.root));
    }
  }
});

test('a changed record no longer verifies against the root', () => {
  const digests = Array.from({ length: 33 }, (_, i) => digest(i));
  const tree = buildBatchTree(digests);
  const path = batchInclusionProof(tree, 7);
  assert.ok(!verifyInclusion(hashLeaf(digest(1000)), 7, 33, path, tree.root));
  assert.ok(!verifyInclusion(hashLeaf(digests[7]!), 8, 33, path, tree.root));
});

test('bad input is refused with the argument named', () => {
  assert.throws(() => buildBatchTree([]), /at least one record/);
  assert.throws(() => buildBatchTree([new Uint8Array(31)]), /digests\[0\]/);
  assert.throws(() => buildBatchTree(new Uint8Array(33)), /multiple of 32/);
  assert.throws(() => buildBatchTree(new Uint8Array((MAX_BATCH_RECORDS + 1) * 32)), /at most 1000000/);
  assert.throws(() => batchInclusionProof(buildBatchTree([digest(1)]), 1), /index/);
});

/**
 * The transaction log of govchain: the Merkle tree of RFC 6962 s.2.1 / RFC 9162 s.2.1
 * (hashing, verifiers, naive reference generators) and the storage-backed append-only log
 * that serves roots and proofs of any size with O(log n) reads.
 */
export {
  EMPTY_TREE_ROOT,
  MERKLE_HASH_SIZE,
  hashChildren,
  hashLeaf,
  naiveConsistencyProof,
  naiveInclusionProof,
  rootFromInclusionProof,
  rootFromLeafHashes,
  verifyConsistency,
  verifyInclusion,
} from './rfc6962.js';
export {
  MemoryLogStore,
  appendLeafHashes,
  consistencyProof,
  inclusionProof,
  logRoot,
  type AppendLeafHashesResult,
  type LogNodeReader,
  type LogNodeWrite,
} from './log.js';
export { MAX_BATCH_RECORDS, batchInclusionProof, batchLeafData, buildBatchTree, type BatchTree } from './batch.js';

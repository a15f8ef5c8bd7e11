/**
 * Hybrid anchoring (docs/integration.md "Anchoring a database"): an existing database keeps
 * its records; only one Merkle root of up to 1,000,000 record digests goes on the ledger,
 * in one `notary.anchor_batch` transaction. Every record then has a small proof (its
 * `batch` section) that chains record -> batch root -> log -> checkpoint, given the one
 * proof bundle of the batch transaction that all records share.
 */
import {
  GovchainError,
  MAX_BATCH_RECORDS,
  batchInclusionProof,
  buildBatchTree,
  fromHex,
  toBase64,
  toHex,
  type BatchTree,
  type Receipt,
  type Signer,
} from '@govchain/core';
import type { BatchRecordProof, ProofBundle } from './bundle.js';
import { fetchProofBundle } from './bundle.js';
import type { GovchainClient } from './client.js';
import { buildTxBody } from './tx-builder.js';
import { signTx } from '@govchain/core';

const HEX64 = /^[0-9a-f]{64}$/;

/** A batch of record digests with its Merkle tree. */
export interface PreparedBatch {
  readonly count: number;
  /** Hex root to anchor. */
  readonly root: string;
  readonly tree: BatchTree;
  /** The `batch` section of record `index`. */
  proof(index: number): BatchRecordProof;
}

/**
 * Build the batch tree of `digests`: hex SHA-256 strings (lowercase or uppercase), or one
 * flat Uint8Array of 32-byte digests. Throws `batch.invalid` naming the first bad digest.
 */
export function prepareBatch(digests: readonly string[] | Uint8Array): PreparedBatch {
  let flat: Uint8Array;
  if (digests instanceof Uint8Array) flat = digests;
  else {
    if (!Array.isArray(digests)) throw new TypeError('digests: expected an array of hex strings or a Uint8Array');
    if (digests.length === 0) throw new GovchainError('batch.invalid', 'a batch needs at least one record digest');
    if (digests.length > MAX_BATCH_RECORDS) throw new GovchainError('batch.too_large', `at most ${MAX_BATCH_RECORDS} records per batch, got ${digests.length}`);
    flat = new Uint8Array(digests.length * 32);
    for (let i = 0; i < digests.length; i++) {
      const d = typeof digests[i] === 'string' ? digests[i]!.toLowerCase() : '';
      if (!HEX64.test(d)) throw new GovchainError('batch.invalid', `digest ${i + 1} is not a hex SHA-256 digest`, { field: `/${i}` });
      flat.set(fromHex(d), i * 32);
    }
  }
  if (flat.length === 0 || flat.length % 32 !== 0) throw new GovchainError('batch.invalid', 'digests must be a non-empty sequence of 32-byte digests');
  if (flat.length / 32 > MAX_BATCH_RECORDS) throw new GovchainError('batch.too_large', `at most ${MAX_BATCH_RECORDS} records per batch, got ${flat.length / 32}`);
  const tree = buildBatchTree(flat);
  const root = toHex(tree.root);
  return {
    count: tree.count,
    root,
    tree,
    proof(index) {
      return { digest: toHex(flat.subarray(index * 32, index * 32 + 32)), index, count: tree.count, root, hashes: batchInclusionProof(tree, index).map(toBase64) };
    },
  };
}

/** A committed batch anchor. */
export interface AnchoredBatch extends PreparedBatch {
  txid: string;
  receipt: Receipt;
  /** The proof bundle of the batch transaction, shared by every record (no `batch` section). */
  bundle: ProofBundle;
  /** A self-contained bundle for record `index` (the shared bundle plus its `batch` section). */
  recordBundle(index: number): ProofBundle;
}

/** Parameters of {@link anchorBatch}. */
export interface AnchorBatchParameters {
  digests: readonly string[] | Uint8Array | PreparedBatch;
  signer: Signer;
  label?: string;
  /** Chain id (default: asked from the node). */
  chainId?: string;
}

/** Anchor a batch: one transaction, wait for commit and certification, return the proofs. */
export async function anchorBatch(client: GovchainClient, p: AnchorBatchParameters): Promise<AnchoredBatch> {
  const batch = isPrepared(p.digests) ? p.digests : prepareBatch(p.digests);
  const chain = p.chainId ?? (await client.status()).chainId;
  const payload: { root: string; count: number; label?: string } = { root: batch.root, count: batch.count };
  if (p.label !== undefined) payload.label = p.label;
  const envelope = await signTx(buildTxBody({ chain, type: 'notary.anchor_batch', signer: p.signer.did, payload }), [p.signer]);
  const r = await client.submit(envelope, { wait: 'commit' });
  if (r.receipt === undefined) throw new GovchainError('tx.commit_timeout', `batch transaction ${r.txid} did not commit in time`);
  if (r.receipt.status !== 'ok') throw new GovchainError(r.receipt.code ?? 'tx.failed', `the batch transaction failed: ${r.receipt.code}`, { details: { txid: r.txid } });
  const bundle = await fetchProofBundle(client, r.txid);
  return { ...batch, proof: batch.proof, txid: r.txid, receipt: r.receipt, bundle, recordBundle: (index) => recordBundle(bundle, batch.proof(index)) };
}

/** Combine the shared bundle of a batch with one record's `batch` section. */
export function recordBundle(shared: ProofBundle, proof: BatchRecordProof): ProofBundle {
  return { ...shared, batch: proof };
}

function isPrepared(x: unknown): x is PreparedBatch {
  return typeof x === 'object' && x !== null && !(x instanceof Uint8Array) && !Array.isArray(x) && 'tree' in x;
}

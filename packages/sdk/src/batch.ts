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
  buildBatchTree,
  fromHex,
  toHex,
  canonicalBytes,
  sha256,
  type BatchTree,
  type JsonValue,
  type Receipt,
  type Signer,
} from '@govchain/core';
import type { BatchRecordProof, ProofBundle } from './bundle.js';
import { fetchProofBundle } from './bundle.js';
import type { GovchainClient } from './client.js';
import { buildTxBody } from './tx-builder.js';
import { signTx } from '@govchain/core';

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * The digest of a database record: hex SHA-256 of the RFC 8785 canonical JSON of the row
 * (so column order and whitespace never change it). Convert values JSON cannot hold
 * (dates, big integers, binary) to strings first, the same way every time.
 */
export function recordDigest(row: JsonValue): string {
  return toHex(sha256(canonicalBytes(row)));
}

/** A batch of record digests with its Merkle tree. */
export interface PreparedBatch {
  readonly count: number;
  /** Hex root to anchor. */
  readonly root: string;
  readonly tree: BatchTree;
  /** The `batch` section of record `index`. */
  proof(index: number): BatchRecordProof;
  /** The same as one line of JSON (fast path for writing a million of them). */
  proofJson(index: number): string;
}

/**
 * Build the batch tree of `digests`: hex SHA-256 strings (lowercase or uppercase), or one
 * flat Uint8Array of 32-byte digests. Throws `batch.invalid` naming the first bad digest.
 */
export function prepareBatch(digests: readonly string[] | Uint8Array): PreparedBatch {
  const flat = batchDigests(digests);
  return preparedBatchFromTree(flat, buildBatchTree(flat));
}

/** Validate digests into one flat array of 32-byte digests (`batch.invalid`, `batch.too_large`). */
export function batchDigests(digests: readonly string[] | Uint8Array): Uint8Array {
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
  return flat;
}

/** A PreparedBatch over a tree already built from `flat` (e.g. on worker threads). */
export function preparedBatchFromTree(flat: Uint8Array, tree: BatchTree): PreparedBatch {
  if (tree.count * 32 !== flat.length) throw new RangeError('tree: not built from these digests');
  const root = toHex(tree.root);
  // Every node's base64 is computed once: a million proofs share their upper nodes.
  let encoded: string[][] | undefined;
  const path = (index: number): string[] => {
    encoded ??= tree.levels.map(encodeHashes);
    if (!Number.isSafeInteger(index) || index < 0 || index >= tree.count) throw new RangeError(`index: expected 0..${tree.count - 1}, got ${index}`);
    const out: string[] = [];
    let i = index;
    let n = tree.count;
    for (let level = 0; n > 1; level++) {
      const sibling = i % 2 === 0 ? i + 1 : i - 1;
      if (sibling < n) out.push(encoded[level]![sibling]!);
      i = Math.floor(i / 2);
      n = Math.ceil(n / 2);
    }
    return out;
  };
  const digestHex = (index: number): string => hex32(flat, index * 32);
  return {
    count: tree.count,
    root,
    tree,
    proof: (index) => ({ digest: digestHex(index), index, count: tree.count, root, hashes: path(index) }),
    proofJson: (index) => `{"digest":"${digestHex(index)}","index":${index},"count":${tree.count},"root":"${root}","hashes":["${path(index).join('","')}"]}`,
  };
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_CODES = Uint8Array.from(B64, (c) => c.charCodeAt(0));
const HEX_CODES = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const hexScratch = new Array<number>(64);

/** Standard base64 of each 32-byte hash in a flat array (same output as toBase64, faster in bulk). */
function encodeHashes(flat: Uint8Array): string[] {
  const n = flat.length / 32;
  const out = new Array<string>(n);
  const codes = new Array<number>(44);
  for (let k = 0; k < n; k++) {
    const o = k * 32;
    let c = 0;
    for (let j = 0; j < 30; j += 3) {
      const v = (flat[o + j]! << 16) | (flat[o + j + 1]! << 8) | flat[o + j + 2]!;
      codes[c++] = B64_CODES[v >> 18]!;
      codes[c++] = B64_CODES[(v >> 12) & 63]!;
      codes[c++] = B64_CODES[(v >> 6) & 63]!;
      codes[c++] = B64_CODES[v & 63]!;
    }
    const v = (flat[o + 30]! << 16) | (flat[o + 31]! << 8);
    codes[c++] = B64_CODES[v >> 18]!;
    codes[c++] = B64_CODES[(v >> 12) & 63]!;
    codes[c++] = B64_CODES[(v >> 6) & 63]!;
    codes[c++] = 61; // '='
    out[k] = String.fromCharCode.apply(null, codes);
  }
  return out;
}

function hex32(flat: Uint8Array, offset: number): string {
  for (let j = 0; j < 32; j++) {
    const b = flat[offset + j]!;
    hexScratch[2 * j] = HEX_CODES[b >> 4]!;
    hexScratch[2 * j + 1] = HEX_CODES[b & 15]!;
  }
  return String.fromCharCode.apply(null, hexScratch);
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
  return { ...batch, txid: r.txid, receipt: r.receipt, bundle, recordBundle: (index) => recordBundle(bundle, batch.proof(index)) };
}

/** Combine the shared bundle of a batch with one record's `batch` section. */
export function recordBundle(shared: ProofBundle, proof: BatchRecordProof): ProofBundle {
  return { ...shared, batch: proof };
}

function isPrepared(x: unknown): x is PreparedBatch {
  return typeof x === 'object' && x !== null && !(x instanceof Uint8Array) && !Array.isArray(x) && 'tree' in x;
}

/**
 * Proof bundles (`FILE.govproof.json`, CONTRACT.md s.7): everything needed to check,
 * offline and without trusting any server, that a document's digest was anchored on a
 * govchain ledger: the signed transaction, its receipt, the RFC 6962 inclusion proof,
 * the certified checkpoint and the validators' verifier keys.
 *
 * A bundle of a batch anchor (`notary.anchor_batch`, docs/proof-bundles.md "Batch
 * section") adds `batch`: the record's digest, its index in the batch, the batch size and
 * root, and the RFC 6962 audit path from the record to the root. The chain is then
 * record -> batch root (in the transaction) -> log leaf (the receipt) -> checkpoint.
 */
import {
  GovchainError,
  canonicalJson,
  checkEnvelope,
  resolveDidKey,
  fromBase64Url,
  toBase64Url,
  publicKeyFromDidKey,
  computeTxid,
  fromBase64,
  fromHex,
  hashLeaf,
  parseEnvelope,
  toHex,
  utf8,
  verifyCheckpointNote,
  verifyInclusion,
  type Receipt,
  type TxEnvelope,
} from '@govchain/core';
import type { GovchainClient } from './client.js';
import { verifyBundleAnchor, type AnchorVerification, type BundleAnchor } from './anchor.js';

/** The bundle format, version 1. */
export interface ProofBundle {
  format: 'govchain-proof-bundle';
  version: 1;
  chainId: string;
  txid: string;
  envelope: TxEnvelope;
  receipt: Receipt;
  inclusion: { leafIndex: number; treeSize: number; leaf: string; hashes: string[] };
  checkpoint: string;
  validators: { quorum: number; vkeys: string[] };
  file?: { name: string; sha256: string };
  /**
   * Public keys (base64url) of ledger-DID signatures, by kid, as the signer's DID document
   * listed them. The signature is checked against it offline; that the key was valid when
   * the transaction executed is what the ledger attested by committing it with status ok.
   */
  signerKeys?: { [kid: string]: string };
  /** Optional: where the checkpoint was anchored outside the network (./anchor.ts). */
  anchor?: BundleAnchor;
  /** Present when the bundle proves one record of a batch anchor. */
  batch?: BatchRecordProof;
}

/** One record's place in an anchored batch (the `batch` section of a bundle). */
export interface BatchRecordProof {
  /** Hex SHA-256 digest of the record (the leaf data, as 32 bytes). */
  digest: string;
  /** Index of the record in the batch. */
  index: number;
  /** Number of records in the batch. */
  count: number;
  /** Hex RFC 6962 root of the batch (the `root` of the notary.anchor_batch payload). */
  root: string;
  /** Base64 audit path from the record's leaf to the root (RFC 6962 order). */
  hashes: string[];
}

/** What a successful verification established. */
export interface BundleVerification {
  txid: string;
  digest: string | undefined;
  height: number;
  leafIndex: number;
  treeSize: number;
  checkpointTime: string;
  signers: string[];
  /** Where the validator keys came from: the caller's trust file, or the bundle itself. */
  trust: 'trusted-keys' | 'bundle-keys';
  /** Present when the bundle has an anchor section, which then verified. */
  anchor?: AnchorVerification;
  /** For a batch record: its index, the batch size and root. */
  batch?: { index: number; count: number; root: string };
}

/** Fetch everything a bundle needs for `txid` from a node (waits for certification). */
export async function fetchProofBundle(client: GovchainClient, txid: string, opts: { file?: { name: string; sha256: string }; waitMs?: number } = {}): Promise<ProofBundle> {
  const deadline = Date.now() + (opts.waitMs ?? 30_000);
  const validators = await client.validators();
  for (;;) {
    const tx = await client.tx(txid);
    const checkpoint = await client.checkpoint();
    const size = Number(checkpoint.split('\n')[1]);
    if (size > tx.leafIndex) {
      const inclusion = await client.inclusionProof(txid, size);
      const bundle: ProofBundle = {
        format: 'govchain-proof-bundle',
        version: 1,
        chainId: tx.envelope.body.chain,
        txid,
        envelope: tx.envelope,
        receipt: tx.receipt,
        inclusion,
        checkpoint,
        validators,
      };
      if (opts.file !== undefined) bundle.file = opts.file;
      for (const s of tx.envelope.signatures) {
        const did = s.kid.slice(0, s.kid.indexOf('#'));
        if (did.startsWith('did:key:')) continue;
        const doc = await client.did(did);
        const k = doc.didDocumentMetadata.keyHistory?.find((h) => h.id === s.kid);
        if (k !== undefined) (bundle.signerKeys ??= {})[s.kid] = toBase64Url(publicKeyFromDidKey(`did:key:${k.publicKeyMultibase}`));
      }
      return bundle;
    }
    if (Date.now() > deadline) throw new GovchainError('proof.not_certified_yet', `transaction ${txid} is not yet covered by a certified checkpoint`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Options of {@link verifyProofBundle}. */
export interface VerifyBundleOptions {
  /** Hex SHA-256 of the file the bundle should prove. */
  fileDigest?: string;
  /** Verifier keys to trust instead of the bundle's own (recommended). */
  trustedVkeys?: string[];
  /** Quorum to require with trusted keys (default floor(2n/3)+1). */
  quorum?: number;
  /** Verifier keys of anchoring networks, by chain id (for the anchor section). */
  anchorTrust?: { [chainId: string]: string[] };
}

/**
 * Verify a proof bundle offline. Throws a GovchainError with code `bundle.invalid` (and a
 * message naming the failed step) when anything does not check out.
 */
export function verifyProofBundle(value: unknown, opts: VerifyBundleOptions = {}): BundleVerification {
  const bad = (why: string): never => {
    throw new GovchainError('bundle.invalid', why);
  };
  const b = value as ProofBundle;
  if (typeof b !== 'object' || b === null || b.format !== 'govchain-proof-bundle' || b.version !== 1) bad('not a govchain proof bundle (version 1)');
  let envelope: TxEnvelope;
  try {
    envelope = parseEnvelope(b.envelope);
  } catch (e) {
    return bad(`envelope: ${(e as Error).message}`);
  }
  const txid = computeTxid(envelope.body);
  if (txid !== b.txid) bad('the transaction does not hash to the bundle txid');
  let signers: string[];
  try {
    // did:key signatures verify from the DID alone. A ledger DID's key is state at the time
    // of execution: the ledger checked it then, and the receipt below (status ok, in the
    // certified log) is the proof that it did.
    signers = checkEnvelope(envelope, {
      chainId: envelope.body.chain,
      now: 0,
      resolveKey: (kid, did) => {
        if (did.startsWith('did:key:')) return resolveDidKey(kid, did);
        const k = b.signerKeys?.[kid];
        if (typeof k !== 'string') throw new GovchainError('tx.unknown_key', `the bundle lists no key for ${kid}`);
        return fromBase64Url(k);
      },
    }).signers;
  } catch (e) {
    return bad(`transaction signature: ${(e as Error).message}`);
  }
  const r = b.receipt;
  if (typeof r !== 'object' || r === null || r.txid !== txid) bad('the receipt is not for this transaction');
  if (r.status !== 'ok') bad(`the transaction failed on the ledger (${r.code ?? 'unknown'})`);
  let leaf: Uint8Array;
  try {
    leaf = fromBase64(b.inclusion.leaf);
  } catch {
    return bad('inclusion.leaf is not base64');
  }
  if (toHex(leaf) !== toHex(utf8(canonicalJson(r)))) bad('the log leaf is not the receipt');
  const vkeys = opts.trustedVkeys ?? b.validators?.vkeys;
  if (!Array.isArray(vkeys) || vkeys.length === 0) bad('no validator keys to check the checkpoint against');
  const quorum = opts.quorum ?? (opts.trustedVkeys === undefined ? Math.max(b.validators.quorum, Math.floor((2 * vkeys.length) / 3) + 1) : Math.floor((2 * vkeys.length) / 3) + 1);
  let cp;
  try {
    cp = verifyCheckpointNote(b.checkpoint, vkeys, quorum).checkpoint;
  } catch (e) {
    return bad(`checkpoint: ${(e as Error).message}`);
  }
  if (cp.origin !== envelope.body.chain) bad('the checkpoint is for another chain');
  const inc = b.inclusion;
  if (inc.treeSize !== cp.size) bad('the inclusion proof is not for the checkpoint tree size');
  let hashes: Uint8Array[];
  try {
    hashes = inc.hashes.map((h) => fromBase64(h));
  } catch {
    return bad('inclusion.hashes are not base64');
  }
  if (!verifyInclusion(hashLeaf(leaf), inc.leafIndex, inc.treeSize, hashes, cp.rootHash)) bad('the inclusion proof does not lead to the checkpoint root');
  let digest = typeof envelope.body.payload.digest === 'string' ? envelope.body.payload.digest : undefined;
  let batch: BundleVerification['batch'];
  if (b.batch !== undefined) {
    batch = verifyBatchSection(b.batch, envelope, bad);
    digest = b.batch.digest;
  }
  if (opts.fileDigest !== undefined) {
    if (envelope.body.type !== 'notary.anchor' && batch === undefined) bad('the bundle does not anchor a document');
    if (digest !== opts.fileDigest.toLowerCase()) bad('the file does not match the anchored digest');
  }
  const anchor = b.anchor === undefined ? undefined : verifyBundleAnchor(b.anchor, cp, vkeys!, quorum, opts.anchorTrust);
  return {
    ...(anchor === undefined ? {} : { anchor }),
    txid,
    digest,
    height: r.height,
    leafIndex: inc.leafIndex,
    treeSize: inc.treeSize,
    checkpointTime: cp.time,
    signers: signers!,
    trust: opts.trustedVkeys === undefined ? 'bundle-keys' : 'trusted-keys',
    ...(batch === undefined ? {} : { batch }),
  };
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Check a `batch` section against the batch anchor transaction; `bad` throws. */
function verifyBatchSection(s: BatchRecordProof, envelope: TxEnvelope, bad: (why: string) => never): { index: number; count: number; root: string } {
  if (typeof s !== 'object' || s === null) bad('batch: expected an object');
  if (envelope.body.type !== 'notary.anchor_batch') bad('batch: the transaction is not a notary.anchor_batch');
  if (typeof s.digest !== 'string' || !HEX64.test(s.digest)) bad('batch.digest: expected 64 lowercase hex digits');
  if (typeof s.root !== 'string' || s.root !== envelope.body.payload.root) bad('batch.root: not the root the transaction anchored');
  if (s.count !== envelope.body.payload.count) bad('batch.count: not the count the transaction anchored');
  if (!Number.isSafeInteger(s.index) || s.index < 0 || s.index >= s.count) bad('batch.index: outside the batch');
  if (!Array.isArray(s.hashes)) bad('batch.hashes: expected an array');
  let hashes: Uint8Array[];
  try {
    hashes = s.hashes.map((h) => fromBase64(h));
  } catch {
    return bad('batch.hashes are not base64');
  }
  if (!verifyInclusion(hashLeaf(fromHex(s.digest)), s.index, s.count, hashes, fromHex(s.root))) bad('batch: the record does not lead to the batch root');
  return { index: s.index, count: s.count, root: s.root };
}

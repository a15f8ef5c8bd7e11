/**
 * Anchors in proof bundles (docs/interop.md, docs/proof-bundles.md): a bundle may carry
 * an optional `anchor` section showing that its checkpoint was, directly or through a
 * later consistent checkpoint, published outside the network:
 *
 *   anchor: { checkpoint: <a later (or the same) certified note>,
 *             consistency: [<base64>...]   RFC 6962 proof, bundle size -> anchored size,
 *             receipts: [{type, location, ...}] }
 *
 * A receipt of type `govchain` (another govchain network, B) carries `bundle`: B's own
 * proof bundle of a `notary.anchor` of SHA-256(anchored checkpoint body), verified here
 * recursively (against B's keys given by the caller, else the keys inside it). File and
 * HTTP receipts are pointers, reported but not checkable offline.
 * Also: the `govchain` anchor target itself (submits that notary anchor on network B).
 */
import { GovchainError, fromBase64, sha256, toHex, utf8, verifyCheckpointNote, verifyConsistency, parseSignedNote, signTxSync, type JsonValue, type Checkpoint } from '@govchain/core';
import { fetchProofBundle, verifyProofBundle, type ProofBundle } from './bundle.js';
import type { GovchainClient } from './client.js';
import { buildTxBody } from './tx-builder.js';

/** A receipt of one anchor target. */
export interface AnchorReceiptJson {
  type: string;
  location: string;
  [extra: string]: JsonValue;
}

/** The optional `anchor` section of a proof bundle. */
export interface BundleAnchor {
  checkpoint: string;
  consistency: string[];
  receipts: AnchorReceiptJson[];
}

/** What checking an anchor section established. */
export interface AnchorVerification {
  /** Size of the anchored checkpoint. */
  size: number;
  /** Hex SHA-256 of the anchored checkpoint body. */
  digest: string;
  /** Anchors proven offline (another govchain network's proof bundle). */
  proven: Array<{ type: 'govchain'; chainId: string; txid: string; height: number }>;
  /** Anchors that are pointers only (file, HTTP). */
  pointers: Array<{ type: string; location: string }>;
}

/** The record an anchor target publishes (as @govchain/node `AnchorRecord`). */
export interface AnchorRecordJson {
  format: 'govchain-anchor';
  version: 1;
  origin: string;
  size: number;
  height: number;
  time: string;
  digest: string;
  checkpoint: string;
}

/**
 * The `govchain` anchor target: anchor each record's digest with `notary.anchor` on
 * another govchain network (signed by `key`, an identity registered there), wait for it
 * to be certified, and return that network's proof bundle as the receipt.
 */
export function createGovchainAnchorTarget(opts: { client: GovchainClient; key: { did: string; kid: string; seed: Uint8Array } }) {
  return {
    type: 'govchain' as const,
    async publish(record: AnchorRecordJson): Promise<AnchorReceiptJson> {
      const { chainId } = await opts.client.status();
      const body = buildTxBody({ chain: chainId, type: 'notary.anchor', signer: opts.key.did, payload: { digest: record.digest, label: `govchain checkpoint ${record.origin} size ${record.size}` } });
      const r = await opts.client.submit(signTxSync(body, [opts.key]), { wait: 'commit' });
      if (r.receipt?.status !== 'ok') throw new GovchainError('anchor.failed', `anchor on ${chainId} failed: ${r.receipt?.code ?? 'no receipt'}`);
      const bundle = await fetchProofBundle(opts.client, r.txid);
      return { type: 'govchain', location: chainId, chainId, txid: r.txid, bundle: bundle as unknown as JsonValue };
    },
  };
}

/**
 * Check a bundle's anchor section against the bundle's own (already verified) checkpoint
 * `cp`, with the same validator trust. `anchorTrust` maps another network's chain id to
 * its verifier keys (recommended; else the keys inside its bundle). Throws `bundle.invalid`.
 */
export function verifyBundleAnchor(
  anchor: BundleAnchor,
  cp: Checkpoint,
  vkeys: string[],
  quorum: number,
  anchorTrust: { [chainId: string]: string[] } = {},
): AnchorVerification {
  const bad = (why: string): never => {
    throw new GovchainError('bundle.invalid', `anchor: ${why}`);
  };
  if (typeof anchor !== 'object' || anchor === null || typeof anchor.checkpoint !== 'string' || !Array.isArray(anchor.consistency) || !Array.isArray(anchor.receipts)) {
    return bad('expected {checkpoint, consistency, receipts}');
  }
  let anchored: Checkpoint;
  try {
    anchored = verifyCheckpointNote(anchor.checkpoint, vkeys, quorum).checkpoint;
  } catch (e) {
    return bad(`checkpoint: ${(e as Error).message}`);
  }
  if (anchored.origin !== cp.origin) bad('the anchored checkpoint is for another chain');
  let proof: Uint8Array[];
  try {
    proof = anchor.consistency.map((h) => fromBase64(h));
  } catch {
    return bad('consistency hashes are not base64');
  }
  if (!verifyConsistency(cp.size, anchored.size, cp.rootHash, anchored.rootHash, proof)) bad(`the anchored checkpoint (size ${anchored.size}) does not extend the bundle's (size ${cp.size})`);
  const digest = toHex(sha256(utf8(parseSignedNote(anchor.checkpoint).text)));
  const out: AnchorVerification = { size: anchored.size, digest, proven: [], pointers: [] };
  for (const r of anchor.receipts) {
    if (r?.type === 'govchain') {
      const inner = r.bundle as unknown as ProofBundle;
      const trust = anchorTrust[inner?.chainId];
      let v;
      try {
        v = verifyProofBundle(inner, { fileDigest: digest, ...(trust === undefined ? {} : { trustedVkeys: trust }) });
      } catch (e) {
        return bad(`the anchor on ${String(r.location)}: ${(e as Error).message}`);
      }
      if (inner.envelope.body.type !== 'notary.anchor') bad('a govchain anchor must be a notary.anchor');
      out.proven.push({ type: 'govchain', chainId: inner.chainId, txid: v.txid, height: v.height });
    } else if (typeof r?.type === 'string' && typeof r.location === 'string') {
      out.pointers.push({ type: r.type, location: r.location });
    } else bad('a receipt needs a type and a location');
  }
  return out;
}

/**
 * Build the anchor section for a bundle of checkpoint size `size` from a node that
 * anchors (`GET /v1/anchors?atLeast=<size>`), or undefined when nothing covers it yet.
 */
export async function fetchBundleAnchor(baseUrl: string, client: GovchainClient, size: number): Promise<BundleAnchor | undefined> {
  const res = await fetch(`${baseUrl.replace(/\/+$/, '')}/v1/anchors?atLeast=${size}`);
  if (res.status === 404) return undefined;
  if (!res.ok) throw new GovchainError('anchor.unavailable', `anchors: HTTP ${res.status}`);
  const a = (await res.json()) as { size: number; checkpoint: string; receipts: AnchorReceiptJson[] };
  const consistency = a.size === size ? [] : (await client.consistencyProof(size, a.size)).hashes;
  return { checkpoint: a.checkpoint, consistency, receipts: a.receipts };
}

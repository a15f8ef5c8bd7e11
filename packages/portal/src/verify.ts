/**
 * The portal's light client: everything it shows as verified goes through here, and
 * here only uses @govchain/core and @govchain/sdk, so the browser repeats the exact checks
 * the CLI and the SDK make (RFC 6962 inclusion, C2SP signed-note checkpoints, Ed25519
 * transaction signatures, RFC 8785 receipts). Nothing here trusts the server: answers are
 * data to check, and every failed check throws with a reason to show.
 */
import {
  canonicalJson,
  checkEnvelope,
  equalBytes,
  fromBase64,
  hashLeaf,
  hashTxids,
  parseCheckpoint,
  parseSignedNote,
  parseVerifierKey,
  quorumFor,
  resolveDidKey,
  sha256,
  toHex,
  utf8,
  verifyCheckpointNote,
  verifyConsistency,
  verifyEd25519,
  verifyInclusion,
  type Checkpoint,
} from '@govchain/core';
import type { BlockResponse, ConsistencyProofResponse, InclusionProofResponse, TxResponse, ValidatorsResponse } from '@govchain/sdk';

/** One signature line of a checkpoint and what the browser found about it. */
export interface SignatureCheck {
  name: string;
  keyHash: string;
  status: 'valid' | 'invalid' | 'unknown-key';
}

/** A checkpoint note checked signature by signature. */
export interface CheckpointCheck {
  /** The body, parsed only (trust it only when `certified`). */
  checkpoint: Checkpoint | undefined;
  text: string;
  signatures: SignatureCheck[];
  /** Distinct trusted validators with a valid signature. */
  have: number;
  need: number;
  /** True when verifyCheckpointNote accepted the note: quorum of valid signatures, no bad one. */
  certified: boolean;
  /** Why it is not certified. */
  reason: string | undefined;
}

/**
 * Check each signature of a checkpoint note against the trusted verifier keys (for
 * display), then let core's `verifyCheckpointNote` decide certification (quorum, no
 * invalid signature of a known key, well-formed body).
 */
export function checkCheckpoint(note: string, vkeys: readonly string[]): CheckpointCheck {
  const need = quorumFor(Math.max(1, vkeys.length));
  let parsed;
  try {
    parsed = parseSignedNote(note);
  } catch (e) {
    return { checkpoint: undefined, text: note, signatures: [], have: 0, need, certified: false, reason: (e as Error).message };
  }
  const verifiers = vkeys.map((k) => parseVerifierKey(k));
  const message = utf8(parsed.text);
  const valid = new Set<string>();
  const signatures = parsed.signatures.map((s): SignatureCheck => {
    const v = verifiers.find((x) => x.name === s.name && equalBytes(x.keyHash, s.keyHash));
    const keyHash = toHex(s.keyHash);
    if (v === undefined) return { name: s.name, keyHash, status: 'unknown-key' };
    const ok = s.signature.length === 64 && verifyEd25519(v.publicKey, message, s.signature);
    if (ok) valid.add(s.name);
    return { name: s.name, keyHash, status: ok ? 'valid' : 'invalid' };
  });
  let checkpoint: Checkpoint | undefined;
  try {
    checkpoint = parseCheckpoint(parsed.text);
  } catch {
    checkpoint = undefined;
  }
  try {
    verifyCheckpointNote(note, vkeys, need);
    return { checkpoint, text: parsed.text, signatures, have: valid.size, need, certified: true, reason: undefined };
  } catch (e) {
    return { checkpoint, text: parsed.text, signatures, have: valid.size, need, certified: false, reason: (e as Error).message };
  }
}

/** A verification failure, with the reason to show. */
export class VerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VerificationError';
  }
}

/** What a verified transaction established. */
export interface TxVerification {
  signers: string[];
  leafIndex: number;
  checkpoint: CheckpointCheck & { checkpoint: Checkpoint };
}

/**
 * Verify a transaction as fetched: its signatures (core `checkEnvelope`; did:key keys
 * from the DID itself, ledger-DID keys from `signerKeys`, as the SDK's proof bundles do),
 * that the log leaf is exactly JCS(receipt) for this txid, and that the inclusion proof
 * leads to the root of a certified checkpoint of the same size. Throws
 * {@link VerificationError}.
 */
export function verifyTransaction(
  txid: string,
  tx: TxResponse,
  inclusion: InclusionProofResponse,
  note: string,
  vkeys: readonly string[],
  signerKeys: Readonly<Record<string, Uint8Array>> = {},
): TxVerification {
  const cp = certified(note, vkeys);
  let signers: string[];
  try {
    signers = checkEnvelope(tx.envelope, {
      chainId: tx.envelope.body.chain,
      now: 0,
      resolveKey: (kid, did) => {
        if (did.startsWith('did:key:')) return resolveDidKey(kid, did);
        const key = signerKeys[kid];
        if (key === undefined) throw new VerificationError(`no key known for ${kid}`);
        return key;
      },
    }).signers;
  } catch (e) {
    throw new VerificationError(`transaction signature: ${(e as Error).message}`);
  }
  if (tx.receipt.txid !== txid) throw new VerificationError('the receipt is not for this transaction');
  const leaf = decode(inclusion.leaf, 'inclusion.leaf');
  if (!equalBytes(leaf, utf8(canonicalJson(tx.receipt)))) throw new VerificationError('the log leaf is not the receipt');
  if (cp.checkpoint.origin !== tx.envelope.body.chain) throw new VerificationError('the checkpoint is for another chain');
  if (inclusion.treeSize !== cp.checkpoint.size) throw new VerificationError('the inclusion proof is not for the checkpoint tree size');
  const hashes = inclusion.hashes.map((h, i) => decode(h, `inclusion.hashes[${i}]`));
  if (!verifyInclusion(hashLeaf(leaf), inclusion.leafIndex, inclusion.treeSize, hashes, cp.checkpoint.rootHash)) {
    throw new VerificationError('the inclusion proof does not lead to the checkpoint root');
  }
  return { signers, leafIndex: inclusion.leafIndex, checkpoint: cp };
}

/**
 * Verify a block header against the certified checkpoint taken at it: the txids hash to
 * `txsHash`, and the checkpoint's size, log root, height and state root equal the header's.
 */
export function verifyBlock(block: BlockResponse, note: string, vkeys: readonly string[]): CheckpointCheck & { checkpoint: Checkpoint } {
  if (hashTxids(block.txids) !== block.header.txsHash) throw new VerificationError('the transaction list does not hash to the header');
  if (block.txids.length !== block.header.txCount) throw new VerificationError('the transaction count does not match the header');
  const cp = certified(note, vkeys);
  const c = cp.checkpoint;
  if (c.origin !== block.header.chain) throw new VerificationError('the checkpoint is for another chain');
  if (c.size !== block.header.logSize || c.height !== block.header.height) throw new VerificationError('the checkpoint is not the one of this block');
  if (toHex(c.rootHash) !== block.header.logRoot) throw new VerificationError('the block log root differs from the certified one');
  if (toHex(c.stateRoot) !== block.header.stateRoot) throw new VerificationError('the block state root differs from the certified one');
  return cp;
}

/** A certified log head remembered by this browser: size and base64 root. */
export interface SeenHead {
  size: number;
  root: string;
}

/**
 * Check that the log of a newer certified checkpoint extends the one seen before
 * (RFC 6962 consistency proof): nothing was removed or rewritten. Equal sizes need equal
 * roots. Throws {@link VerificationError}.
 */
export function verifyAppendOnly(seen: SeenHead, cp: Checkpoint, proof: ConsistencyProofResponse | undefined): void {
  const oldRoot = decode(seen.root, 'the remembered root');
  if (seen.size === cp.size) {
    if (!equalBytes(oldRoot, cp.rootHash)) throw new VerificationError('same log size, different root');
    return;
  }
  if (seen.size > cp.size) throw new VerificationError('the log is smaller than the one seen before');
  if (seen.size === 0) return; // every log extends the empty one
  if (proof === undefined || proof.from !== seen.size || proof.to !== cp.size) throw new VerificationError('the consistency proof is not for these sizes');
  const hashes = proof.hashes.map((h, i) => decode(h, `consistency.hashes[${i}]`));
  if (!verifyConsistency(seen.size, cp.size, oldRoot, cp.rootHash, hashes)) throw new VerificationError('the consistency proof does not link the two roots');
}

/** The verifier keys of a validators answer, checked for form (throws on a malformed key). */
export function checkedVkeys(v: ValidatorsResponse): string[] {
  if (!Array.isArray(v.vkeys) || v.vkeys.length === 0) throw new VerificationError('the node announces no validator keys');
  for (const k of v.vkeys) parseVerifierKey(k);
  return [...v.vkeys];
}

/** Lowercase hex SHA-256 of a file: WebCrypto where the page is a secure context, else core's noble code. */
export async function digestFile(file: Blob): Promise<{ digest: string; method: 'webcrypto' | 'noble' }> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (globalThis.crypto?.subtle !== undefined) {
    return { digest: toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))), method: 'webcrypto' };
  }
  return { digest: toHex(sha256(bytes)), method: 'noble' };
}

function certified(note: string, vkeys: readonly string[]): CheckpointCheck & { checkpoint: Checkpoint } {
  const cp = checkCheckpoint(note, vkeys);
  if (!cp.certified || cp.checkpoint === undefined) throw new VerificationError(`checkpoint: ${cp.reason ?? 'not certified'}`);
  return cp as CheckpointCheck & { checkpoint: Checkpoint };
}

function decode(b64: string, what: string): Uint8Array {
  try {
    return fromBase64(b64);
  } catch {
    throw new VerificationError(`${what} is not base64`);
  }
}

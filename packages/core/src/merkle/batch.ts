/**
 * Batch trees for hybrid anchoring (docs/integration.md "Anchoring a database"): the
 * RFC 6962 Merkle tree (s.2.1) over a batch of record digests, kept in memory level by
 * level so that one root and every record's audit path come out of 2n hashes.
 *
 * Leaf data of record i = its 32-byte digest (raw bytes), so leaf hash = SHA-256(0x00 ||
 * digest). The level-by-level build (pair neighbours; an odd last node moves up unchanged)
 * yields exactly MTH of RFC 6962 s.2.1, and the paths it gives are RFC 6962 audit paths,
 * so `verifyInclusion` checks them. Pure and browser-safe.
 */
import { assertBytes } from '../bytes.js';
import { sha256 } from '../crypto.js';
import { MERKLE_HASH_SIZE } from './rfc6962.js';

const H = MERKLE_HASH_SIZE;

/** Largest batch one transaction commits. */
export const MAX_BATCH_RECORDS = 1_000_000;

/** The levels of a batch tree: `levels[0]` holds the leaf hashes, the last level the root. */
export interface BatchTree {
  /** Number of records. */
  readonly count: number;
  /** Root hash (32 bytes): MTH of the record digests. */
  readonly root: Uint8Array;
  /** Flat hashes per level, 32 bytes each. */
  readonly levels: readonly Uint8Array[];
}

/**
 * Build the batch tree of `digests` (each 32 bytes, or one flat array of 32-byte digests).
 * Throws RangeError for an empty batch, a batch over {@link MAX_BATCH_RECORDS}, or a digest
 * of the wrong length.
 */
export function buildBatchTree(digests: readonly Uint8Array[] | Uint8Array): BatchTree {
  const flat = digests instanceof Uint8Array ? digests : flatten(digests);
  if (flat.length % H !== 0) throw new RangeError('digests: the flat array length must be a multiple of 32');
  const count = flat.length / H;
  if (count === 0) throw new RangeError('digests: a batch needs at least one record');
  if (count > MAX_BATCH_RECORDS) throw new RangeError(`digests: at most ${MAX_BATCH_RECORDS} records per batch, got ${count}`);
  const leafPre = new Uint8Array(1 + H);
  const leaves = new Uint8Array(count * H);
  for (let i = 0; i < count; i++) {
    leafPre.set(flat.subarray(i * H, i * H + H), 1);
    leaves.set(sha256(leafPre), i * H);
  }
  const levels: Uint8Array[] = [leaves];
  const nodePre = new Uint8Array(1 + 2 * H);
  nodePre[0] = 0x01;
  let cur = leaves;
  let n = count;
  while (n > 1) {
    const m = Math.ceil(n / 2);
    const next = new Uint8Array(m * H);
    for (let i = 0; i < Math.floor(n / 2); i++) {
      nodePre.set(cur.subarray(2 * i * H, 2 * i * H + 2 * H), 1);
      next.set(sha256(nodePre), i * H);
    }
    if (n % 2 === 1) next.set(cur.subarray((n - 1) * H, n * H), (m - 1) * H);
    levels.push(next);
    cur = next;
    n = m;
  }
  return { count, root: cur.slice(0, H), levels };
}

/** The RFC 6962 audit path of record `index` (leaf to root order). */
export function batchInclusionProof(tree: BatchTree, index: number): Uint8Array[] {
  if (!Number.isSafeInteger(index) || index < 0 || index >= tree.count) throw new RangeError(`index: expected 0..${tree.count - 1}, got ${index}`);
  const out: Uint8Array[] = [];
  let i = index;
  let n = tree.count;
  for (let level = 0; n > 1; level++) {
    const sibling = i % 2 === 0 ? i + 1 : i - 1;
    // An odd last node has no sibling at this level: it moves up unchanged.
    if (sibling < n) out.push(tree.levels[level]!.subarray(sibling * H, sibling * H + H));
    i = Math.floor(i / 2);
    n = Math.ceil(n / 2);
  }
  return out;
}

/** Leaf data of a record in a batch: its 32-byte digest. */
export function batchLeafData(digest: Uint8Array): Uint8Array {
  assertBytes(digest, H, 'digest');
  return digest;
}


function flatten(digests: readonly Uint8Array[]): Uint8Array {
  if (!Array.isArray(digests)) throw new TypeError('digests: expected an array of Uint8Array or one flat Uint8Array');
  const flat = new Uint8Array(digests.length * H);
  digests.forEach((d, i) => {
    assertBytes(d, H, `digests[${i}]`);
    flat.set(d, i * H);
  });
  return flat;
}

/**
 * `@govchain/sdk/node`: the Node-only pieces of the SDK: a Signer over a key file (the
 * format `govchain keygen` writes, mode 0600 enforced) and light-client storage in a file
 * written atomically with fsync.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { GovchainError, createSeedSigner, didKeyFromPublicKey, didKeyKid, fromBase64, keyPairFromSeed, toBase64, type Signer } from '@govchain/core';
import type { LightClientState, LightClientStorage } from './light-client.js';
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { buildBatchTree, hashChildren, type BatchTree } from '@govchain/core';
import { batchDigests, preparedBatchFromTree, type PreparedBatch } from './batch.js';

/**
 * `prepareBatch` on two worker threads: the RFC 6962 tree of n leaves is
 * MTH(first k) and MTH(rest) joined at the top (k the largest power of two below n), and
 * because k is a power of two the two halves' levels simply line up side by side.
 * Same result as `prepareBatch`; used for big batches (CLI, bench).
 */
export async function prepareBatchParallel(digests: readonly string[] | Uint8Array): Promise<PreparedBatch> {
  const flat = batchDigests(digests);
  const n = flat.length / 32;
  if (n < 65_536 || availableParallelism() < 2) return preparedBatchFromTree(flat, buildBatchTree(flat));
  let k = 1;
  while (k * 2 < n) k *= 2;
  const [left, right] = await Promise.all([buildInWorker(flat.slice(0, k * 32)), buildInWorker(flat.slice(k * 32))]);
  const levels: Uint8Array[] = [];
  const top = left.length - 1; // left has exactly one node at level `top`
  for (let j = 0; j <= top; j++) {
    const l = left[j]!;
    const r = right[Math.min(j, right.length - 1)]!;
    const level = new Uint8Array(l.length + r.length);
    level.set(l, 0);
    level.set(r, l.length);
    levels.push(level);
  }
  const root = hashChildren(left[top]!, right[right.length - 1]!);
  levels.push(root);
  const tree: BatchTree = { count: n, root, levels };
  return preparedBatchFromTree(flat, tree);
}

function buildInWorker(flat: Uint8Array): Promise<Uint8Array[]> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./batch-worker.js', import.meta.url));
    w.once('message', (m: { levels: Uint8Array[] }) => {
      resolve(m.levels);
      void w.terminate();
    });
    w.once('error', reject);
    w.postMessage(flat, [flat.buffer as ArrayBuffer]);
  });
}

/** A Signer over a key file (`{"type":"ed25519","did","kid","publicKey","seed"}`, mode 0600). */
export function createKeyFileSigner(path: string): Signer & { readonly publicKey: Uint8Array } {
  let mode: number;
  try {
    mode = statSync(path).mode & 0o777;
  } catch {
    throw new GovchainError('key.unreadable', `key file not found: ${path}`);
  }
  if ((mode & 0o077) !== 0) throw new GovchainError('key.insecure', `key file ${path} is readable by others (mode ${mode.toString(8)}); run chmod 600 ${path}`);
  let file: { type?: string; seed?: string; publicKey?: string; did?: string; kid?: string };
  try {
    file = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new GovchainError('key.invalid', `key file ${path} is not JSON`, { cause: e });
  }
  if (file?.type !== 'ed25519' || typeof file.seed !== 'string') throw new GovchainError('key.invalid', `key file ${path} is not an ed25519 key`);
  const pair = keyPairFromSeed(fromBase64(file.seed));
  if (file.publicKey !== undefined && toBase64(pair.publicKey) !== file.publicKey) throw new GovchainError('key.invalid', `key file ${path}: public key does not match the seed`);
  const did = file.did ?? didKeyFromPublicKey(pair.publicKey);
  const kid = file.kid ?? didKeyKid(pair.publicKey);
  return { ...createSeedSigner(pair.seed, did, kid), publicKey: pair.publicKey };
}

/** Light-client storage in a JSON file, replaced atomically (write, fsync, rename, fsync dir). */
export function fileStorage(path: string): LightClientStorage {
  return {
    load() {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        return undefined;
      }
      return JSON.parse(text) as LightClientState;
    },
    save(state) {
      writeFileDurably(path, JSON.stringify(state, null, 2) + '\n');
    },
  };
}

/** Write `text` to `path` so that after a crash the file holds either the old or the new text. */
export function writeFileDurably(path: string, text: string, mode = 0o600): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dfd = openSync(dirname(path), 'r');
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
}

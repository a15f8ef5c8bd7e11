/**
 * `@govchain/sdk/node`: the Node-only pieces of the SDK: a Signer over a key file (the
 * format `govchain keygen` writes, mode 0600 enforced) and light-client storage in a file
 * written atomically with fsync.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { GovchainError, createSeedSigner, didKeyFromPublicKey, didKeyKid, fromBase64, keyPairFromSeed, toBase64, type Signer } from '@govchain/core';
import type { LightClientState, LightClientStorage } from './light-client.js';

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

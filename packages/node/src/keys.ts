/**
 * Key files: one JSON object per Ed25519 key, written with mode 0600 (owner read/write
 * only) and refused on load when others can read it.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { GovchainError, didKeyFromPublicKey, didKeyKid, fromBase64, generateKeyPair, keyPairFromSeed, toBase64, type Ed25519KeyPair } from '@govchain/core';

/** The on-disk form of a key. */
export interface KeyFile {
  type: 'ed25519';
  did: string;
  kid: string;
  publicKey: string;
  seed: string;
}

/** A loaded key: its pair plus the DID and key id it signs as. */
export interface LoadedKey extends Ed25519KeyPair {
  did: string;
  kid: string;
}

/** Create a fresh key with a did:key identity. */
export function createKey(): LoadedKey {
  const pair = generateKeyPair();
  return { ...pair, did: didKeyFromPublicKey(pair.publicKey), kid: didKeyKid(pair.publicKey) };
}

/** Write `key` to `path` with mode 0600 (parent folders 0700); never overwrites. */
export function writeKeyFile(path: string, key: LoadedKey): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const file: KeyFile = { type: 'ed25519', did: key.did, kid: key.kid, publicKey: toBase64(key.publicKey), seed: toBase64(key.seed) };
  writeFileSync(path, JSON.stringify(file, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
}

/** Load a key file; throws `key.unreadable`, `key.insecure` or `key.invalid`. */
export function readKeyFile(path: string): LoadedKey {
  if (!existsSync(path)) throw new GovchainError('key.unreadable', `key file not found: ${path}`);
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) throw new GovchainError('key.insecure', `key file ${path} is readable by others (mode ${mode.toString(8)}); run chmod 600 ${path}`);
  let file: KeyFile;
  try {
    file = JSON.parse(readFileSync(path, 'utf8')) as KeyFile;
  } catch (e) {
    throw new GovchainError('key.invalid', `key file ${path} is not JSON`, { cause: e });
  }
  if (file?.type !== 'ed25519' || typeof file.seed !== 'string') throw new GovchainError('key.invalid', `key file ${path} is not an ed25519 key`);
  const pair = keyPairFromSeed(fromBase64(file.seed));
  if (toBase64(pair.publicKey) !== file.publicKey) throw new GovchainError('key.invalid', `key file ${path}: public key does not match the seed`);
  return { ...pair, did: file.did ?? didKeyFromPublicKey(pair.publicKey), kid: file.kid ?? didKeyKid(pair.publicKey) };
}

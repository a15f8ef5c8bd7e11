/**
 * Hashing and signatures used everywhere in govchain: SHA-256 (FIPS 180-4) and
 * Ed25519 (RFC 8032). The implementation comes from `#platform`: node:crypto under Node,
 * audited noble code elsewhere (browsers), with identical results.
 */
import * as platform from '#platform';
import { assertBytes } from './bytes.js';

/** SHA-256 digest (32 bytes). */
export function sha256(data: Uint8Array): Uint8Array {
  return platform.sha256(data);
}

/** An Ed25519 key pair; `seed` is the 32-byte private key of RFC 8032. */
export interface Ed25519KeyPair {
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** Generate a fresh Ed25519 key pair from the platform CSPRNG. */
export function generateKeyPair(): Ed25519KeyPair {
  const seed = platform.randomBytes(32);
  return { seed, publicKey: platform.ed25519PublicKey(seed) };
}

/** The key pair of a 32-byte seed. */
export function keyPairFromSeed(seed: Uint8Array): Ed25519KeyPair {
  assertBytes(seed, 32, 'seed');
  return { seed, publicKey: platform.ed25519PublicKey(seed) };
}

/** Ed25519 signature (64 bytes) of `message`. */
export function signEd25519(seed: Uint8Array, message: Uint8Array): Uint8Array {
  assertBytes(seed, 32, 'seed');
  return platform.ed25519Sign(seed, message);
}

/** Verify an Ed25519 signature; never throws for malformed keys or signatures. */
export function verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (!(publicKey instanceof Uint8Array) || !(signature instanceof Uint8Array)) return false;
  return platform.ed25519Verify(publicKey, message, signature);
}

/** Cryptographically secure random bytes. */
export function randomBytes(length: number): Uint8Array {
  return platform.randomBytes(length);
}

/** Which implementation is in use (`node` or `web`). */
export const cryptoPlatform: string = platform.platformName;

/**
 * Node.js crypto: node:crypto (OpenSSL) for SHA-256 and Ed25519. Selected by the `node`
 * condition of the `#platform` import; same signatures as ./web.ts. Ed25519 public keys are
 * turned into KeyObjects once and cached, because key import is a large share of a
 * verification's cost.
 */
import * as nodeCrypto from 'node:crypto';
import { createHash, createPrivateKey, createPublicKey, randomBytes as nodeRandomBytes, sign, verify, type KeyObject } from 'node:crypto';

// DER prefixes for raw Ed25519 keys (RFC 8410): SubjectPublicKeyInfo and PKCS#8.
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const KEY_CACHE_LIMIT = 100_000;
const publicKeyCache = new Map<string, KeyObject>();
const privateKeyCache = new Map<string, KeyObject>();

function cached(cache: Map<string, KeyObject>, raw: Uint8Array, make: (der: Buffer) => KeyObject, prefix: Buffer): KeyObject {
  const id = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('latin1');
  let key = cache.get(id);
  if (key === undefined) {
    if (cache.size >= KEY_CACHE_LIMIT) cache.clear();
    key = make(Buffer.concat([prefix, raw]));
    cache.set(id, key);
  }
  return key;
}

/** SHA-256 of `data`. */
// crypto.hash (Node >= 20.12) skips the Hash object and is about twice as fast for small inputs.
const oneShotHash = (nodeCrypto as { hash?: (alg: string, data: Uint8Array, enc: 'buffer') => Buffer }).hash;

export function sha256(data: Uint8Array): Uint8Array {
  const d = oneShotHash !== undefined ? oneShotHash('sha256', data, 'buffer') : createHash('sha256').update(data).digest();
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/** Verify an Ed25519 (RFC 8032) signature; `publicKey` is 32 raw bytes. */
export function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  try {
    const key = cached(publicKeyCache, publicKey, (der) => createPublicKey({ key: der, format: 'der', type: 'spki' }), SPKI_PREFIX);
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}

/** Sign with a 32-byte Ed25519 seed. */
export function ed25519Sign(seed: Uint8Array, message: Uint8Array): Uint8Array {
  const key = cached(privateKeyCache, seed, (der) => createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }), PKCS8_PREFIX);
  const s = sign(null, message, key);
  return new Uint8Array(s.buffer, s.byteOffset, s.byteLength);
}

/** Derive the 32-byte public key of a 32-byte seed. */
export function ed25519PublicKey(seed: Uint8Array): Uint8Array {
  const key = cached(privateKeyCache, seed, (der) => createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }), PKCS8_PREFIX);
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  return new Uint8Array(Buffer.from(jwk.x as string, 'base64url'));
}

/** Random bytes from the OS CSPRNG. */
export function randomBytes(length: number): Uint8Array {
  const b = nodeRandomBytes(length);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Name of the implementation, for diagnostics. */
export const platformName = 'node';

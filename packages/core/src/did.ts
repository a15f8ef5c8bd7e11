/**
 * Decentralised identifiers used as transaction signers.
 *
 * `did:key` (W3C CCG did:key method, Ed25519 variant): the DID is
 * `did:key:z` + base58btc(0xed 0x01 || 32-byte public key) and its only key id is the same
 * multibase fingerprint, so `kid = did:key:z…#z…`. The ledger's own DID method (with
 * rotation and revocation) is resolved from state by the identity module; this file only
 * knows what can be decided without state.
 */
import { base58 } from '@scure/base';
import { concatBytes, toBase64Url, utf8 } from './bytes.js';
import { sha256 } from './crypto.js';
import { GovchainError } from './errors.js';

const ED25519_MULTICODEC = new Uint8Array([0xed, 0x01]);

/** The did:key DID of a 32-byte Ed25519 public key. */
export function didKeyFromPublicKey(publicKey: Uint8Array): string {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) throw new RangeError('publicKey: expected 32 bytes');
  return `did:key:${didKeyFingerprint(publicKey)}`;
}

/** Multibase (base58btc, `z`) fingerprint of an Ed25519 key, as used in did:key. */
export function didKeyFingerprint(publicKey: Uint8Array): string {
  return 'z' + base58.encode(concatBytes(ED25519_MULTICODEC, publicKey));
}

/** The key id (`<DID>#<fingerprint>`) of a did:key. */
export function didKeyKid(publicKey: Uint8Array): string {
  const fp = didKeyFingerprint(publicKey);
  return `did:key:${fp}#${fp}`;
}

// Decoded did:key public keys: base58 decoding costs more than the rest of an envelope's
// shape checks, and the same signers come back transaction after transaction. Bounded.
const DID_KEY_CACHE_LIMIT = 100_000;
const didKeyCache = new Map<string, Uint8Array>();

/** Extract the Ed25519 public key of a did:key DID; throws `did.invalid` when it is not one. */
export function publicKeyFromDidKey(did: string): Uint8Array {
  if (typeof did !== 'string' || !did.startsWith('did:key:z')) throw new GovchainError('did.invalid', `not an Ed25519 did:key: ${String(did).slice(0, 80)}`);
  let key = didKeyCache.get(did);
  if (key === undefined) {
    key = decodeDidKey(did);
    if (didKeyCache.size >= DID_KEY_CACHE_LIMIT) didKeyCache.clear();
    didKeyCache.set(did, key);
  }
  // A copy: the cached key must not change if a caller writes into what it got.
  return key.slice();
}

function decodeDidKey(did: string): Uint8Array {
  let raw: Uint8Array;
  try {
    raw = base58.decode(did.slice('did:key:z'.length));
  } catch {
    throw new GovchainError('did.invalid', 'did:key is not valid base58btc');
  }
  if (raw.length !== 34 || raw[0] !== 0xed || raw[1] !== 0x01) throw new GovchainError('did.invalid', 'did:key is not an Ed25519 key');
  return raw.slice(2);
}

/** Split a key id `<DID>#<fragment>` into its DID and fragment; throws `did.invalid_kid`. */
export function parseKid(kid: string): { did: string; fragment: string } {
  if (typeof kid !== 'string') throw new GovchainError('did.invalid_kid', 'kid must be a string');
  const hash = kid.indexOf('#');
  if (hash <= 0 || hash === kid.length - 1 || kid.indexOf('#', hash + 1) !== -1) {
    throw new GovchainError('did.invalid_kid', `kid must be "<DID>#<key id>": ${kid.slice(0, 80)}`);
  }
  return { did: kid.slice(0, hash), fragment: kid.slice(hash + 1) };
}

/** True when `did` is syntactically a DID (W3C DID Core 1.0 s.3.1, simplified: method and id). */
export function isDid(did: unknown): did is string {
  return typeof did === 'string' && did.length <= 256 && /^did:[a-z0-9]+:[A-Za-z0-9._:%-]+$/.test(did);
}

/**
 * The ledger's own DID method, `did:gov` (docs/did-gov.md):
 * `did:gov:<chain id>:<base58btc(first 16 bytes of SHA-256("did:gov|" || chain id || "|" ||
 * base64url(inception public key)))>`. The DID is fixed by the key it was registered with,
 * so a registrant knows it before registration; its current keys live in ledger state.
 */
export function govDidFromPublicKey(chainId: string, publicKey: Uint8Array): string {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) throw new RangeError('publicKey: expected 32 bytes');
  const digest = sha256(utf8(`did:gov|${chainId}|${toBase64Url(publicKey)}`));
  return `did:gov:${chainId}:${base58.encode(digest.subarray(0, 16))}`;
}

/** True when `did` is a syntactically valid did:gov DID. */
export function isGovDid(did: unknown): did is string {
  return typeof did === 'string' && /^did:gov:[a-z0-9][a-z0-9.-]{0,63}:[1-9A-HJ-NP-Za-km-z]{16,24}$/.test(did);
}

/** The DID method name of a DID (`key`, `gov`, ...). */
export function didMethod(did: string): string {
  const end = did.indexOf(':', 4);
  return end < 0 ? '' : did.slice(4, end);
}

/**
 * Signers (the `Signer` interface of @govchain/core): who holds the key is pluggable.
 * - {@link createWebCryptoSigner}: a WebCrypto Ed25519 key, non-extractable, generated in
 *   the browser (or Node); the private key never exists as bytes in JavaScript. Keep the
 *   CryptoKeyPair in IndexedDB (structured clone keeps it non-extractable) and wrap it again
 *   with {@link webCryptoSignerFromKeyPair}.
 * - {@link createRemoteSigner}: the shape of a remote signer / HSM: a function from message
 *   bytes to signature bytes; the SDK checks the returned signature against the DID's key.
 * - {@link createHttpSigner}: an example remote signer over HTTP (`POST {kid, message}` ->
 *   `{signature}`), the form a signing service in front of an HSM usually takes.
 * - Key files (Node only) are in `@govchain/sdk/node`.
 */
import {
  GovchainError,
  createSeedSigner,
  didKeyFromPublicKey,
  didKeyKid,
  fromBase64Url,
  publicKeyFromDidKey,
  toBase64,
  verifyEd25519,
  type Signer,
} from '@govchain/core';

export { createSeedSigner, type Signer };

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (s === undefined) throw new GovchainError('signer.unavailable', 'WebCrypto (crypto.subtle) is not available in this runtime');
  return s;
}

/** Wrap an existing WebCrypto Ed25519 key pair (e.g. one loaded from IndexedDB). */
export async function webCryptoSignerFromKeyPair(pair: CryptoKeyPair): Promise<Signer & { readonly keyPair: CryptoKeyPair; readonly publicKey: Uint8Array }> {
  const publicKey = new Uint8Array(await subtle().exportKey('raw', pair.publicKey));
  if (publicKey.length !== 32) throw new GovchainError('signer.invalid_key', 'not an Ed25519 public key');
  return {
    did: didKeyFromPublicKey(publicKey),
    kid: didKeyKid(publicKey),
    publicKey,
    keyPair: pair,
    async sign(message: Uint8Array): Promise<Uint8Array> {
      return new Uint8Array(await subtle().sign({ name: 'Ed25519' }, pair.privateKey, message as Uint8Array<ArrayBuffer>));
    },
  };
}

/** Generate a non-extractable WebCrypto Ed25519 key and return a Signer over it. */
export async function createWebCryptoSigner(): Promise<Signer & { readonly keyPair: CryptoKeyPair; readonly publicKey: Uint8Array }> {
  let pair: CryptoKeyPair;
  try {
    pair = (await subtle().generateKey({ name: 'Ed25519' }, false, ['sign', 'verify'])) as CryptoKeyPair;
  } catch (e) {
    throw new GovchainError('signer.unavailable', `this runtime has no WebCrypto Ed25519: ${(e as Error).message}`, { cause: e });
  }
  return webCryptoSignerFromKeyPair(pair);
}

/** Parameters of {@link createRemoteSigner}. */
export interface RemoteSignerParameters {
  /** The DID the remote key signs as; every signature is checked against its public key. */
  did: string;
  /** The 32-byte public key (needed for ledger DIDs such as did:gov; did:key carries its own). */
  publicKey?: Uint8Array;
  /** Key id placed in the envelope (default the did:key kid). */
  kid?: string;
  /** Ask the remote party (HSM, signing service) for an Ed25519 signature over `message`. */
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/**
 * A Signer backed by a remote key. Every signature that comes back is verified against
 * the DID's public key before use, so a faulty or hostile signing service cannot slip a
 * bad envelope through (`signer.bad_signature`).
 */
export function createRemoteSigner(p: RemoteSignerParameters): Signer {
  if (p.publicKey === undefined && !p.did.startsWith('did:key:')) throw new GovchainError('signer.invalid_key', `pass the public key of ${p.did} (only did:key DIDs carry their own)`);
  const publicKey = p.publicKey ?? publicKeyFromDidKey(p.did);
  if (publicKey.length !== 32) throw new GovchainError('signer.invalid_key', 'publicKey: expected 32 bytes');
  return {
    did: p.did,
    kid: p.kid ?? (p.did.startsWith('did:key:') ? didKeyKid(publicKey) : `${p.did}#key-1`),
    async sign(message) {
      const sig = await p.sign(message);
      if (!(sig instanceof Uint8Array) || !verifyEd25519(publicKey, message, sig)) throw new GovchainError('signer.bad_signature', `the remote signer returned a signature that does not verify for ${p.did}`);
      return sig;
    },
  };
}

/** Parameters of {@link createHttpSigner}. */
export interface HttpSignerParameters {
  url: string;
  did: string;
  publicKey?: Uint8Array;
  kid?: string;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
}

/**
 * Example remote signer over HTTP: `POST url` with `{"kid", "message": <base64>}`, answer
 * `{"signature": <base64url>}`. The service is expected to authenticate the caller and
 * apply its own policy (which transaction types, which amounts) before signing.
 */
export function createHttpSigner(p: HttpSignerParameters): Signer {
  const doFetch = p.fetch ?? globalThis.fetch.bind(globalThis);
  const kid = p.kid ?? (p.did.startsWith('did:key:') ? didKeyKid(publicKeyFromDidKey(p.did)) : `${p.did}#key-1`);
  return createRemoteSigner({
    did: p.did,
    kid,
    ...(p.publicKey === undefined ? {} : { publicKey: p.publicKey }),
    async sign(message) {
      const res = await doFetch(p.url, { method: 'POST', headers: { 'content-type': 'application/json', ...p.headers }, body: JSON.stringify({ kid, message: toBase64(message) }) });
      if (!res.ok) throw new GovchainError('signer.remote_failed', `remote signer answered HTTP ${res.status}`);
      const body = (await res.json()) as { signature?: unknown };
      if (typeof body.signature !== 'string') throw new GovchainError('signer.remote_failed', 'remote signer answered without a signature');
      return fromBase64Url(body.signature);
    },
  });
}

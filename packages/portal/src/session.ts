/**
 * Sign-in and signing in the browser (docs/portal.md, "Sign-in and key storage").
 *
 * Keys: the user imports a key file (the JSON of `govchain keygen` / the demo's
 * `<data>/demo/keys/*.key`: `{type: "ed25519", did, kid, publicKey, seed}`) or creates a
 * new key. Either way the private key becomes a WebCrypto Ed25519 `CryptoKey` created
 * NON-extractable (`extractable: false`): script can sign with it but never read it back.
 * The key pair is kept in IndexedDB (`govchain` database, `keys` store); structured clone
 * keeps it non-extractable there. An imported file's seed exists in page memory only while
 * it is imported (and is checked against the file's public key first).
 *
 * Sign-in: challenge-response (`POST /v1/auth/challenge`, `/v1/auth/login`, via the SDK's
 * `signIn`) gives a 15-minute token for private reads (documents, full application views);
 * it is kept in sessionStorage and renewed with the stored key when it expires. The token
 * never authorises a write: every state change is a transaction signed here
 * ({@link signAndSubmit}) and checked by the ledger against on-chain roles.
 *
 * Roles: the signed-in DID's record (`identity did/<did>`, or `governance agency/<did>` for
 * an agency) is read with its state proof and verified in the page against the pinned
 * validator keys ({@link verifiedState}); the roles shown come from that record, not from
 * the token.
 *
 * Exports for pages: {@link listKeys}, {@link importKeyFile}, {@link createKey},
 * {@link removeKey}, {@link signInWith}, {@link signOut}, {@link currentSession},
 * {@link useSession}, {@link authedJson}, {@link signAndSubmit}, {@link verifiedState}.
 */
import { useEffect, useState } from 'preact/hooks';
import {
  GovchainError,
  canonicalJson,
  didKeyFromPublicKey,
  didKeyKid,
  fromBase64,
  fromBase64Url,
  keyPairFromSeed,
  signTx,
  toBase64,
  toBase64Url,
  type JsonValue,
  type Receipt,
  type Signer,
} from '@govchain/core';
import { buildTxBody, createLightClient, createWebCryptoSigner, signIn, type LightClient, type VerifiedState, type VerifiedTx } from '@govchain/sdk';
import { client, type Trust } from './chain.js';

/** A key kept in this browser (IndexedDB). `keyPair.privateKey` is non-extractable. */
export interface StoredKey {
  kid: string;
  did: string;
  /** Raw public key, base64url. */
  publicKey: string;
  /** A name the user recognises (the key file's name, or "new key"). */
  label: string;
  created: string;
  keyPair: CryptoKeyPair;
}

/** A DID record as the ledger holds it (identity `did/<did>` or governance `agency/<did>`). */
export interface LedgerRecord {
  did: string;
  kind: string;
  keys: Array<{ id: string; publicKey: string; added: number; revoked?: number; revokedReason?: string }>;
  name?: string;
  authorities?: string[];
  agency?: string;
  roles?: string[];
  deactivated?: number;
  created?: number;
  updated?: number;
  [k: string]: unknown;
}

/** The signed-in user. */
export interface Session {
  did: string;
  kid: string;
  /** Bearer token for private reads (15 minutes). */
  token: string;
  /** When the token expires (ms since the epoch). */
  expires: number;
  /** From the verified ledger record: `citizen`, `business`, `officer`, `agency`, or `key` (not registered). */
  kind: string;
  /** Officer roles from the verified ledger record (empty for others). */
  roles: string[];
  /** An officer's agency (from the verified record). */
  agency?: string;
  /** The verified ledger record (undefined for an unregistered did:key). */
  record?: LedgerRecord;
  /** True when the signing key is an active key of the DID in the verified record (did:key: always). */
  keyOnLedger: boolean;
  /** Log size of the checkpoint the record was verified against. */
  verifiedAt?: number;
}

// ---- IndexedDB key store ----

const DB = 'govchain';
const STORE = 'keys';

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => {
      if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE, { keyPath: 'kid' });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB unavailable'));
  });
}

async function withStore<T>(mode: IDBTransactionMode, f: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openDb();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = f(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    });
  } finally {
    db.close();
  }
}

/** The keys kept in this browser, oldest first. */
export async function listKeys(): Promise<StoredKey[]> {
  const all = await withStore<StoredKey[]>('readonly', (s) => s.getAll() as IDBRequest<StoredKey[]>);
  return all.sort((a, b) => a.created.localeCompare(b.created));
}

async function saveKey(k: StoredKey): Promise<StoredKey> {
  await withStore('readwrite', (s) => s.put(k));
  return k;
}

/** Forget a key (and sign out if it is the signed-in one). */
export async function removeKey(kid: string): Promise<void> {
  await withStore('readwrite', (s) => s.delete(kid));
  if (current?.kid === kid) signOut();
}

/** Errors of key import and sign-in, with a code the pages translate. */
export class SessionError extends GovchainError {}

/**
 * Import a key file's text: checks its shape and that the seed gives the public key it
 * names, then imports the private key into WebCrypto as non-extractable and stores it.
 * Throws SessionError `key.invalid` for anything else than a govchain Ed25519 key file.
 */
export async function importKeyFile(text: string, label: string): Promise<StoredKey> {
  let file: { type?: unknown; did?: unknown; kid?: unknown; publicKey?: unknown; seed?: unknown };
  try {
    file = JSON.parse(text) as typeof file;
  } catch {
    throw new SessionError('key.invalid', 'the file is not JSON');
  }
  if (file?.type !== 'ed25519' || typeof file.seed !== 'string' || typeof file.publicKey !== 'string') throw new SessionError('key.invalid', 'not a govchain Ed25519 key file');
  let seed: Uint8Array;
  try {
    seed = fromBase64(file.seed);
  } catch {
    throw new SessionError('key.invalid', 'the seed is not base64');
  }
  if (seed.length !== 32) throw new SessionError('key.invalid', 'the seed is not 32 bytes');
  const publicKey = keyPairFromSeed(seed).publicKey;
  if (toBase64(publicKey) !== file.publicKey) throw new SessionError('key.invalid', 'the public key does not match the seed');
  const did = typeof file.did === 'string' ? file.did : didKeyFromPublicKey(publicKey);
  const kid = typeof file.kid === 'string' ? file.kid : didKeyKid(publicKey);
  if (!kid.startsWith(`${did}#`)) throw new SessionError('key.invalid', 'the key id does not belong to the DID');
  const subtle = crypto.subtle;
  // JWK (RFC 8037 OKP) is the import format WebCrypto offers for a raw Ed25519 seed.
  const jwk: JsonWebKey = { kty: 'OKP', crv: 'Ed25519', d: toBase64Url(seed), x: toBase64Url(publicKey) };
  const privateKey = await subtle.importKey('jwk', jwk, { name: 'Ed25519' }, false, ['sign']);
  seed.fill(0);
  jwk.d = '';
  const pub = await subtle.importKey('raw', publicKey as Uint8Array<ArrayBuffer>, { name: 'Ed25519' }, true, ['verify']);
  return saveKey({ kid, did, publicKey: toBase64Url(publicKey), label, created: new Date().toISOString(), keyPair: { privateKey, publicKey: pub } });
}

/** Create a new non-extractable key (a did:key identity, not yet registered on the ledger). */
export async function createKey(label: string): Promise<StoredKey> {
  const s = await createWebCryptoSigner();
  return saveKey({ kid: s.kid, did: s.did, publicKey: toBase64Url(s.publicKey), label, created: new Date().toISOString(), keyPair: s.keyPair });
}

/** A Signer over a stored key: signs with WebCrypto, the key never leaves it. */
export function signerOf(k: StoredKey): Signer {
  return {
    did: k.did,
    kid: k.kid,
    async sign(message) {
      return new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, k.keyPair.privateKey, message as Uint8Array<ArrayBuffer>));
    },
  };
}

// ---- verified reads ----

let light: { vkeys: string; lc: Promise<LightClient> } | undefined;
let trustNow: Trust | undefined;

/** Set the validator keys verified reads are checked against (the shell does this once). */
export function setSessionTrust(trust: Trust): void {
  trustNow = trust;
}

function lightClient(trust: Trust): Promise<LightClient> {
  const id = trust.vkeys.join('\n');
  if (light === undefined || light.vkeys !== id) light = { vkeys: id, lc: createLightClient({ client, chainId: trust.chainId, trust: { quorum: trust.quorum, vkeys: trust.vkeys } }) };
  return light.lc;
}

/**
 * A state value with its proof, verified in the page against the pinned validator keys
 * (`GET /v1/state/<module>/<key>?proof=1`, the SDK light client: checkpoint quorum and
 * consistency, sparse-Merkle proof). `value` null: proven absent. Throws LightClientError.
 */
export async function verifiedState<T = JsonValue>(module: string, key: string, trust: Trust | undefined = trustNow): Promise<VerifiedState<T | null>> {
  if (trust === undefined) throw new SessionError('session.no_trust', 'the validator keys are not loaded yet');
  return (await lightClient(trust)).verified.state<T>(module, key);
}

/** A committed transaction, its receipt proven in the log under a verified checkpoint. */
export async function verifiedTx(txid: string, trust: Trust | undefined = trustNow): Promise<VerifiedTx> {
  if (trust === undefined) throw new SessionError('session.no_trust', 'the validator keys are not loaded yet');
  return (await lightClient(trust)).verified.tx(txid, { waitMs: 15_000 });
}

/** The verified ledger record of a DID: identity `did/<did>`, else governance `agency/<did>`; undefined when proven absent. */
export async function verifiedRecord(did: string): Promise<{ record: LedgerRecord | undefined; size: number }> {
  const person = await verifiedState<LedgerRecord>('identity', `did/${did}`);
  if (person.value !== null) return { record: person.value, size: person.checkpoint.size };
  const agency = await verifiedState<LedgerRecord>('governance', `agency/${did}`);
  return { record: agency.value ?? undefined, size: agency.checkpoint.size };
}

// ---- the session ----

const SESSION_KEY = 'govchain.session';
let current: Session | undefined = loadSession();
const listeners = new Set<() => void>();

function loadSession(): Session | undefined {
  try {
    const raw = sessionStorage.getItem(SESSION_KEY);
    return raw === null ? undefined : (JSON.parse(raw) as Session);
  } catch {
    return undefined;
  }
}

function setSession(s: Session | undefined): void {
  current = s;
  try {
    if (s === undefined) sessionStorage.removeItem(SESSION_KEY);
    else sessionStorage.setItem(SESSION_KEY, JSON.stringify(s));
  } catch {
    // storage disabled: the session lasts this page
  }
  for (const l of listeners) l();
}

/** The signed-in user, if any. */
export function currentSession(): Session | undefined {
  return current;
}

/** The signed-in user, re-rendering the component on sign-in and sign-out. */
export function useSession(): Session | undefined {
  const [, setTick] = useState(0);
  useEffect(() => {
    const l = (): void => setTick((n) => n + 1);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return current;
}

async function storedKey(kid: string): Promise<StoredKey> {
  const k = (await listKeys()).find((x) => x.kid === kid);
  if (k === undefined) throw new SessionError('session.no_key', `no key ${kid} in this browser`);
  return k;
}

/**
 * Sign in with a stored key: challenge-response for a token, then the DID's ledger record
 * verified with its state proof (roles, agency, whether this key is one of its active keys).
 */
export async function signInWith(kid: string): Promise<Session> {
  const k = await storedKey(kid);
  const s = await signIn(client, signerOf(k));
  const { record, size } = await verifiedRecord(k.did);
  const fragment = k.kid.slice(k.did.length + 1);
  const keyOnLedger = k.did.startsWith('did:key:') || (record?.keys.some((x) => x.id === fragment && x.publicKey === k.publicKey && x.revoked === undefined) ?? false);
  const session: Session = {
    did: k.did,
    kid: k.kid,
    token: s.token,
    expires: Date.now() + s.expiresIn * 1000 - 30_000,
    kind: record?.kind ?? 'key',
    roles: record?.roles ?? [],
    ...(record?.agency === undefined ? {} : { agency: record.agency }),
    ...(record === undefined ? {} : { record }),
    keyOnLedger,
    verifiedAt: size,
  };
  setSession(session);
  return session;
}

/** Sign out (the key stays in the browser until removed). */
export function signOut(): void {
  setSession(undefined);
}

function requireSession(): Session {
  if (current === undefined) throw new SessionError('session.signed_out', 'sign in first');
  return current;
}

/** A bearer token that is still valid, renewed with the stored key when it expired. */
export async function freshToken(): Promise<string> {
  const s = requireSession();
  if (Date.now() < s.expires) return s.token;
  return (await signInWith(s.kid)).token;
}

/**
 * `fetch` a JSON API route with the session's bearer token (`GET` unless `body` is given,
 * then `POST`). Answers >= 400 throw a SessionError with the problem body's code and detail.
 */
export async function authedJson<T>(path: string, body?: unknown): Promise<T> {
  const send = async (token: string): Promise<Response> =>
    fetch(path, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { accept: 'application/json', authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  let res = await send(await freshToken());
  if (res.status === 401) res = await send((await signInWith(requireSession().kid)).token);
  const json = (await res.json().catch(() => ({}))) as T & { code?: string; detail?: string };
  if (!res.ok) throw new SessionError(json.code ?? `http.${res.status}`, json.detail ?? `HTTP ${res.status} from ${path}`);
  return json;
}

/** Store a document encrypted off-ledger (`POST /v1/documents`); its SHA-256 digest. */
export async function uploadDocument(bytes: Uint8Array, mediaType: string, application?: string): Promise<{ digest: string }> {
  return authedJson<{ digest: string }>('/v1/documents', { content: toBase64(bytes), mediaType: mediaType || 'application/octet-stream', ...(application === undefined ? {} : { application }) });
}

/** The result of {@link signAndSubmit}: the receipt, proven in the log under a verified checkpoint. */
export interface SubmittedTx {
  txid: string;
  receipt: Receipt;
  /** Log size of the verified checkpoint the receipt was proven against. */
  provenAt: number;
}

/**
 * Build a transaction for the signed-in DID, sign it in the browser with the stored
 * non-extractable key, submit it (`POST /v1/txs?wait=commit`), and prove its receipt in
 * the log (inclusion proof under a checkpoint with a quorum of the pinned keys). Throws a
 * SessionError with the receipt's code when the ledger refused it (e.g. `auth.missing_role`).
 */
export async function signAndSubmit(type: string, payload: { [k: string]: JsonValue }, opts: { signer?: Signer } = {}): Promise<SubmittedTx> {
  const signer = opts.signer ?? signerOf(await storedKey(requireSession().kid));
  const chain = trustNow?.chainId ?? (await client.status()).chainId;
  const body = buildTxBody({ chain, type, signer: signer.did, payload, expires: new Date(Date.now() + 10 * 60_000) });
  const envelope = await signTx(body, [signer]);
  const r = await client.submit(envelope, { wait: 'commit', timeoutMs: 30_000 });
  if (r.receipt === undefined) throw new SessionError('tx.commit_timeout', `transaction ${r.txid} did not commit in time; it may still commit`);
  if (r.receipt.status !== 'ok') throw new SessionError(r.receipt.code ?? 'tx.failed', `the ledger refused ${type}: ${r.receipt.code ?? 'failed'}`);
  const proven = await verifiedTx(r.txid);
  if (canonicalJson(proven.receipt) !== canonicalJson(r.receipt)) throw new SessionError('light.value_mismatch', 'the proven receipt differs from the one the node answered');
  return { txid: r.txid, receipt: proven.receipt, provenAt: proven.checkpoint.size };
}

/** The signing function of the signed-in key, for SDK helpers that take `sign(message)` (e.g. credential issuance). */
export async function sessionSigner(): Promise<Signer> {
  return signerOf(await storedKey(requireSession().kid));
}

/** Decode a base64url public key of a ledger record (for display). */
export function publicKeyBytes(b64url: string): Uint8Array {
  return fromBase64Url(b64url);
}

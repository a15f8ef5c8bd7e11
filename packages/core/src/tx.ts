/**
 * Transactions (CONTRACT.md s.2): the body, the signed envelope, the txid, and the
 * stateless checks every node applies before a transaction is ordered.
 */
import { fromBase64Url, toBase64Url, toHex, utf8 } from './bytes.js';
import { sha256, signEd25519, verifyEd25519 } from './crypto.js';
import { isDid, parseKid, publicKeyFromDidKey } from './did.js';
import { GovchainError } from './errors.js';
import { canonicalBytes, canonicalJson, type JsonValue } from './jcs.js';

/** The signed part of a transaction. */
export interface TxBody {
  chain: string;
  type: string;
  signer: string;
  nonce: string;
  payload: { [key: string]: JsonValue };
  expires?: string;
}

/** One signature over JCS(body). */
export interface TxSignature {
  kid: string;
  sig: string;
}

/** A body with its signatures, as submitted to `POST /v1/txs`. */
export interface TxEnvelope {
  body: TxBody;
  signatures: TxSignature[];
}

/** Limits applied to every transaction before ordering. */
export const TX_LIMITS = {
  /** Largest canonical body, in bytes. */
  maxBodyBytes: 64 * 1024,
  maxSignatures: 8,
  maxNonceLength: 128,
  maxTypeLength: 64,
} as const;

const BODY_MEMBERS: ReadonlySet<string> = new Set(['chain', 'type', 'signer', 'nonce', 'payload', 'expires']);
const TYPE_PATTERN = /^[a-z][a-z0-9_]{0,31}\.[a-z][a-z0-9_]{0,31}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** txid = lowercase hex SHA-256 of JCS(body). */
export function computeTxid(body: TxBody): string {
  return toHex(sha256(canonicalBytes(body)));
}

/** Split `module.action` into its parts. */
export function splitTxType(type: string): { module: string; action: string } {
  const dot = type.indexOf('.');
  return { module: type.slice(0, dot), action: type.slice(dot + 1) };
}

function fail(code: string, field: string, message: string): never {
  throw new GovchainError(code, message, { field });
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Check the shape of an envelope (types, lengths, allowed keys) and return it typed.
 * Throws `tx.malformed` naming the field (a JSON Pointer) on the first problem.
 */
export function parseEnvelope(value: unknown): TxEnvelope {
  if (!isPlainObject(value)) fail('tx.malformed', '', 'envelope must be a JSON object');
  for (const k of Object.keys(value)) if (k !== 'body' && k !== 'signatures') fail('tx.malformed', `/${k}`, `unknown envelope field "${k}"`);
  const body = value.body;
  if (!isPlainObject(body)) fail('tx.malformed', '/body', 'body must be an object');
  for (const k of Object.keys(body)) if (!BODY_MEMBERS.has(k)) fail('tx.malformed', `/body/${k}`, `unknown body field "${k}"`);
  if (typeof body.chain !== 'string' || body.chain.length === 0 || body.chain.length > 64) fail('tx.malformed', '/body/chain', 'chain must be a non-empty string');
  if (typeof body.type !== 'string' || !TYPE_PATTERN.test(body.type)) fail('tx.malformed', '/body/type', 'type must look like "<module>.<action>"');
  if (!isDid(body.signer)) fail('tx.malformed', '/body/signer', 'signer must be a DID');
  if (typeof body.nonce !== 'string' || body.nonce.length === 0 || body.nonce.length > TX_LIMITS.maxNonceLength) fail('tx.malformed', '/body/nonce', `nonce must be a string of 1-${TX_LIMITS.maxNonceLength} characters`);
  if (!isPlainObject(body.payload)) fail('tx.malformed', '/body/payload', 'payload must be an object');
  if (body.expires !== undefined && (typeof body.expires !== 'string' || !RFC3339.test(body.expires) || Number.isNaN(Date.parse(body.expires)))) {
    fail('tx.malformed', '/body/expires', 'expires must be an RFC 3339 time');
  }
  const sigs = value.signatures;
  if (!Array.isArray(sigs) || sigs.length === 0 || sigs.length > TX_LIMITS.maxSignatures) fail('tx.malformed', '/signatures', `signatures must be an array of 1-${TX_LIMITS.maxSignatures} items`);
  sigs.forEach((s, i) => {
    if (!isPlainObject(s) || typeof s.kid !== 'string' || typeof s.sig !== 'string' || Object.keys(s).length !== 2) {
      fail('tx.malformed', `/signatures/${i}`, 'each signature must be {"kid", "sig"}');
    }
  });
  return value as unknown as TxEnvelope;
}

/**
 * Resolves a key id to a 32-byte Ed25519 public key, or throws a GovchainError. May return
 * `null` to defer: the signature is then left unverified here and must be verified where
 * the ledger state it depends on is known (block execution, for ledger DIDs).
 */
export type KeyResolver = (kid: string, did: string) => Uint8Array | null;

/** Resolver for `did:key` key ids only (no ledger state needed). */
export const resolveDidKey: KeyResolver = (kid, did) => {
  if (!did.startsWith('did:key:')) throw new GovchainError('tx.unknown_key', `${did} cannot be resolved here (only did:key is known without ledger state)`);
  const pub = publicKeyFromDidKey(did);
  if (kid !== `${did}#${did.slice('did:key:'.length)}`) throw new GovchainError('tx.unknown_key', `${kid} is not the key of ${did}`);
  return pub;
};

/** What `checkEnvelope` learned about a valid envelope. */
export interface CheckedEnvelope {
  envelope: TxEnvelope;
  txid: string;
  /** JCS(body), the signed message. */
  bodyBytes: Uint8Array;
  /** JCS(envelope): the text that is stored and ordered. */
  canonical: string;
  /** DIDs whose signatures verified (or were deferred), in envelope order. */
  signers: string[];
  /** Per signature: the public key it verified under, or null when deferred by the resolver. */
  keys: Array<Uint8Array | null>;
}

/** Options for {@link checkEnvelope}. */
export interface CheckEnvelopeOptions {
  chainId: string;
  /** Current time in ms since the epoch, for `expires`. */
  now: number;
  resolveKey?: KeyResolver;
  /** Skip signature verification (when already verified elsewhere). */
  skipSignatures?: boolean;
  /** Extra check of the body (e.g. payload schema), run before the costly signature checks. */
  validateBody?: (body: TxBody) => void;
}

/**
 * The stateless checks of CONTRACT.md s.2, in order: shape, chain, expiry, size,
 * signatures (each over JCS(body); the body's signer must have signed). Throws a
 * GovchainError (`tx.malformed`, `tx.wrong_chain`, `tx.expired`, `tx.too_large`,
 * `tx.bad_signature`, `tx.signer_missing`) on the first failure.
 */
export function checkEnvelope(value: unknown, opts: CheckEnvelopeOptions): CheckedEnvelope {
  const envelope = parseEnvelope(value);
  const body = envelope.body;
  if (body.chain !== opts.chainId) fail('tx.wrong_chain', '/body/chain', `transaction is for chain "${body.chain}", this is "${opts.chainId}"`);
  if (body.expires !== undefined && Date.parse(body.expires) <= opts.now) fail('tx.expired', '/body/expires', `transaction expired at ${body.expires}`);
  const bodyText = canonicalJson(body);
  const bodyBytes = utf8(bodyText);
  if (bodyBytes.length > TX_LIMITS.maxBodyBytes) fail('tx.too_large', '/body', `body is ${bodyBytes.length} bytes, limit ${TX_LIMITS.maxBodyBytes}`);
  opts.validateBody?.(body);
  const txid = toHex(sha256(bodyBytes));
  const signers: string[] = [];
  const keys: Array<Uint8Array | null> = [];
  const resolve = opts.resolveKey ?? resolveDidKey;
  envelope.signatures.forEach((s, i) => {
    let did: string;
    try {
      did = parseKid(s.kid).did;
    } catch (e) {
      fail('tx.malformed', `/signatures/${i}/kid`, (e as Error).message);
    }
    if (signers.includes(did)) fail('tx.malformed', `/signatures/${i}/kid`, `${did} signed twice`);
    if (!opts.skipSignatures) {
      let sig: Uint8Array;
      try {
        sig = fromBase64Url(s.sig);
      } catch {
        fail('tx.bad_signature', `/signatures/${i}/sig`, 'sig must be base64url without padding');
      }
      let pub: Uint8Array | null;
      try {
        pub = resolve(s.kid, did);
      } catch (e) {
        throw new GovchainError((e as GovchainError).code ?? 'tx.unknown_key', `signature ${i}: ${(e as Error).message}`, { field: `/signatures/${i}/kid` });
      }
      if (pub !== null && !verifyEd25519(pub, bodyBytes, sig)) fail('tx.bad_signature', `/signatures/${i}/sig`, `signature ${i} by ${s.kid} does not verify`);
      keys.push(pub);
    } else keys.push(null);
    signers.push(did);
  });
  if (!signers.includes(body.signer)) fail('tx.signer_missing', '/signatures', `the signer ${body.signer} has not signed`);
  // JCS(envelope) from JCS(body): the envelope has exactly these two members, in this order.
  const canonical = `{"body":${bodyText},"signatures":${canonicalJson(envelope.signatures)}}`;
  return { envelope, txid, bodyBytes, canonical, signers, keys };
}

/** Something that can sign a transaction body: a key file, a WebCrypto key, an HSM. */
export interface Signer {
  /** The signer's DID. */
  readonly did: string;
  /** The key id placed in the envelope. */
  readonly kid: string;
  /** Ed25519 signature over `message`. */
  sign(message: Uint8Array): Promise<Uint8Array> | Uint8Array;
}

/** A Signer over a raw 32-byte Ed25519 seed held in memory. */
export function createSeedSigner(seed: Uint8Array, did: string, kid: string): Signer {
  return { did, kid, sign: (message) => signEd25519(seed, message) };
}

/** Sign `body` with each signer and return the envelope. */
export async function signTx(body: TxBody, signers: readonly Signer[]): Promise<TxEnvelope> {
  const bytes = canonicalBytes(body);
  const signatures: TxSignature[] = [];
  for (const s of signers) signatures.push({ kid: s.kid, sig: toBase64Url(await s.sign(bytes)) });
  return { body, signatures };
}

/** Synchronous signing for seed signers (hot paths, benchmarks, tests). */
export function signTxSync(body: TxBody, keys: ReadonlyArray<{ seed: Uint8Array; kid: string }>): TxEnvelope {
  const bytes = canonicalBytes(body);
  return { body, signatures: keys.map((k) => ({ kid: k.kid, sig: toBase64Url(signEd25519(k.seed, bytes)) })) };
}

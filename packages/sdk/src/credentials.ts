/**
 * Verifiable credentials as IETF SD-JWT VC (draft-ietf-oauth-sd-jwt-vc, on RFC 9901
 * SD-JWT), built with the OpenWallet Foundation `@sd-jwt/*` libraries: issued off-ledger
 * by an agency with its did:gov key (EdDSA), with selectively disclosable claims. The
 * ledger records only the digest of the issuer-signed JWT and a status-list entry
 * (`services` state `credential/<digest>`, `statuslist/<issuer>/<list>`); see
 * docs/services.md. Verification checks the signature against the issuer's key on the
 * ledger, that the issuer is an active agency with the `services` authority, and the
 * credential's status, either online (the node's certified state) or offline (a trust
 * snapshot of state proofs against a quorum-signed checkpoint). Browser-safe; a separate
 * entry (`@govchain/sdk/credentials`) so that the main SDK bundle does not carry the SD-JWT
 * libraries.
 */
import { SDJwtVcInstance, type SdJwtVcPayload } from '@sd-jwt/sd-jwt-vc';
import {
  GovchainError,
  fromBase64,
  fromBase64Url,
  randomBytes,
  sha256,
  signEd25519,
  smtProofFromJson,
  stateMapKey,
  stateValueHash,
  toBase64Url,
  toHex,
  utf8,
  verifyCheckpointNote,
  verifyEd25519,
  verifySmtProof,
  type JsonValue,
} from '@govchain/core';

/** The prefix of a credential QR code payload (version 1): `GCVC1:` + the SD-JWT presentation. */
export const CREDENTIAL_QR_PREFIX = 'GCVC1:';

/** The claim that points at the credential's status-list entry on the ledger. */
export interface LedgerStatusClaim {
  /** `services` state key of the status list: `statuslist/<issuer>/<list>`. */
  list: string;
  idx: number;
}

/** Parameters of {@link issueCredential}. */
export interface IssueCredentialParameters {
  /**
   * The agency's key: its seed, or a `sign` function (a non-extractable WebCrypto key in a
   * browser, an HSM) returning the Ed25519 signature of the bytes it is given.
   */
  issuer: { did: string; kid: string; seed: Uint8Array } | { did: string; kid: string; sign(message: Uint8Array): Promise<Uint8Array> | Uint8Array };
  vct: string;
  /** The holder's DID (`sub`). */
  subject: string;
  /** Claims; those named in `disclosable` can be disclosed one by one. */
  claims: Record<string, JsonValue>;
  disclosable: string[];
  status: { list: string; idx: number };
  /** Issuance time (seconds since the epoch); default now. */
  iat?: number;
  /** The application the credential was issued for. */
  application?: string;
}

const hasher = (data: string | ArrayBuffer): Uint8Array => sha256(typeof data === 'string' ? utf8(data) : new Uint8Array(data));
const saltGenerator = (length: number): string => toBase64Url(randomBytes(length));

/** The ledger digest of a credential: hex SHA-256 of its issuer-signed JWT (the same in every presentation). */
export function credentialDigest(sdJwt: string): string {
  const jwt = sdJwt.split('~')[0]!;
  return toHex(sha256(utf8(jwt)));
}

/** Issue an SD-JWT VC signed with the agency's did:gov key. Returns the SD-JWT (for the holder) and its ledger digest. */
export async function issueCredential(p: IssueCredentialParameters): Promise<{ sdJwt: string; digest: string }> {
  const sd = new SDJwtVcInstance({
    hasher,
    hashAlg: 'sha-256',
    saltGenerator,
    signAlg: 'EdDSA',
    signer: async (data: string) => {
      const issuer = p.issuer;
      return toBase64Url('seed' in issuer ? signEd25519(issuer.seed, utf8(data)) : await issuer.sign(utf8(data)));
    },
  });
  const payload: SdJwtVcPayload = {
    ...p.claims,
    iss: p.issuer.did,
    sub: p.subject,
    vct: p.vct,
    iat: p.iat ?? Math.floor(Date.now() / 1000),
    ledger_status: { list: `statuslist/${p.issuer.did}/${p.status.list}`, idx: p.status.idx },
    ...(p.application === undefined ? {} : { application: p.application }),
  };
  const sdJwt = await sd.issue(payload, { _sd: p.disclosable } as never, { header: { kid: p.issuer.kid, typ: 'dc+sd-jwt' } });
  return { sdJwt, digest: credentialDigest(sdJwt) };
}

/** A presentation disclosing only the named claims (the holder's choice). */
export async function presentCredential(sdJwt: string, disclose: string[]): Promise<string> {
  const sd = new SDJwtVcInstance({ hasher, hashAlg: 'sha-256' });
  return sd.present(sdJwt, Object.fromEntries(disclose.map((k) => [k, true])) as never);
}

/** The text a QR code carries for a presentation. */
export function encodeCredentialQr(presentation: string): string {
  return CREDENTIAL_QR_PREFIX + presentation;
}

/** The presentation in a QR payload (or the presentation itself); `vc.malformed` otherwise. */
export function decodeCredentialQr(payload: string): string {
  const text = payload.trim();
  const p = text.startsWith(CREDENTIAL_QR_PREFIX) ? text.slice(CREDENTIAL_QR_PREFIX.length) : text;
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+~/.test(p)) throw new GovchainError('vc.malformed', 'not an SD-JWT presentation (or a GCVC1: QR payload)');
  return p;
}

/** What verification reads from the ledger (certified state), through any source. */
export interface CredentialTrustSource {
  /** The issuer's DID record (governance `agency/<did>`), or undefined. */
  agency(did: string): AgencyView | undefined;
  /** A status list record (services `statuslist/<issuer>/<list>`), or undefined. */
  statusList(key: string): { issuer: string; size: number; bits: string } | undefined;
  /** The credential record (services `credential/<digest>`), or undefined. Offline sources may not know it. */
  credential?(digest: string): { issuer: string; height: number } | undefined | null;
}

/** The parts of an agency's DID record verification uses. */
export interface AgencyView {
  did: string;
  kind: string;
  name?: string;
  authorities?: string[];
  deactivated?: number;
  keys: Array<{ id: string; publicKey: string; revoked?: number; revokedReason?: string }>;
}

/** The result of a verification. */
export interface CredentialVerification {
  valid: boolean;
  /** Why not, as an error code (`vc.*`) and a sentence. */
  code?: string;
  reason?: string;
  issuer?: string;
  issuerName?: string;
  vct?: string;
  subject?: string;
  status?: 'valid' | 'revoked' | 'suspended';
  /** The claims the holder disclosed (plus the always-visible ones). */
  claims?: Record<string, unknown>;
  digest?: string;
}

function decodeJwtHeader(jwt: string): { kid?: string; alg?: string } {
  try {
    return JSON.parse(new TextDecoder().decode(fromBase64Url(jwt.split('.')[0]!))) as { kid?: string; alg?: string };
  } catch {
    throw new GovchainError('vc.malformed', 'the credential header does not decode');
  }
}

function statusOf(bits: string, size: number, idx: number): 'valid' | 'revoked' | 'suspended' {
  if (!Number.isInteger(idx) || idx < 0 || idx >= size) throw new GovchainError('vc.malformed', 'status index out of range');
  const v = (fromBase64(bits)[idx >> 2]! >> ((idx & 3) * 2)) & 3;
  return v === 0 ? 'valid' : v === 2 ? 'suspended' : 'revoked';
}

/**
 * Verify a presentation (or QR payload) against ledger state: the issuer is an active
 * agency holding the `services` authority; the JWT is signed by one of its keys (active,
 * or rotated away only after the credential was recorded); the disclosures match their
 * digests; the status-list entry is `valid`. Never throws for an invalid credential:
 * the result says why.
 */
export async function verifyCredential(payload: string, trust: CredentialTrustSource): Promise<CredentialVerification> {
  const fail = (code: string, reason: string, extra: Partial<CredentialVerification> = {}): CredentialVerification => ({ valid: false, code, reason, ...extra });
  let presentation: string;
  try {
    presentation = decodeCredentialQr(payload);
  } catch (e) {
    return fail('vc.malformed', (e as Error).message);
  }
  const jwt = presentation.split('~')[0]!;
  let header: { kid?: string; alg?: string };
  let unverified: Record<string, unknown>;
  try {
    header = decodeJwtHeader(jwt);
    unverified = JSON.parse(new TextDecoder().decode(fromBase64Url(jwt.split('.')[1]!))) as Record<string, unknown>;
  } catch {
    return fail('vc.malformed', 'the credential does not decode');
  }
  const iss = String(unverified.iss ?? '');
  const digest = credentialDigest(presentation);
  const agency = trust.agency(iss);
  if (agency === undefined || agency.kind !== 'agency') return fail('vc.untrusted_issuer', `issuer ${iss} is not an agency on this ledger`, { digest });
  if (agency.deactivated !== undefined) return fail('vc.untrusted_issuer', `issuer ${agency.name ?? iss} was deactivated`, { digest, issuer: iss });
  if (!(agency.authorities ?? []).includes('services')) return fail('vc.untrusted_issuer', `issuer ${agency.name ?? iss} does not hold the services authority`, { digest, issuer: iss });
  if (header.alg !== 'EdDSA' || typeof header.kid !== 'string' || !header.kid.startsWith(`${iss}#`)) return fail('vc.bad_signature', 'the credential must be signed EdDSA with a key of its issuer (kid)', { digest, issuer: iss });
  const record = trust.credential?.(digest);
  if (record === null) return fail('vc.unknown_credential', 'the ledger has no record of this credential', { digest, issuer: iss });
  const key = agency.keys.find((k) => k.id === header.kid!.slice(iss.length + 1));
  const usable = key !== undefined && (key.revoked === undefined || (key.revokedReason === 'rotated' && record !== undefined && key.revoked > record.height));
  if (!usable) return fail('vc.bad_signature', `key ${header.kid} is not a valid key of the issuer`, { digest, issuer: iss });
  const publicKey = fromBase64Url(key.publicKey);
  const sd = new SDJwtVcInstance({
    hasher,
    hashAlg: 'sha-256',
    verifier: (data: string, sig: string) => verifyEd25519(publicKey, utf8(data), fromBase64Url(sig)),
  });
  let claims: Record<string, unknown>;
  try {
    claims = (await sd.verify(presentation)).payload as Record<string, unknown>;
  } catch (e) {
    return fail('vc.bad_signature', `SD-JWT verification failed: ${(e as Error).message}`, { digest, issuer: iss });
  }
  const st = claims.ledger_status as LedgerStatusClaim | undefined;
  if (st === undefined || typeof st.list !== 'string' || !st.list.startsWith(`statuslist/${iss}/`)) return fail('vc.malformed', 'the credential has no ledger status entry of its issuer', { digest, issuer: iss });
  const list = trust.statusList(st.list);
  if (list === undefined || list.issuer !== iss) return fail('vc.unknown_credential', `status list ${st.list} is not on the ledger`, { digest, issuer: iss });
  let status: 'valid' | 'revoked' | 'suspended';
  try {
    status = statusOf(list.bits, list.size, st.idx);
  } catch (e) {
    return fail('vc.malformed', (e as Error).message, { digest, issuer: iss });
  }
  const base = { issuer: iss, issuerName: agency.name ?? iss, vct: String(claims.vct), subject: String(claims.sub ?? ''), status, claims, digest } as const;
  if (status !== 'valid') return { ...base, valid: false, code: `vc.${status}`, reason: `the issuer has ${status === 'revoked' ? 'revoked' : 'suspended'} this credential` };
  return { ...base, valid: true };
}

/** A trust snapshot: ledger state entries with their proofs against one certified checkpoint. */
export interface CredentialTrustSnapshot {
  format: 'govchain-vc-trust';
  version: 1;
  chainId: string;
  checkpoint: string;
  validators: { quorum: number; vkeys: string[] };
  entries: Array<{ module: string; key: string; value: JsonValue | null; proof: unknown }>;
}

/**
 * A trust source from a snapshot, for offline verification: the checkpoint must carry a
 * quorum of `trusted` validator keys (default: the snapshot's own, which only proves
 * internal consistency), and every entry must be proven against its state root.
 * Throws `vc.bad_snapshot` otherwise.
 */
export function trustFromSnapshot(snapshot: CredentialTrustSnapshot, trusted?: { quorum: number; vkeys: string[] }): CredentialTrustSource & { checkpointTime: string; trust: 'trusted-keys' | 'snapshot-keys' } {
  if (snapshot?.format !== 'govchain-vc-trust' || snapshot.version !== 1) throw new GovchainError('vc.bad_snapshot', 'not a govchain-vc-trust snapshot (version 1)');
  const v = trusted ?? snapshot.validators;
  let cp;
  try {
    cp = verifyCheckpointNote(snapshot.checkpoint, v.vkeys, v.quorum).checkpoint;
  } catch (e) {
    throw new GovchainError('vc.bad_snapshot', `snapshot checkpoint: ${(e as Error).message}`);
  }
  const values = new Map<string, JsonValue | null>();
  for (const e of snapshot.entries) {
    const ok = verifySmtProof(cp.stateRoot, stateMapKey(e.module, e.key), e.value === null ? null : stateValueHash(e.value), smtProofFromJson(e.proof));
    if (!ok) throw new GovchainError('vc.bad_snapshot', `state proof of ${e.module}/${e.key} does not verify against the checkpoint`);
    values.set(`${e.module}/${e.key}`, e.value);
  }
  const get = (m: string, k: string): JsonValue | undefined => values.get(`${m}/${k}`) ?? undefined;
  return {
    checkpointTime: cp.time,
    trust: trusted === undefined ? 'snapshot-keys' : 'trusted-keys',
    agency: (did) => get('governance', `agency/${did}`) as AgencyView | undefined,
    statusList: (key) => get('services', key) as { issuer: string; size: number; bits: string } | undefined,
  };
}

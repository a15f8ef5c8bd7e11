/**
 * Identity records in state, shared by the identity and governance modules:
 * DID records with their key history, the role catalogue, and the checks every module's
 * authorisation hook uses (`requireRole`, `requireAgency`). Pure functions over a state
 * reader; no I/O.
 */
import { GovchainError, fromBase64Url, govDidFromPublicKey, isGovDid, parseKid, type JsonValue, type StateReader, type TxContext } from '@govchain/core';

/** Kinds of ledger identities. */
export type IdentityKind = 'agency' | 'officer' | 'citizen' | 'business';

/** One key of a DID, with its history. */
export interface KeyRecord {
  /** Fragment of the key id: `key-<n>`. */
  id: string;
  /** Ed25519 public key, base64url. */
  publicKey: string;
  /** Height of the block that added it. */
  added: number;
  /** Height of the block that revoked it; signatures checked at or after it fail. */
  revoked?: number;
  /** Why: `rotated`, `revoked`, `recovered`. */
  revokedReason?: string;
}

/** A DID record (identity module state `did/<did>`, or governance state `agency/<did>`). */
export interface DidRecord {
  did: string;
  kind: IdentityKind;
  keys: KeyRecord[];
  created: number;
  updated: number;
  /** Height at which the identity was deactivated. */
  deactivated?: number;
  /** Agencies: public name and the areas they act in. */
  name?: string;
  authorities?: string[];
  /** Officers: their agency and roles in it. */
  agency?: string;
  roles?: string[];
  /** Citizens and businesses: who registered them, and salted commitments (docs/did-gov.md). */
  registeredBy?: string;
  commitments?: { [attribute: string]: string };
}

/**
 * The role catalogue: each authority (an area an agency is empowered to act in, granted
 * by governance) and the officer roles an agency with it may grant.
 */
export const ROLES_BY_AUTHORITY: Readonly<Record<string, readonly string[]>> = {
  identity: ['identity_officer'],
  land: ['land_registrar'],
  tax: ['tax_officer'],
  procurement: ['procurement_officer'],
  health: ['health_provider'],
  payments: ['treasury_officer'],
  audit: ['auditor'],
  services: ['service_officer'],
};

/** Every authority name. */
export const AUTHORITIES: readonly string[] = Object.keys(ROLES_BY_AUTHORITY);
/** Every role name. */
export const ROLES: readonly string[] = Object.values(ROLES_BY_AUTHORITY).flat();

/** The authority a role belongs to. */
export function authorityOfRole(role: string): string | undefined {
  return AUTHORITIES.find((a) => ROLES_BY_AUTHORITY[a]!.includes(role));
}

/** Where a DID's record lives: agencies in governance state, everyone else in identity state. */
export function readDidRecord(state: StateReader, did: string): DidRecord | undefined {
  return (state.get('identity', `did/${did}`) ?? state.get('governance', `agency/${did}`)) as DidRecord | undefined;
}

/** A fresh key record. */
export function newKey(keys: readonly KeyRecord[], publicKey: string, height: number): KeyRecord {
  return { id: `key-${keys.length + 1}`, publicKey, added: height };
}

/** Decode a base64url Ed25519 public key, or fail with `identity.invalid_key`. */
export function decodePublicKey(publicKey: string, field = '/body/payload/publicKey'): Uint8Array {
  let raw: Uint8Array;
  try {
    raw = fromBase64Url(publicKey);
  } catch {
    throw new GovchainError('identity.invalid_key', 'publicKey must be base64url', { field });
  }
  if (raw.length !== 32) throw new GovchainError('identity.invalid_key', 'publicKey must be a 32-byte Ed25519 key', { field });
  return raw;
}

/** The DID a key registers: did:gov derived from its inception key. */
export function didForKey(chainId: string, publicKey: string): string {
  return govDidFromPublicKey(chainId, decodePublicKey(publicKey));
}

/** True when no registered identity already uses this public key (keys are never shared). */
export function activeKeys(record: DidRecord): KeyRecord[] {
  return record.keys.filter((k) => k.revoked === undefined);
}

/**
 * Resolve a did:gov key id against state: the key must exist and not be revoked, and the
 * identity must not be deactivated. This is what decides, at each block, whether a
 * signature counts.
 */
export function resolveGovKey(state: StateReader, kid: string, did: string): Uint8Array {
  if (!isGovDid(did)) throw new GovchainError('did.invalid', `not a did:gov DID: ${String(did).slice(0, 80)}`);
  const record = readDidRecord(state, did);
  if (record === undefined) throw new GovchainError('tx.unknown_key', `${did} is not registered on this ledger`);
  if (record.deactivated !== undefined) throw new GovchainError('identity.deactivated', `${did} was deactivated at height ${record.deactivated}`);
  const { fragment } = parseKid(kid);
  const key = record.keys.find((k) => k.id === fragment);
  if (key === undefined) throw new GovchainError('tx.unknown_key', `${kid} is not a key of ${did}`);
  if (key.revoked !== undefined) throw new GovchainError('identity.key_revoked', `${kid} was revoked at height ${key.revoked} (${key.revokedReason ?? 'revoked'})`);
  return fromBase64Url(key.publicKey);
}

/** The active record of `did`, or a GovchainError with `code`. */
export function requireActive(state: StateReader, did: string, kind: IdentityKind | IdentityKind[], code: string, what: string): DidRecord {
  const r = readDidRecord(state, did);
  const kinds = Array.isArray(kind) ? kind : [kind];
  if (r === undefined || !kinds.includes(r.kind) || r.deactivated !== undefined) throw new GovchainError(code, `${did} is not ${what}`);
  return r;
}

function reader(ctx: TxContext): StateReader {
  return { get: (m, k) => ctx.read(m, k) };
}

/** The signer must be an active agency holding `authority`. Returns its record. */
export function requireAgency(ctx: TxContext, authority?: string): DidRecord {
  const agency = requireActive(reader(ctx), ctx.signer, 'agency', 'auth.not_agency', 'an active agency');
  if (authority !== undefined && !(agency.authorities ?? []).includes(authority)) {
    throw new GovchainError('auth.no_authority', `agency ${agency.name ?? agency.did} has no "${authority}" authority`);
  }
  return agency;
}

/**
 * The signer must be an active officer holding `role` (one of them, when several), in an
 * active agency that still holds the role's authority. Returns the officer and agency.
 */
export function requireRole(ctx: TxContext, role: string | readonly string[]): { officer: DidRecord; agency: DidRecord; role: string } {
  const wanted = typeof role === 'string' ? [role] : role;
  const state = reader(ctx);
  const officer = readDidRecord(state, ctx.signer);
  if (officer === undefined || officer.kind !== 'officer' || officer.deactivated !== undefined) {
    throw new GovchainError('auth.not_officer', `${ctx.signer} is not an active officer; this needs the role ${wanted.join(' or ')}`);
  }
  const held = wanted.find((r) => (officer.roles ?? []).includes(r));
  if (held === undefined) throw new GovchainError('auth.missing_role', `officer ${ctx.signer} does not hold the role ${wanted.join(' or ')}`);
  const agency = readDidRecord(state, officer.agency ?? '');
  if (agency === undefined || agency.kind !== 'agency' || agency.deactivated !== undefined) {
    throw new GovchainError('auth.agency_inactive', `the agency of officer ${ctx.signer} is not active`);
  }
  if (!(agency.authorities ?? []).includes(authorityOfRole(held)!)) {
    throw new GovchainError('auth.no_authority', `agency ${agency.name ?? agency.did} no longer holds the authority for ${held}`);
  }
  return { officer, agency, role: held };
}

/** The signer must be a registered, active citizen or business (a ledger identity). */
export function requirePerson(ctx: TxContext): DidRecord {
  return requireActive(reader(ctx), ctx.signer, ['citizen', 'business'], 'auth.not_registered', 'a registered citizen or business');
}

/** Store a record as JSON. */
export function asJson(r: DidRecord): JsonValue {
  return r as unknown as JsonValue;
}

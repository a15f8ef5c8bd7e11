/**
 * The identity module: officers, citizens and businesses as did:gov identities with a
 * key history (add, rotate, revoke, recover), roles of officers in agencies, and salted
 * commitments instead of personal data. Agencies themselves are governed (governance
 * module). Every action is a signed transaction; who may do what is decided here, from
 * state, never by API code. docs/did-gov.md describes the method and the schemes.
 */
import { GovchainError, type JsonValue, type ModuleDefinition, type StateReader, type TxContext } from '@govchain/core';
import { Type } from '@sinclair/typebox';
import {
  ROLES,
  ROLES_BY_AUTHORITY,
  activeKeys,
  asJson,
  didForKey,
  newKey,
  readDidRecord,
  requireAgency,
  requireActive,
  requireRole,
  resolveGovKey,
  type DidRecord,
  type IdentityKind,
} from './records.js';

const Hex64 = Type.String({ pattern: '^[0-9a-f]{64}$' });
const PublicKey = Type.String({ pattern: '^[A-Za-z0-9_-]{43}$', description: 'Ed25519 public key, base64url (32 bytes)' });
const GovDid = Type.String({ pattern: '^did:gov:[a-z0-9][a-z0-9.-]{0,63}:[1-9A-HJ-NP-Za-km-z]{16,24}$', maxLength: 120 });
const KeyId = Type.String({ pattern: '^key-[0-9]{1,4}$' });
const Role = Type.Union(ROLES.map((r) => Type.Literal(r)));
const Commitments = Type.Record(Type.String({ pattern: '^[a-zA-Z][a-zA-Z0-9_]{0,31}$' }), Hex64, {
  maxProperties: 16,
  description: 'attribute name -> hex SHA-256 salted commitment (never the value itself)',
});

export const RegisterOfficerPayload = Type.Object(
  { publicKey: PublicKey, roles: Type.Array(Role, { maxItems: 8, uniqueItems: true }) },
  { additionalProperties: false },
);
export const SetRolesPayload = Type.Object({ officer: GovDid, roles: Type.Array(Role, { maxItems: 8, uniqueItems: true }) }, { additionalProperties: false });
export const OfficerPayload = Type.Object({ officer: GovDid }, { additionalProperties: false });
export const RegisterPersonPayload = Type.Object(
  {
    publicKey: PublicKey,
    commitments: Commitments,
    uniqueness: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$', description: 'keyed hash (HMAC) of the national identifier, held by the identity authority; one registration per person' })),
  },
  { additionalProperties: false },
);
export const AddKeyPayload = Type.Object({ publicKey: PublicKey }, { additionalProperties: false });
export const RevokeKeyPayload = Type.Object({ keyId: KeyId }, { additionalProperties: false });
export const RotateKeyPayload = Type.Object({ keyId: KeyId, publicKey: PublicKey }, { additionalProperties: false });
export const RecoverPayload = Type.Object(
  { did: GovDid, publicKey: PublicKey, evidence: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'digest of the off-chain record of the checks made' }) },
  { additionalProperties: false },
);

const didKey = (did: string): string => `did/${did}`;

function state(ctx: TxContext): StateReader {
  return { get: (m, k) => ctx.read(m, k) };
}

/** Create the record of a new identity; the DID comes from its inception key. */
function registerIdentity(ctx: TxContext, kind: IdentityKind, publicKey: string, extra: Partial<DidRecord>): DidRecord {
  const did = didForKey(ctx.chainId, publicKey);
  if (readDidRecord(state(ctx), did) !== undefined) throw new GovchainError('identity.exists', `${did} is already registered`, { field: '/body/payload/publicKey' });
  const record: DidRecord = { did, kind, keys: [newKey([], publicKey, ctx.height)], created: ctx.height, updated: ctx.height, ...extra };
  ctx.set(didKey(did), asJson(record));
  ctx.emit('identity.registered', { did, kind });
  return record;
}

/** The signer's own record (it signed, so it exists, unless it is a did:key). */
function ownRecord(ctx: TxContext): DidRecord {
  const r = ctx.get(didKey(ctx.signer)) as DidRecord | undefined;
  if (r === undefined || r.deactivated !== undefined) {
    if (readDidRecord(state(ctx), ctx.signer)?.kind === 'agency') throw new GovchainError('identity.use_governance', 'agency keys are managed with governance.rotate_agency_key');
    throw new GovchainError('auth.not_registered', `${ctx.signer} is not a registered identity`);
  }
  return r;
}

function grantableRoles(agency: DidRecord, roles: readonly string[]): void {
  const allowed = new Set((agency.authorities ?? []).flatMap((a) => ROLES_BY_AUTHORITY[a] ?? []));
  for (const r of roles) if (!allowed.has(r)) throw new GovchainError('auth.no_authority', `agency ${agency.name ?? agency.did} cannot grant the role ${r}`, { field: '/body/payload/roles' });
}

function officerOf(ctx: TxContext, agency: DidRecord, officer: string): DidRecord {
  const r = ctx.get(didKey(officer)) as DidRecord | undefined;
  if (r === undefined || r.kind !== 'officer') throw new GovchainError('identity.not_found', `${officer} is not an officer`, { field: '/body/payload/officer' });
  if (r.agency !== agency.did) throw new GovchainError('auth.other_agency', `${officer} is an officer of another agency`, { field: '/body/payload/officer' });
  return r;
}

function registerPerson(kind: 'citizen' | 'business') {
  return {
    schema: RegisterPersonPayload,
    description: `Register a ${kind} (identity officer only). Only salted commitments of personal attributes are recorded.`,
    authorize: (ctx: TxContext) => void requireRole(ctx, 'identity_officer'),
    apply(ctx: TxContext, p: { publicKey: string; commitments: Record<string, string>; uniqueness?: string }) {
      if (p.uniqueness !== undefined) {
        const taken = ctx.get(`uniq/${p.uniqueness}`);
        if (taken !== undefined) throw new GovchainError('identity.duplicate_person', `this person is already registered as ${String(taken)}`, { field: '/body/payload/uniqueness' });
      }
      const r = registerIdentity(ctx, kind, p.publicKey, { registeredBy: ctx.signer, commitments: p.commitments });
      if (p.uniqueness !== undefined) ctx.set(`uniq/${p.uniqueness}`, r.did);
    },
  };
}

/** The identity module definition. */
export const identityModule: ModuleDefinition = {
  name: 'identity',
  description: 'Ledger identities (did:gov): officers, citizens, businesses; keys and roles.',
  didMethod: 'gov',
  resolveKey: resolveGovKey,
  txTypes: {
    register_officer: {
      schema: RegisterOfficerPayload,
      description: 'An agency registers one of its officers with roles within its authorities.',
      authorize: (ctx) => void requireAgency(ctx),
      apply(ctx, p: { publicKey: string; roles: string[] }) {
        const agency = requireAgency(ctx);
        grantableRoles(agency, p.roles);
        registerIdentity(ctx, 'officer', p.publicKey, { agency: agency.did, roles: [...p.roles].sort() });
      },
    },
    set_roles: {
      schema: SetRolesPayload,
      description: "An agency sets the roles of one of its officers (replaces the officer's roles).",
      authorize: (ctx) => void requireAgency(ctx),
      apply(ctx, p: { officer: string; roles: string[] }) {
        const agency = requireAgency(ctx);
        grantableRoles(agency, p.roles);
        const r = officerOf(ctx, agency, p.officer);
        if (r.deactivated !== undefined) throw new GovchainError('identity.deactivated', `${p.officer} was deactivated`);
        ctx.set(didKey(r.did), asJson({ ...r, roles: [...p.roles].sort(), updated: ctx.height }));
        ctx.emit('identity.roles_set', { did: r.did, roles: [...p.roles].sort() });
      },
    },
    remove_officer: {
      schema: OfficerPayload,
      description: 'An agency removes one of its officers: roles dropped, identity deactivated.',
      authorize: (ctx) => void requireAgency(ctx),
      apply(ctx, p: { officer: string }) {
        const agency = requireAgency(ctx);
        const r = officerOf(ctx, agency, p.officer);
        if (r.deactivated !== undefined) throw new GovchainError('identity.deactivated', `${p.officer} was already deactivated`);
        ctx.set(didKey(r.did), asJson({ ...r, roles: [], deactivated: ctx.height, updated: ctx.height }));
        ctx.emit('identity.deactivated', { did: r.did });
      },
    },
    register_citizen: registerPerson('citizen'),
    register_business: registerPerson('business'),
    add_key: {
      schema: AddKeyPayload,
      description: 'Add a key to your own DID (signed with one of its current keys).',
      apply(ctx, p: { publicKey: string }) {
        const r = ownRecord(ctx);
        if (r.keys.some((k) => k.publicKey === p.publicKey)) throw new GovchainError('identity.key_exists', 'this key is already listed', { field: '/body/payload/publicKey' });
        if (activeKeys(r).length >= 8) throw new GovchainError('identity.too_many_keys', 'at most 8 active keys');
        const key = newKey(r.keys, p.publicKey, ctx.height);
        ctx.set(didKey(r.did), asJson({ ...r, keys: [...r.keys, key], updated: ctx.height }));
        ctx.emit('identity.key_added', { did: r.did, keyId: key.id });
      },
    },
    revoke_key: {
      schema: RevokeKeyPayload,
      description: 'Revoke one of your own keys; signatures by it are refused from this block on.',
      apply(ctx, p: { keyId: string }) {
        const r = ownRecord(ctx);
        const key = r.keys.find((k) => k.id === p.keyId);
        if (key === undefined || key.revoked !== undefined) throw new GovchainError('identity.key_not_active', `${p.keyId} is not an active key`, { field: '/body/payload/keyId' });
        if (activeKeys(r).length === 1) throw new GovchainError('identity.last_key', 'cannot revoke the last active key; rotate instead', { field: '/body/payload/keyId' });
        const keys = r.keys.map((k) => (k.id === p.keyId ? { ...k, revoked: ctx.height, revokedReason: 'revoked' } : k));
        ctx.set(didKey(r.did), asJson({ ...r, keys, updated: ctx.height }));
        ctx.emit('identity.key_revoked', { did: r.did, keyId: p.keyId });
      },
    },
    rotate_key: {
      schema: RotateKeyPayload,
      description: 'Replace one of your keys by a new one in one step.',
      apply(ctx, p: { keyId: string; publicKey: string }) {
        const r = ownRecord(ctx);
        const old = r.keys.find((k) => k.id === p.keyId);
        if (old === undefined || old.revoked !== undefined) throw new GovchainError('identity.key_not_active', `${p.keyId} is not an active key`, { field: '/body/payload/keyId' });
        if (r.keys.some((k) => k.publicKey === p.publicKey)) throw new GovchainError('identity.key_exists', 'this key is already listed', { field: '/body/payload/publicKey' });
        const keys = r.keys.map((k) => (k.id === p.keyId ? { ...k, revoked: ctx.height, revokedReason: 'rotated' } : k));
        const key = newKey(keys, p.publicKey, ctx.height);
        ctx.set(didKey(r.did), asJson({ ...r, keys: [...keys, key], updated: ctx.height }));
        ctx.emit('identity.key_rotated', { did: r.did, from: p.keyId, to: key.id });
      },
    },
    recover: {
      schema: RecoverPayload,
      description: "An identity officer restores a person's access after off-chain checks: every active key is revoked and the new key added. Public and signed.",
      authorize: (ctx) => void requireRole(ctx, 'identity_officer'),
      apply(ctx, p: { did: string; publicKey: string; evidence: string }) {
        const r = requireActive(state(ctx), p.did, ['citizen', 'business', 'officer'], 'identity.not_found', 'an active citizen, business or officer');
        if (r.did === ctx.signer) throw new GovchainError('auth.self_recovery', 'an officer cannot recover their own identity');
        if (r.keys.some((k) => k.publicKey === p.publicKey)) throw new GovchainError('identity.key_exists', 'this key is already listed', { field: '/body/payload/publicKey' });
        const keys = r.keys.map((k) => (k.revoked === undefined ? { ...k, revoked: ctx.height, revokedReason: 'recovered' } : k));
        const key = newKey(keys, p.publicKey, ctx.height);
        ctx.set(didKey(r.did), asJson({ ...r, keys: [...keys, key], updated: ctx.height }));
        ctx.emit('identity.recovered', { did: r.did, by: ctx.signer, keyId: key.id, evidence: p.evidence });
      },
    },
  },
  queries: {
    did: {
      description: 'The record of a DID (officer, citizen, business or agency), or null.',
      params: Type.Object({ did: Type.String({ maxLength: 200 }) }),
      run: (s: StateReader, params: { did: string }) => (readDidRecord(s, params.did) as JsonValue | undefined) ?? null,
    },
  },
};

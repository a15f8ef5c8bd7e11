/**
 * Health consent: a patient grants a provider (a health-provider officer, or a whole
 * health agency) access to categories of their records for a period, and may revoke it;
 * providers record every access (who, when, which category, digest of what was read);
 * emergency break-glass access needs no consent but is recorded, flagged, and reviewed by
 * an auditor. Health data never reaches the ledger: only digests. docs/registries.md.
 *
 * State keys: `consent/<id>`, `access/<patient>/<n>` (n = 1..count), `accesses/<patient>`
 * ({count, flagged, reviewed}).
 */
import { GovchainError, type JsonValue, type ModuleDefinition, type TxContext } from '@govchain/core';
import { Type, type Static } from '@sinclair/typebox';
import { readDidRecord, requireRole } from '../identity/records.js';
import { Did, Digest, RecordId, Time } from '../schemas.js';

/** Categories of health records a consent can cover. */
export const HEALTH_CATEGORIES = ['general', 'laboratory', 'imaging', 'prescriptions', 'immunisation', 'mental_health', 'genetic'] as const;
const Category = Type.Union(HEALTH_CATEGORIES.map((c) => Type.Literal(c)));

export const GrantPayload = Type.Object(
  { id: RecordId, provider: Did, categories: Type.Array(Category, { minItems: 1, maxItems: HEALTH_CATEGORIES.length, uniqueItems: true }), from: Type.Optional(Time), until: Time },
  { additionalProperties: false },
);
export const RevokePayload = Type.Object({ consent: RecordId }, { additionalProperties: false });
export const RecordAccessPayload = Type.Object({ patient: Did, consent: RecordId, category: Category, digest: Digest }, { additionalProperties: false });
export const BreakGlassPayload = Type.Object({ patient: Did, category: Category, digest: Digest, reason: Digest }, { additionalProperties: false });
export const ReviewPayload = Type.Object(
  { patient: Did, access: Type.Integer({ minimum: 1 }), outcome: Type.Union([Type.Literal('justified'), Type.Literal('unjustified')]), note: Digest },
  { additionalProperties: false },
);

/** A consent (state `consent/<id>`). */
export interface ConsentRecord {
  id: string;
  patient: string;
  provider: string;
  categories: string[];
  from: string;
  until: string;
  status: 'active' | 'revoked';
  granted: number;
  revoked?: number;
}

/** One recorded access (state `access/<patient>/<n>`). */
export interface AccessRecord {
  patient: string;
  n: number;
  provider: string;
  agency: string;
  category: string;
  digest: string;
  time: string;
  height: number;
  txid: string;
  consent?: string;
  emergency?: { reason: string };
  flagged: boolean;
  review?: { by: string; outcome: string; note: string; height: number };
}

const F = (name: string): string => `/body/payload/${name}`;
const ms = (t: string): number => Date.parse(t);

function appendAccess(ctx: TxContext, a: Omit<AccessRecord, 'n'>): number {
  const counter = (ctx.get(`accesses/${a.patient}`) as { count: number; flagged: number; reviewed: number } | undefined) ?? { count: 0, flagged: 0, reviewed: 0 };
  counter.count += 1;
  if (a.flagged) counter.flagged += 1;
  ctx.set(`access/${a.patient}/${counter.count}`, { ...a, n: counter.count } as unknown as JsonValue);
  ctx.set(`accesses/${a.patient}`, counter);
  return counter.count;
}

function requirePatient(ctx: TxContext, did: string, field: string): void {
  const r = readDidRecord({ get: (m, k) => ctx.read(m, k) }, did);
  if (r === undefined || r.kind !== 'citizen' || r.deactivated !== undefined) throw new GovchainError('health.not_patient', `${did} is not a registered citizen`, { field });
}

/** The health consent module definition. */
export const healthModule: ModuleDefinition = {
  name: 'health',
  description: 'Health consent: grants and revocations by patients, recorded accesses, break-glass with review. No health data on the ledger.',
  txTypes: {
    grant: {
      schema: GrantPayload,
      description: 'A patient (citizen) grants a provider (health-provider officer or health agency) access to categories of records until a time.',
      apply(ctx, p: Static<typeof GrantPayload>) {
        requirePatient(ctx, ctx.signer, '/body/signer');
        if (ctx.get(`consent/${p.id}`) !== undefined) throw new GovchainError('health.exists', `consent ${p.id} exists`, { field: F('id') });
        const prov = readDidRecord({ get: (m, k) => ctx.read(m, k) }, p.provider);
        const ok = prov !== undefined && prov.deactivated === undefined && ((prov.kind === 'officer' && (prov.roles ?? []).includes('health_provider')) || (prov.kind === 'agency' && (prov.authorities ?? []).includes('health')));
        if (!ok) throw new GovchainError('health.not_provider', `${p.provider} is not a health provider or health agency`, { field: F('provider') });
        const from = p.from ?? ctx.time;
        if (!(ms(p.until) > ms(from)) || !(ms(p.until) > ms(ctx.time))) throw new GovchainError('health.bad_period', 'until must be after from and after the block time', { field: F('until') });
        const c: ConsentRecord = { id: p.id, patient: ctx.signer, provider: p.provider, categories: [...p.categories], from, until: p.until, status: 'active', granted: ctx.height };
        ctx.set(`consent/${p.id}`, c as unknown as JsonValue);
        ctx.emit('health.granted', { consent: p.id, patient: ctx.signer, provider: p.provider });
      },
    },
    revoke: {
      schema: RevokePayload,
      description: 'The patient revokes a consent.',
      apply(ctx, p: Static<typeof RevokePayload>) {
        const c = ctx.get(`consent/${p.consent}`) as ConsentRecord | undefined;
        if (c === undefined) throw new GovchainError('health.not_found', `no consent ${p.consent}`, { field: F('consent') });
        if (c.patient !== ctx.signer) throw new GovchainError('health.not_patient', 'only the patient can revoke a consent');
        if (c.status === 'revoked') throw new GovchainError('health.consent_revoked', `consent ${p.consent} is already revoked`, { field: F('consent') });
        c.status = 'revoked';
        c.revoked = ctx.height;
        ctx.set(`consent/${p.consent}`, c as unknown as JsonValue);
        ctx.emit('health.revoked', { consent: p.consent, patient: ctx.signer });
      },
    },
    record_access: {
      schema: RecordAccessPayload,
      description: 'A health provider records an access to a category of a patient\'s records (by digest) under a consent in force.',
      apply(ctx, p: Static<typeof RecordAccessPayload>) {
        const { agency } = requireRole(ctx, 'health_provider');
        const c = ctx.get(`consent/${p.consent}`) as ConsentRecord | undefined;
        if (c === undefined || c.patient !== p.patient || (c.provider !== ctx.signer && c.provider !== agency.did)) {
          throw new GovchainError('health.no_consent', `no consent ${p.consent} of ${p.patient} for ${ctx.signer}`, { field: F('consent') });
        }
        if (c.status === 'revoked') throw new GovchainError('health.consent_revoked', `consent ${p.consent} was revoked at height ${c.revoked}`, { field: F('consent') });
        if (ms(ctx.time) < ms(c.from)) throw new GovchainError('health.no_consent', `consent ${p.consent} starts at ${c.from}`, { field: F('consent') });
        if (ms(ctx.time) >= ms(c.until)) throw new GovchainError('health.consent_expired', `consent ${p.consent} expired at ${c.until}`, { field: F('consent') });
        if (!c.categories.includes(p.category)) throw new GovchainError('health.no_consent', `consent ${p.consent} does not cover ${p.category}`, { field: F('category') });
        const n = appendAccess(ctx, { patient: p.patient, provider: ctx.signer, agency: agency.did, category: p.category, digest: p.digest, time: ctx.time, height: ctx.height, txid: ctx.txid, consent: p.consent, flagged: false });
        ctx.emit('health.accessed', { patient: p.patient, access: n, provider: ctx.signer, category: p.category });
      },
    },
    break_glass: {
      schema: BreakGlassPayload,
      description: 'Emergency access without consent by a health provider: recorded, flagged for review (reason by digest).',
      apply(ctx, p: Static<typeof BreakGlassPayload>) {
        const { agency } = requireRole(ctx, 'health_provider');
        requirePatient(ctx, p.patient, F('patient'));
        const n = appendAccess(ctx, { patient: p.patient, provider: ctx.signer, agency: agency.did, category: p.category, digest: p.digest, time: ctx.time, height: ctx.height, txid: ctx.txid, emergency: { reason: p.reason }, flagged: true });
        ctx.emit('health.break_glass', { patient: p.patient, access: n, provider: ctx.signer, category: p.category });
      },
    },
    review: {
      schema: ReviewPayload,
      description: 'An auditor reviews a flagged break-glass access (note by digest).',
      apply(ctx, p: Static<typeof ReviewPayload>) {
        requireRole(ctx, 'auditor');
        const a = ctx.get(`access/${p.patient}/${p.access}`) as AccessRecord | undefined;
        if (a === undefined) throw new GovchainError('health.not_found', `no access ${p.access} of ${p.patient}`, { field: F('access') });
        if (!a.flagged) throw new GovchainError('health.not_flagged', `access ${p.access} was not an emergency access`, { field: F('access') });
        if (a.review !== undefined) throw new GovchainError('health.already_reviewed', `access ${p.access} was reviewed at height ${a.review.height}`, { field: F('access') });
        a.review = { by: ctx.signer, outcome: p.outcome, note: p.note, height: ctx.height };
        ctx.set(`access/${p.patient}/${p.access}`, a as unknown as JsonValue);
        const counter = ctx.get(`accesses/${p.patient}`) as { count: number; flagged: number; reviewed: number };
        counter.reviewed += 1;
        ctx.set(`accesses/${p.patient}`, counter);
        ctx.emit('health.reviewed', { patient: p.patient, access: p.access, outcome: p.outcome });
      },
    },
  },
};

/**
 * The services module: an agency holding the `services` authority publishes versioned
 * service definitions (steps, the role acting at each, required documents, fee, legal
 * time limit); registered citizens and businesses apply; officers act step by step
 * (accept, request_info, approve, reject) and applicants resubmit, each a signed
 * transaction checked here against on-chain roles. Also: credentials issued on approval
 * (only their digest and status-list index are recorded), their status lists, and the
 * erasure records of private documents. See docs/services.md.
 */
import { GovchainError, type ModuleDefinition, type StateReader, type TxContext } from '@govchain/core';
import { Type, type Static } from '@sinclair/typebox';
import { ROLES, readDidRecord, requireAgency, requirePerson, requireRole, authorityOfRole } from '../identity/records.js';
import {
  FINAL_STATUSES,
  addDays,
  applicationKey,
  requireApplication,
  secondsBetween,
  serviceAccountability,
  serviceKey,
  serviceVersionKey,
  statsKey,
  statusAtStep,
  toJson,
  readServiceVersion,
  type ApplicationRecord,
  type ServiceDefinition,
  type ServiceStats,
} from './workflow.js';
import { CREDENTIAL_STATUS, emptyStatusList, readStatusList, statusAt, statusListKey, withStatus, type CredentialStatus } from './status-list.js';

const Hex64 = Type.String({ pattern: '^[0-9a-f]{64}$' });
const Slug = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,47}$' });
const Name = Type.String({ pattern: '^[a-z][a-z0-9_]{0,31}$' });
const GovDid = Type.String({ pattern: '^did:gov:[a-z0-9][a-z0-9.-]{0,63}:[1-9A-HJ-NP-Za-km-z]{16,24}$', maxLength: 120 });
const Reason = Type.String({ minLength: 1, maxLength: 500, description: 'public reason; never put personal data here' });
const Documents = Type.Record(Name, Hex64, { maxProperties: 16, description: 'document name -> hex SHA-256 of the document (stored encrypted off-ledger)' });

export const DefineServicePayload = Type.Object(
  {
    id: Slug,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    steps: Type.Array(
      Type.Object({ name: Name, role: Type.Union(ROLES.map((r) => Type.Literal(r))), kind: Type.Union([Type.Literal('review'), Type.Literal('payment')]) }, { additionalProperties: false }),
      { minItems: 1, maxItems: 12 },
    ),
    documents: Type.Array(Type.Object({ name: Name, template: Type.Optional(Hex64) }, { additionalProperties: false }), { maxItems: 16 }),
    fee: Type.Integer({ minimum: 0, maximum: 1e12, description: 'minor units of VND' }),
    timeLimitDays: Type.Integer({ minimum: 1, maximum: 3650 }),
    credential: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9:._/-]{1,100}$', description: 'SD-JWT VC type (vct) issued on approval' })),
  },
  { additionalProperties: false },
);
export type DefineServicePayload = Static<typeof DefineServicePayload>;
export const SubmitPayload = Type.Object({ agency: GovDid, service: Slug, documents: Documents }, { additionalProperties: false });
export const ApplicationPayload = Type.Object({ application: Hex64 }, { additionalProperties: false });
export const ReasonPayload = Type.Object({ application: Hex64, reason: Reason }, { additionalProperties: false });
export const ResubmitPayload = Type.Object({ application: Hex64, documents: Documents }, { additionalProperties: false });
export const IssueCredentialPayload = Type.Object(
  { application: Hex64, digest: Hex64, list: Slug, idx: Type.Integer({ minimum: 0, maximum: 4095 }) },
  { additionalProperties: false },
);
export const CredentialStatusPayload = Type.Object(
  { list: Slug, idx: Type.Integer({ minimum: 0, maximum: 4095 }), status: Type.Union([Type.Literal('valid'), Type.Literal('revoked'), Type.Literal('suspended')]) },
  { additionalProperties: false },
);
export const EraseDocumentPayload = Type.Object({ application: Hex64, document: Name, reason: Type.Optional(Reason) }, { additionalProperties: false });

/** A credential's ledger record (`credential/<digest>`): no claims, only where its status lives. */
export interface CredentialRecord {
  digest: string;
  issuer: string;
  application: string;
  vct: string;
  list: string;
  idx: number;
  issued: string;
  height: number;
}

/** An erasure record (`erasure/<digest>`): the document's key was destroyed off-ledger. */
export interface ErasureRecord {
  digest: string;
  application: string;
  document: string;
  by: string;
  time: string;
  height: number;
  txid: string;
  reason?: string;
}

function reader(ctx: TxContext): StateReader {
  return { get: (m, k) => ctx.read(m, k) };
}

function readStats(ctx: TxContext, agency: string, id: string): ServiceStats {
  return (ctx.get(statsKey(agency, id)) as ServiceStats | undefined) ?? { agency, service: id, submitted: 0, approved: 0, rejected: 0, processingSeconds: 0, open: {} };
}

/** Write an application, keeping the public counters in step with its status. */
function saveApplication(ctx: TxContext, app: ApplicationRecord): void {
  const before = ctx.get(applicationKey(app.id)) as ApplicationRecord | undefined;
  ctx.set(applicationKey(app.id), toJson(app));
  const wasFinal = before !== undefined && FINAL_STATUSES.includes(before.status);
  const isFinal = FINAL_STATUSES.includes(app.status);
  if (before === undefined || (isFinal && !wasFinal)) {
    const stats = readStats(ctx, app.agency, app.service);
    if (before === undefined) {
      stats.submitted += 1;
      stats.open[app.id] = app.deadline;
    }
    if (isFinal) {
      delete stats.open[app.id];
      if (app.status === 'approved') stats.approved += 1;
      else stats.rejected += 1;
      stats.processingSeconds += secondsBetween(app.submitted, app.completed ?? ctx.time);
    }
    ctx.set(statsKey(app.agency, app.service), toJson(stats));
  }
}

function serviceOf(ctx: TxContext, app: ApplicationRecord): ServiceDefinition {
  const s = readServiceVersion(reader(ctx), app.agency, app.service, app.version);
  if (s === undefined) throw new GovchainError('services.no_service', `service ${app.service}@${app.version} of ${app.agency} is missing`);
  return s;
}

/**
 * The signer must hold the role of the application's current step, as an officer of the
 * service's agency, and must not be the applicant. Returns the service and the step.
 */
function requireStepOfficer(ctx: TxContext, app: ApplicationRecord): { service: ServiceDefinition; role: string } {
  if (ctx.signers.includes(app.applicant)) throw new GovchainError('services.self_action', 'an applicant cannot act as an officer on their own application');
  const service = serviceOf(ctx, app);
  const step = service.steps[app.step];
  if (step === undefined || FINAL_STATUSES.includes(app.status)) throw new GovchainError('services.wrong_state', `application ${app.id} is ${app.status}`, { field: '/body/payload/application' });
  const { agency, role } = requireRole(ctx, step.role);
  if (agency.did !== app.agency) throw new GovchainError('auth.other_agency', `step "${step.name}" is done by the agency ${app.agency}`);
  return { service, role };
}

function expectStatus(app: ApplicationRecord, allowed: readonly string[], action: string): void {
  if (!allowed.includes(app.status)) throw new GovchainError('services.wrong_state', `cannot ${action} application ${app.id}: it is ${app.status} (step ${app.step})`, { field: '/body/payload/application' });
}

function requireReviewStep(service: ServiceDefinition, app: ApplicationRecord, action: string): void {
  if (service.steps[app.step]?.kind !== 'review') throw new GovchainError('services.wrong_state', `cannot ${action} at step ${app.step}: it is a payment step (the treasury confirms the payment)`, { field: '/body/payload/application' });
}

function record(ctx: TxContext, app: ApplicationRecord, action: string, role: string, extra: { reason?: string } = {}): ApplicationRecord['history'][number] {
  return { action, by: ctx.signer, role, step: app.step, time: ctx.time, height: ctx.height, txid: ctx.txid, ...extra };
}

function checkDocuments(service: ServiceDefinition, documents: Record<string, string>, all: boolean): void {
  const names = new Set(service.documents.map((d) => d.name));
  for (const n of Object.keys(documents)) if (!names.has(n)) throw new GovchainError('services.unknown_document', `service ${service.id} asks for no document "${n}"`, { field: `/body/payload/documents/${n}` });
  if (all) for (const n of names) if (documents[n] === undefined) throw new GovchainError('services.missing_document', `document "${n}" is required`, { field: `/body/payload/documents/${n}` });
}

/** The services module definition. */
export const servicesModule: ModuleDefinition = {
  name: 'services',
  description: 'Service catalogue, application workflows, credentials (digests and status lists), document erasure records.',
  txTypes: {
    define_service: {
      schema: DefineServicePayload,
      description: 'An agency with the services authority publishes a service or a new version of it.',
      authorize: (ctx) => void requireAgency(ctx, 'services'),
      apply(ctx, p: DefineServicePayload) {
        const agency = requireAgency(ctx, 'services');
        const payments = p.steps.filter((s) => s.kind === 'payment');
        if (payments.length > 1 || (payments.length === 1) !== p.fee > 0) throw new GovchainError('services.invalid_definition', 'a service with a fee has exactly one payment step; a free one has none', { field: '/body/payload/steps' });
        for (const [i, s] of p.steps.entries()) {
          if (s.kind === 'payment' && s.role !== 'treasury_officer') throw new GovchainError('services.invalid_definition', 'payment steps are confirmed by treasury_officer', { field: `/body/payload/steps/${i}/role` });
          if (s.kind === 'review' && !(agency.authorities ?? []).includes(authorityOfRole(s.role)!)) {
            throw new GovchainError('services.invalid_definition', `agency ${agency.name ?? agency.did} has no officers with the role ${s.role}`, { field: `/body/payload/steps/${i}/role` });
          }
        }
        if (p.steps[0]!.kind !== 'review') throw new GovchainError('services.invalid_definition', 'the first step is a review', { field: '/body/payload/steps/0' });
        if (new Set(p.documents.map((d) => d.name)).size !== p.documents.length) throw new GovchainError('services.invalid_definition', 'document names must be unique', { field: '/body/payload/documents' });
        const prev = ctx.get(serviceKey(agency.did, p.id)) as ServiceDefinition | undefined;
        const def: ServiceDefinition = { agency: agency.did, ...p, version: (prev?.version ?? 0) + 1, published: ctx.time, height: ctx.height };
        ctx.set(serviceKey(agency.did, p.id), toJson(def));
        ctx.set(serviceVersionKey(agency.did, p.id, def.version), toJson(def));
        ctx.emit('services.defined', { agency: agency.did, service: p.id, version: def.version });
      },
    },
    submit: {
      schema: SubmitPayload,
      description: 'A registered citizen or business applies for a service (latest version), with the digests of the required documents.',
      authorize: (ctx) => void requirePerson(ctx),
      apply(ctx, p: Static<typeof SubmitPayload>) {
        requirePerson(ctx);
        const service = ctx.get(serviceKey(p.agency, p.service)) as ServiceDefinition | undefined;
        if (service === undefined) throw new GovchainError('services.no_service', `agency ${p.agency} offers no service "${p.service}"`, { field: '/body/payload/service' });
        const agency = readDidRecord(reader(ctx), p.agency);
        if (agency === undefined || agency.deactivated !== undefined || !(agency.authorities ?? []).includes('services')) throw new GovchainError('services.no_service', `agency ${p.agency} no longer offers services`, { field: '/body/payload/agency' });
        checkDocuments(service, p.documents, true);
        const app: ApplicationRecord = {
          id: ctx.txid,
          agency: p.agency,
          service: p.service,
          version: service.version,
          applicant: ctx.signer,
          status: 'submitted',
          step: 0,
          documents: p.documents,
          submitted: ctx.time,
          deadline: addDays(ctx.time, service.timeLimitDays),
          history: [{ action: 'submit', by: ctx.signer, role: 'applicant', step: 0, time: ctx.time, height: ctx.height, txid: ctx.txid }],
        };
        saveApplication(ctx, app);
        ctx.emit('services.submitted', { application: app.id, agency: p.agency, service: p.service });
      },
    },
    accept: {
      schema: ApplicationPayload,
      description: 'The officer of the first step takes up a submitted application.',
      apply(ctx, p: { application: string }) {
        const app = requireApplication(reader(ctx), p.application);
        const { role } = requireStepOfficer(ctx, app);
        expectStatus(app, ['submitted'], 'accept');
        saveApplication(ctx, { ...app, status: 'in_review', history: [...app.history, record(ctx, app, 'accept', role)] });
        ctx.emit('services.accepted', { application: app.id });
      },
    },
    request_info: {
      schema: ReasonPayload,
      description: "The officer of the current review step asks the applicant for more information (the step waits for the applicant's resubmission).",
      apply(ctx, p: { application: string; reason: string }) {
        const app = requireApplication(reader(ctx), p.application);
        const { service, role } = requireStepOfficer(ctx, app);
        requireReviewStep(service, app, 'request information');
        expectStatus(app, ['in_review'], 'request information on');
        saveApplication(ctx, { ...app, status: 'info_requested', history: [...app.history, record(ctx, app, 'request_info', role, { reason: p.reason })] });
        ctx.emit('services.info_requested', { application: app.id });
      },
    },
    resubmit: {
      schema: ResubmitPayload,
      description: 'The applicant answers a request for information with new or replaced documents.',
      apply(ctx, p: { application: string; documents: Record<string, string> }) {
        const app = requireApplication(reader(ctx), p.application);
        if (ctx.signer !== app.applicant) throw new GovchainError('services.not_applicant', 'only the applicant can resubmit');
        expectStatus(app, ['info_requested'], 'resubmit');
        checkDocuments(serviceOf(ctx, app), p.documents, false);
        const documents = { ...app.documents, ...p.documents };
        saveApplication(ctx, { ...app, documents, status: 'in_review', history: [...app.history, record(ctx, app, 'resubmit', 'applicant')] });
        ctx.emit('services.resubmitted', { application: app.id });
      },
    },
    approve: {
      schema: ApplicationPayload,
      description: 'The officer of the current review step completes it; the application moves to the next step (payment, review) or is approved.',
      apply(ctx, p: { application: string }) {
        const app = requireApplication(reader(ctx), p.application);
        const { service, role } = requireStepOfficer(ctx, app);
        requireReviewStep(service, app, 'approve');
        expectStatus(app, ['in_review'], 'approve');
        const step = app.step + 1;
        const status = statusAtStep(service, step);
        const next: ApplicationRecord = { ...app, step, status, history: [...app.history, record(ctx, app, 'approve', role)] };
        if (status === 'approved') next.completed = ctx.time;
        saveApplication(ctx, next);
        ctx.emit('services.step_approved', { application: app.id, step: app.step, status });
      },
    },
    reject: {
      schema: ReasonPayload,
      description: 'The officer of the current review step rejects the application with a public reason (final).',
      apply(ctx, p: { application: string; reason: string }) {
        const app = requireApplication(reader(ctx), p.application);
        const { service, role } = requireStepOfficer(ctx, app);
        requireReviewStep(service, app, 'reject');
        expectStatus(app, ['submitted', 'in_review', 'info_requested'], 'reject');
        saveApplication(ctx, { ...app, status: 'rejected', completed: ctx.time, history: [...app.history, record(ctx, app, 'reject', role, { reason: p.reason })] });
        ctx.emit('services.rejected', { application: app.id });
      },
    },
    issue_credential: {
      schema: IssueCredentialPayload,
      description: "The agency records the credential it issued off-ledger for an approved application: the SD-JWT's digest and its status-list entry.",
      authorize: (ctx) => void requireAgency(ctx, 'services'),
      apply(ctx, p: Static<typeof IssueCredentialPayload>) {
        const agency = requireAgency(ctx, 'services');
        const app = requireApplication(reader(ctx), p.application);
        if (app.agency !== agency.did) throw new GovchainError('auth.other_agency', 'only the agency that processed the application issues its credential');
        const service = serviceOf(ctx, app);
        if (service.credential === undefined) throw new GovchainError('services.no_credential', `service ${service.id} issues no credential`);
        expectStatus(app, ['approved'], 'issue a credential for');
        if (app.credential !== undefined) throw new GovchainError('services.already_issued', `a credential was already issued for application ${app.id}`);
        if (ctx.get(`credential/${p.digest}`) !== undefined) throw new GovchainError('services.already_issued', 'this credential digest is already recorded', { field: '/body/payload/digest' });
        const slotKey = `statusidx/${agency.did}/${p.list}/${p.idx}`;
        if (ctx.get(slotKey) !== undefined) throw new GovchainError('services.status_index_taken', `entry ${p.idx} of list ${p.list} is taken`, { field: '/body/payload/idx' });
        const list = readStatusList(reader(ctx), agency.did, p.list) ?? emptyStatusList(agency.did, p.list, ctx.height);
        ctx.set(statusListKey(agency.did, p.list), toJson(withStatus(list, p.idx, 'valid', ctx.height)));
        ctx.set(slotKey, p.digest);
        const cred: CredentialRecord = { digest: p.digest, issuer: agency.did, application: app.id, vct: service.credential, list: p.list, idx: p.idx, issued: ctx.time, height: ctx.height };
        ctx.set(`credential/${p.digest}`, toJson(cred));
        saveApplication(ctx, { ...app, credential: { digest: p.digest, list: p.list, idx: p.idx }, history: [...app.history, { action: 'issue_credential', by: ctx.signer, role: 'agency', step: app.step, time: ctx.time, height: ctx.height, txid: ctx.txid }] });
        ctx.emit('services.credential_issued', { application: app.id, digest: p.digest, list: p.list, idx: p.idx });
      },
    },
    set_credential_status: {
      schema: CredentialStatusPayload,
      description: 'The issuing agency revokes (final), suspends or reinstates a credential it issued.',
      authorize: (ctx) => void requireAgency(ctx, 'services'),
      apply(ctx, p: { list: string; idx: number; status: CredentialStatus }) {
        const agency = requireAgency(ctx, 'services');
        if (ctx.get(`statusidx/${agency.did}/${p.list}/${p.idx}`) === undefined) throw new GovchainError('services.no_credential', `entry ${p.idx} of list ${p.list} was never issued`, { field: '/body/payload/idx' });
        const list = readStatusList(reader(ctx), agency.did, p.list)!;
        if (statusAt(list, p.idx) === 'revoked') throw new GovchainError('services.credential_revoked', 'a revoked credential stays revoked');
        ctx.set(statusListKey(agency.did, p.list), toJson(withStatus(list, p.idx, p.status, ctx.height)));
        ctx.emit('services.credential_status', { issuer: agency.did, list: p.list, idx: p.idx, status: p.status, value: CREDENTIAL_STATUS[p.status] });
      },
    },
    erase_document: {
      schema: EraseDocumentPayload,
      description: "Record the erasure of an application's private document (by the applicant, or by an officer of the agency holding a role of the workflow): nodes destroy its key.",
      apply(ctx, p: { application: string; document: string; reason?: string }) {
        const app = requireApplication(reader(ctx), p.application);
        const digest = app.documents[p.document];
        if (digest === undefined) throw new GovchainError('services.unknown_document', `application has no document "${p.document}"`, { field: '/body/payload/document' });
        if (ctx.signer !== app.applicant) {
          const service = serviceOf(ctx, app);
          const { agency } = requireRole(ctx, service.steps.map((s) => s.role));
          if (agency.did !== app.agency) throw new GovchainError('auth.other_agency', 'only the applicant or the processing agency can erase');
        }
        if (ctx.get(`erasure/${digest}`) !== undefined) throw new GovchainError('services.already_erased', `document ${digest} was already erased`);
        const rec: ErasureRecord = { digest, application: app.id, document: p.document, by: ctx.signer, time: ctx.time, height: ctx.height, txid: ctx.txid };
        if (p.reason !== undefined) rec.reason = p.reason;
        ctx.set(`erasure/${digest}`, toJson(rec));
        ctx.emit('services.document_erased', { digest, application: app.id });
      },
    },
  },
  queries: {
    accountability: {
      description: 'Public accountability of a service as of a ledger time: counts, mean processing time, overdue applications (no personal data).',
      params: Type.Object({ agency: GovDid, service: Slug, asOf: Type.String({ format: 'date-time' }) }),
      run: (s: StateReader, q: { agency: string; service: string; asOf: string }) => toJson(serviceAccountability(s, q.agency, q.service, q.asOf) ?? null),
    },
    application: {
      description: 'An application as it stands (a paid payment step counts as done), or null.',
      params: Type.Object({ application: Hex64 }),
      run: (s: StateReader, q: { application: string }) => {
        try {
          return toJson(requireApplication(s, q.application));
        } catch {
          return null;
        }
      },
    },
  },
};

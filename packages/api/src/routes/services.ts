/**
 * Routes of the services and payments modules: the service catalogue, applications as
 * each viewer may see them, public accountability, the private document store (reads
 * gated by the sign-in token and on-chain roles), erasure checks, credential
 * verification and trust snapshots, invoices and revenue accounts. Every write stays a
 * signed transaction (POST /v1/txs), except storing a document's ciphertext off-ledger.
 * docs/services.md describes the rules.
 */
import type { FastifyPluginAsync } from 'fastify';
import { GovchainError, fromBase64, smtProofToJson, type JsonValue, type StateReader } from '@govchain/core';
import {
  applicationKey,
  effectiveApplication,
  readDidRecord,
  readServiceVersion,
  serviceAccountability,
  type ApplicationRecord,
  type ServiceDefinition,
} from '@govchain/modules';
import { DocumentStore, type GovchainNode } from '@govchain/node';
import { verifyCredential, type CredentialTrustSource, type AgencyView } from '@govchain/sdk/credentials';
import { Type } from '@sinclair/typebox';
import { Hex64 } from '../schemas.js';
import { bearerIdentity, optionalBearer } from '../session.js';

const problemRef = { $ref: 'Problem#' };
const errors = { 400: problemRef, 401: problemRef, 403: problemRef, 404: problemRef, 410: problemRef };
const DidParam = Type.String({ minLength: 7, maxLength: 200 });
const Slug = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,47}$' });

/** Largest document accepted (bytes of content, before base64). */
export const MAX_DOCUMENT_BYTES = 2 * 1024 * 1024;

export const servicesRoutes: FastifyPluginAsync<{ node: GovchainNode }> = async (app, { node }) => {
  const state: StateReader = { get: (m, k) => node.stateValue(m, k) };
  const docs = DocumentStore.open(node.dataDir);

  // Erasure: a committed services.erase_document destroys the record key here. On start,
  // catch up with erasures committed while this process was not running.
  for (const digest of docs.liveDigests()) {
    const rec = node.stateValue('services', `erasure/${digest}`) as { txid: string } | undefined;
    if (rec !== undefined) docs.erase(digest, rec.txid);
  }
  const unsubscribe = node.onCommit((e) => {
    for (const r of e.receipts) for (const ev of r.events ?? []) if (ev.type === 'services.document_erased') docs.erase(String(ev.data.digest), r.txid);
  });
  app.addHook('onClose', async () => unsubscribe());

  const ledgerTime = (): string => node.head()?.time ?? new Date(0).toISOString();
  const readApp = (id: string): ApplicationRecord => {
    const raw = node.stateValue('services', applicationKey(id)) as ApplicationRecord | undefined;
    if (raw === undefined) throw new GovchainError('services.no_application', `no application ${id}`);
    return effectiveApplication(state, raw);
  };

  /** True when `did` is, now, an active officer of the application's agency holding a role of its workflow. */
  const isCaseOfficer = (did: string, a: ApplicationRecord): boolean => {
    const officer = readDidRecord(state, did);
    if (officer === undefined || officer.kind !== 'officer' || officer.deactivated !== undefined || officer.agency !== a.agency) return false;
    const agency = readDidRecord(state, a.agency);
    if (agency === undefined || agency.deactivated !== undefined) return false;
    const service = readServiceVersion(state, a.agency, a.service, a.version);
    const roles = new Set(service?.steps.filter((s) => s.kind === 'review').map((s) => s.role) ?? []);
    return (officer.roles ?? []).some((r) => roles.has(r));
  };

  // ---- catalogue and accountability ----
  app.get('/v1/services', { schema: { tags: ['services'], summary: 'The service catalogue: the latest version of every published service' } }, async () => {
    const services: JsonValue[] = [];
    for (const { key, value } of node.store.stateEntries('services')) if (key.startsWith('service/') && !key.includes('@')) services.push(JSON.parse(value) as JsonValue);
    return { services };
  });

  app.get(
    '/v1/services/:agency/:service',
    { schema: { tags: ['services'], summary: 'A service definition (?version=n for an older one)', params: Type.Object({ agency: DidParam, service: Slug }), querystring: Type.Object({ version: Type.Optional(Type.Integer({ minimum: 1 })) }), response: errors } },
    async (req) => {
      const { agency, service } = req.params as { agency: string; service: string };
      const { version } = req.query as { version?: number };
      const def = node.stateValue('services', version === undefined ? `service/${agency}/${service}` : `service/${agency}/${service}@${version}`);
      if (def === undefined) throw new GovchainError('services.no_service', `no service ${service}${version === undefined ? '' : `@${version}`} of ${agency}`);
      return def;
    },
  );

  app.get(
    '/v1/accountability',
    {
      schema: {
        tags: ['services'],
        summary: 'Public accountability per agency and service as of ledger time: counts, mean processing time, overdue applications (no personal data)',
        querystring: Type.Object({ agency: Type.Optional(DidParam), service: Type.Optional(Slug) }),
      },
    },
    async (req) => {
      const q = req.query as { agency?: string; service?: string };
      const asOf = ledgerTime();
      const services: JsonValue[] = [];
      for (const { key, value } of node.store.stateEntries('services')) {
        if (!key.startsWith('service/') || key.includes('@')) continue;
        const def = JSON.parse(value) as ServiceDefinition;
        if ((q.agency !== undefined && def.agency !== q.agency) || (q.service !== undefined && def.id !== q.service)) continue;
        const a = serviceAccountability(state, def.agency, def.id, asOf);
        const agencyName = readDidRecord(state, def.agency)?.name ?? def.agency;
        services.push({ agencyName, ...(a ?? { agency: def.agency, service: def.id, name: def.name, version: def.version, timeLimitDays: def.timeLimitDays, submitted: 0, open: 0, approved: 0, rejected: 0, meanProcessingDays: null, overdue: [] }) } as unknown as JsonValue);
      }
      return { asOf, services };
    },
  );

  // ---- applications ----
  app.get(
    '/v1/applications/:id',
    {
      schema: {
        tags: ['services'],
        summary: 'An application as the caller may see it: the applicant and the case officers of its agency (bearer token) see everything; anyone else the public view',
        params: Type.Object({ id: Hex64 }),
        response: errors,
      },
    },
    async (req) => {
      const { id } = req.params as { id: string };
      const a = readApp(id);
      const did = await optionalBearer(node, req);
      const viewer = did === undefined ? 'public' : did === a.applicant ? 'applicant' : isCaseOfficer(did, a) ? 'agency' : 'public';
      if (viewer !== 'public') {
        const documents = Object.fromEntries(Object.entries(a.documents).map(([name, digest]) => [name, { digest, erased: node.stateValue('services', `erasure/${digest}`) !== undefined }]));
        return { viewer, ...a, documents, overdue: isOverdue(a, ledgerTime()) };
      }
      // The public view: what happened and when, by which role; not who applied, not the documents, not the reasons.
      return {
        viewer,
        id: a.id,
        agency: a.agency,
        service: a.service,
        version: a.version,
        status: a.status,
        step: a.step,
        submitted: a.submitted,
        deadline: a.deadline,
        ...(a.completed !== undefined ? { completed: a.completed } : {}),
        overdue: isOverdue(a, ledgerTime()),
        history: a.history.map((h) => ({ action: h.action, role: h.role, step: h.step, time: h.time })),
      };
    },
  );

  app.get(
    '/v1/applications',
    {
      schema: {
        tags: ['services'],
        summary:
          "The caller's work list (bearer token): their own applications; for an agency, its applications; for an officer, the applications of their agency whose workflow has one of their review roles, and for a treasury officer every application awaiting payment. Ids and status only: read each at /v1/applications/<id> or, with its proof, /v1/state/services/application/<id>",
        response: errors,
      },
    },
    async (req) => {
      const { did } = await bearerIdentity(node, req);
      const me = readDidRecord(state, did);
      const treasury = me?.kind === 'officer' && me.deactivated === undefined && (me.roles ?? []).includes('treasury_officer');
      const applications: JsonValue[] = [];
      for (const { key, value } of node.store.stateEntries('services')) {
        if (!key.startsWith('application/')) continue;
        const a = effectiveApplication(state, JSON.parse(value) as ApplicationRecord);
        const relation = a.applicant === did ? 'applicant' : a.agency === did ? 'agency' : isCaseOfficer(did, a) ? 'officer' : treasury && a.status === 'awaiting_payment' ? 'treasury' : undefined;
        if (relation === undefined) continue;
        applications.push({ id: a.id, agency: a.agency, service: a.service, status: a.status, step: a.step, submitted: a.submitted, deadline: a.deadline, relation });
      }
      return { applications };
    },
  );

  // ---- private documents ----
  app.post(
    '/v1/documents',
    {
      bodyLimit: Math.ceil((MAX_DOCUMENT_BYTES * 4) / 3) + 4096,
      schema: {
        tags: ['services'],
        summary: 'Store a private document, encrypted off-ledger (bearer token: the owner); returns its digest. With `application`, the agency or a case officer delivers it to the applicant (e.g. the credential)',
        body: Type.Object(
          {
            content: Type.String({ maxLength: Math.ceil((MAX_DOCUMENT_BYTES * 4) / 3) + 4, description: 'the document, base64' }),
            mediaType: Type.String({ pattern: '^[a-z0-9.+-]+/[a-zA-Z0-9.+-]+$', maxLength: 100 }),
            application: Type.Optional(Hex64),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const { did } = await bearerIdentity(node, req);
      const b = req.body as { content: string; mediaType: string; application?: string };
      let bytes: Uint8Array;
      try {
        bytes = fromBase64(b.content);
      } catch {
        throw new GovchainError('request.invalid', 'content must be base64', { field: '/body/content' });
      }
      if (bytes.length === 0 || bytes.length > MAX_DOCUMENT_BYTES) throw new GovchainError('request.invalid', `content must be 1 to ${MAX_DOCUMENT_BYTES} bytes`, { field: '/body/content' });
      if (b.application === undefined || readApp(b.application).applicant === did) return reply.code(201).send(docs.put(bytes, did, b.mediaType));
      const a = readApp(b.application);
      if (did !== a.agency && !isCaseOfficer(did, a)) throw new GovchainError('documents.forbidden', 'only the agency of the application or its case officers deliver documents to the applicant');
      return reply.code(201).send(docs.put(bytes, a.applicant, b.mediaType, undefined, { application: a.id, deliveredBy: did }));
    },
  );

  app.get(
    '/v1/documents',
    { schema: { tags: ['services'], summary: "The caller's own documents (metadata only, bearer token), including those an agency delivered (credentials)", response: errors } },
    async (req) => {
      const { did } = await bearerIdentity(node, req);
      return { documents: docs.listByOwner(did) };
    },
  );

  app.get(
    '/v1/documents/:digest',
    {
      schema: {
        tags: ['services'],
        summary: 'Read a private document: its owner, or a case officer of an application that lists it (?application=<id>), with a bearer token',
        params: Type.Object({ digest: Hex64 }),
        querystring: Type.Object({ application: Type.Optional(Hex64) }),
        response: errors,
      },
    },
    async (req) => {
      const { did } = await bearerIdentity(node, req);
      const { digest } = req.params as { digest: string };
      const { application } = req.query as { application?: string };
      // An erasure committed on the ledger wins, even if the commit listener has not run yet.
      const erasure = node.stateValue('services', `erasure/${digest}`) as { txid: string } | undefined;
      if (erasure !== undefined) docs.erase(digest, erasure.txid);
      const meta = docs.meta(digest);
      if (meta === undefined) throw new GovchainError('documents.not_found', `no document ${digest} in this node's store`);
      let allowed = meta.owner === did;
      if (!allowed && application !== undefined) {
        const a = readApp(application);
        allowed = Object.values(a.documents).includes(digest) && a.applicant === meta.owner && isCaseOfficer(did, a);
      }
      if (!allowed) throw new GovchainError('documents.forbidden', 'only the owner and the case officers of an application listing this document may read it');
      const content = docs.content(digest);
      return { digest, mediaType: meta.mediaType, size: meta.size, content: content.toString('base64') };
    },
  );

  app.get(
    '/v1/documents/:digest/erasure',
    {
      schema: {
        tags: ['services'],
        summary: 'Public check of an erasure: the signed erasure record with its state proof, and whether this node still holds the key',
        params: Type.Object({ digest: Hex64 }),
        response: errors,
      },
    },
    async (req) => {
      const { digest } = req.params as { digest: string };
      const meta = docs.meta(digest);
      let proof: JsonValue | null = null;
      let checkpoint: string | null = null;
      let record = node.stateValue('services', `erasure/${digest}`) ?? null;
      try {
        const r = node.proveState('services', `erasure/${digest}`);
        proof = smtProofToJson(r.proof) as unknown as JsonValue;
        checkpoint = r.checkpoint.note;
        record = r.value ?? record;
      } catch {
        // no certified checkpoint yet: the record alone
      }
      if (record === null && meta === undefined) throw new GovchainError('documents.not_found', `no document ${digest} and no erasure record`);
      return { digest, erased: record !== null, record, stateKey: { module: 'services', key: `erasure/${digest}` }, proof, checkpoint, keyDestroyed: meta === undefined ? null : meta.erased !== undefined };
    },
  );

  // ---- credentials ----
  const certified: CredentialTrustSource = {
    agency: (did) => (certifiedValue('governance', `agency/${did}`) as AgencyView | null) ?? undefined,
    statusList: (key) => (certifiedValue('services', key) as { issuer: string; size: number; bits: string } | null) ?? undefined,
    credential: (digest) => certifiedValue('services', `credential/${digest}`) as { issuer: string; height: number } | null,
  };
  function certifiedValue(module: string, key: string): JsonValue | null {
    return node.proveState(module, key).value;
  }

  app.post(
    '/v1/credentials/verify',
    {
      schema: {
        tags: ['services'],
        summary: 'Verify an SD-JWT VC presentation (or GCVC1: QR payload) against certified state: signature, issuer trust, ledger record, status',
        body: Type.Object({ presentation: Type.String({ minLength: 10, maxLength: 64 * 1024 }) }, { additionalProperties: false }),
      },
    },
    async (req) => verifyCredential((req.body as { presentation: string }).presentation, certified),
  );

  app.get(
    '/v1/credentials/trust',
    { schema: { tags: ['services'], summary: 'A trust snapshot for offline verification: every agency and status list, with state proofs against the latest certified checkpoint' } },
    async () => {
      const keys: Array<[string, string]> = [];
      for (const { key } of node.store.stateEntries('governance')) if (key.startsWith('agency/')) keys.push(['governance', key]);
      for (const { key } of node.store.stateEntries('services')) if (key.startsWith('statuslist/')) keys.push(['services', key]);
      const cp = node.latestCheckpoint();
      if (cp === undefined) throw new GovchainError('checkpoint.not_found', 'no certified checkpoint yet');
      const entries = keys.map(([module, key]) => {
        const r = node.proveState(module, key);
        return { module, key, value: r.value, proof: smtProofToJson(r.proof) as unknown as JsonValue };
      });
      return { format: 'govchain-vc-trust', version: 1, chainId: node.chainId, checkpoint: node.latestCheckpoint()!.note, validators: { quorum: node.quorum, vkeys: node.vkeys }, entries };
    },
  );

  // ---- payments ----
  app.get(
    '/v1/payments/invoices/:id',
    { schema: { tags: ['services'], summary: 'An invoice', params: Type.Object({ id: Hex64 }), response: errors } },
    async (req) => {
      const inv = node.stateValue('payments', `invoice/${(req.params as { id: string }).id}`);
      if (inv === undefined) throw new GovchainError('payments.no_invoice', 'no such invoice');
      return inv;
    },
  );
  app.get(
    '/v1/payments/accounts/:agency',
    { schema: { tags: ['services'], summary: "An agency's revenue accounts (double-entry totals per account) and whether they balance", params: Type.Object({ agency: DidParam }), response: errors } },
    async (req) => {
      const acc = node.stateValue('payments', `accounts/${(req.params as { agency: string }).agency}`);
      if (acc === undefined) throw new GovchainError('state.not_found', 'no accounts for that agency yet');
      return acc;
    },
  );
};

function isOverdue(a: ApplicationRecord, asOf: string): boolean {
  return a.status !== 'approved' && a.status !== 'rejected' && Date.parse(a.deadline) < Date.parse(asOf);
}

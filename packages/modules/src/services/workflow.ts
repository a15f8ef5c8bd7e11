/**
 * Service workflows as pure functions over state: the records of the `services` module,
 * how an application moves from step to step, and how a payment step completes when the
 * `payments` module records its invoice as paid (docs/services.md). Shared by the
 * module's transaction handlers, its queries and the API's presenters. No I/O.
 */
import { GovchainError, type JsonValue, type StateReader } from '@govchain/core';

/** One step of a service: who acts, and whether it is a review or the fee payment. */
export interface ServiceStep {
  name: string;
  /** The officer role that acts at this step (payment steps: `treasury_officer`, who confirms). */
  role: string;
  kind: 'review' | 'payment';
}

/** A published, versioned service definition (`service/<agency>/<id>` is the latest version). */
export interface ServiceDefinition {
  agency: string;
  id: string;
  version: number;
  name: string;
  steps: ServiceStep[];
  /** Documents an application must carry (by name); `template` is the digest of a blank form. */
  documents: Array<{ name: string; template?: string }>;
  /** Fee in minor units of VND (0: free). */
  fee: number;
  /** The legal time limit, in days from submission (ledger time). */
  timeLimitDays: number;
  /** The SD-JWT VC type (`vct`) issued on completion, if any. */
  credential?: string;
  published: string;
  height: number;
}

/** Where an application stands. `approved` and `rejected` are final. */
export type ApplicationStatus = 'submitted' | 'in_review' | 'info_requested' | 'awaiting_payment' | 'approved' | 'rejected';

/** One entry of an application's history (no personal data: actions, roles, times). */
export interface ApplicationHistoryEntry {
  action: string;
  by: string;
  role: string;
  step: number;
  time: string;
  height: number;
  txid: string;
  reason?: string;
  invoice?: string;
}

/** An application (`application/<id>`, id = txid of its submission). */
export interface ApplicationRecord {
  id: string;
  agency: string;
  service: string;
  version: number;
  applicant: string;
  status: ApplicationStatus;
  step: number;
  /** Document name -> hex SHA-256 of the document (the content lives off-ledger). */
  documents: { [name: string]: string };
  submitted: string;
  deadline: string;
  completed?: string;
  history: ApplicationHistoryEntry[];
  credential?: { digest: string; list: string; idx: number };
}

/** Public accountability counters per agency and service (`stats/<agency>/<id>`). */
export interface ServiceStats {
  agency: string;
  service: string;
  submitted: number;
  approved: number;
  rejected: number;
  /** Sum of processing times (seconds, submission to final decision) of decided applications. */
  processingSeconds: number;
  /** Open applications: id -> deadline. */
  open: { [id: string]: string };
}

/** Final statuses. */
export const FINAL_STATUSES: readonly ApplicationStatus[] = ['approved', 'rejected'];

export const serviceKey = (agency: string, id: string): string => `service/${agency}/${id}`;
export const serviceVersionKey = (agency: string, id: string, version: number): string => `service/${agency}/${id}@${version}`;
export const applicationKey = (id: string): string => `application/${id}`;
export const statsKey = (agency: string, id: string): string => `stats/${agency}/${id}`;

/** The service version an application was made under. */
export function readServiceVersion(state: StateReader, agency: string, id: string, version: number): ServiceDefinition | undefined {
  return state.get('services', serviceVersionKey(agency, id, version)) as ServiceDefinition | undefined;
}

/** The invoice the payments module holds for an application's fee, if any (by its `ref`). */
export function invoiceForApplication(state: StateReader, id: string): { id: string; status: string; amount: number; agency: string; paid?: string } | undefined {
  const invoiceId = state.get('payments', `byref/services/${applicationKey(id)}`) as string | undefined;
  if (invoiceId === undefined) return undefined;
  return state.get('payments', `invoice/${invoiceId}`) as { id: string; status: string; amount: number; agency: string; paid?: string } | undefined;
}

/** The status an application has on reaching `step` of `service` (past the end: approved). */
export function statusAtStep(service: ServiceDefinition, step: number): ApplicationStatus {
  const s = service.steps[step];
  if (s === undefined) return 'approved';
  return s.kind === 'payment' ? 'awaiting_payment' : 'in_review';
}

/**
 * The application as it stands now: a payment step whose invoice the treasury confirmed
 * as paid (for at least the fee, to the service's agency) is complete, and the
 * application proceeds to the next step, without anyone acting on the services module.
 * Handlers persist the result the next time they write the application.
 */
export function effectiveApplication(state: StateReader, app: ApplicationRecord): ApplicationRecord {
  if (app.status !== 'awaiting_payment') return app;
  const service = readServiceVersion(state, app.agency, app.service, app.version);
  if (service === undefined) return app;
  const inv = invoiceForApplication(state, app.id);
  if (inv === undefined || inv.status !== 'paid' || inv.agency !== app.agency || inv.amount < service.fee) return app;
  const step = app.step + 1;
  const status = statusAtStep(service, step);
  const paidAt = inv.paid ?? app.submitted;
  const next: ApplicationRecord = {
    ...app,
    step,
    status,
    history: [...app.history, { action: 'paid', by: 'payments', role: service.steps[app.step]!.role, step: app.step, time: paidAt, height: 0, txid: inv.id, invoice: inv.id }],
  };
  if (status === 'approved') next.completed = paidAt;
  return next;
}

/** Seconds between two RFC 3339 times. */
export function secondsBetween(from: string, to: string): number {
  return Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000));
}

/** `time` plus `days` days, RFC 3339. */
export function addDays(time: string, days: number): string {
  return new Date(Date.parse(time) + days * 86_400_000).toISOString();
}

/** An application's record, or `services.no_application`. */
export function requireApplication(state: StateReader, id: string): ApplicationRecord {
  const app = state.get('services', applicationKey(id)) as ApplicationRecord | undefined;
  if (app === undefined) throw new GovchainError('services.no_application', `no application ${id}`, { field: '/body/payload/application' });
  return effectiveApplication(state, app);
}

/** Public accountability figures of one service (no personal data). */
export interface ServiceAccountability {
  agency: string;
  service: string;
  name: string;
  version: number;
  timeLimitDays: number;
  submitted: number;
  open: number;
  approved: number;
  rejected: number;
  /** Mean processing time of decided applications, in days (null when none). */
  meanProcessingDays: number | null;
  overdue: Array<{ application: string; deadline: string; daysOverdue: number; status: ApplicationStatus }>;
}

/**
 * Accountability of one service as of ledger time `asOf`: counts, mean processing time and
 * the overdue applications (ids, deadlines and statuses only). Applications whose payment
 * completed them since they were last written count as decided.
 */
export function serviceAccountability(state: StateReader, agency: string, id: string, asOf: string): ServiceAccountability | undefined {
  const service = state.get('services', serviceKey(agency, id)) as ServiceDefinition | undefined;
  const stats = state.get('services', statsKey(agency, id)) as ServiceStats | undefined;
  if (service === undefined || stats === undefined) return undefined;
  let approved = stats.approved;
  let processing = stats.processingSeconds;
  let open = 0;
  const overdue: ServiceAccountability['overdue'] = [];
  for (const [appId, deadline] of Object.entries(stats.open)) {
    const raw = state.get('services', applicationKey(appId)) as ApplicationRecord | undefined;
    if (raw === undefined) continue;
    const app = effectiveApplication(state, raw);
    if (app.status === 'approved') {
      approved += 1;
      processing += secondsBetween(app.submitted, app.completed ?? asOf);
      continue;
    }
    open += 1;
    if (Date.parse(deadline) < Date.parse(asOf)) {
      overdue.push({ application: appId, deadline, daysOverdue: Math.floor(secondsBetween(deadline, asOf) / 86_400), status: app.status });
    }
  }
  const decided = approved + stats.rejected;
  return {
    agency,
    service: id,
    name: service.name,
    version: service.version,
    timeLimitDays: service.timeLimitDays,
    submitted: stats.submitted,
    open,
    approved,
    rejected: stats.rejected,
    meanProcessingDays: decided === 0 ? null : Math.round((processing / decided / 86_400) * 100) / 100,
    overdue: overdue.sort((a, b) => a.deadline.localeCompare(b.deadline)),
  };
}

/** Store any record as JSON. */
export function toJson<T>(r: T): JsonValue {
  return r as unknown as JsonValue;
}

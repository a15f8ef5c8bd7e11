/**
 * Applications as the portal shows them, read from ledger state with state proofs checked
 * in the page (session.ts `verifiedState`): the application record, the service version it
 * was made under, and its fee invoice. The payment step completes when the invoice is paid,
 * exactly as the services module's `effectiveApplication` (packages/modules, which browser
 * code does not import) applies it: docs/services.md "Payment steps proceed by themselves".
 */
import { verifiedState } from './session.js';

/** One step of a service. */
export interface ServiceStep {
  name: string;
  role: string;
  kind: 'review' | 'payment';
}

/** A service definition (`services` state `service/<agency>/<id>[@<version>]`). */
export interface ServiceDefinition {
  agency: string;
  id: string;
  version: number;
  name: string;
  steps: ServiceStep[];
  documents: Array<{ name: string; template?: string }>;
  fee: number;
  timeLimitDays: number;
  credential?: string;
  published: string;
}

/** An application record (`services` state `application/<id>`). */
export interface ApplicationRecord {
  id: string;
  agency: string;
  service: string;
  version: number;
  applicant: string;
  status: 'submitted' | 'in_review' | 'info_requested' | 'awaiting_payment' | 'approved' | 'rejected';
  step: number;
  documents: Record<string, string>;
  submitted: string;
  deadline: string;
  completed?: string;
  history: Array<{ action: string; by: string; role: string; step: number; time: string; height: number; txid: string; reason?: string; invoice?: string }>;
  credential?: { digest: string; list: string; idx: number };
}

/** An invoice (`payments` state `invoice/<id>`). */
export interface Invoice {
  id: string;
  agency: string;
  payer: string;
  amount: number;
  currency: string;
  purpose: string;
  status: 'open' | 'paid' | 'refunded' | 'cancelled';
  created: string;
  paid?: string;
  paymentRef?: string;
}

/** An application with what the page verified about it. */
export interface VerifiedApplication {
  app: ApplicationRecord;
  service: ServiceDefinition;
  invoice: Invoice | undefined;
  /** Ledger time and log size of the checkpoint the reads were proven against. */
  asOf: string;
  size: number;
  overdue: boolean;
}

/** Final statuses. */
export const FINAL = ['approved', 'rejected'];

/** Read and verify an application, its service version and its fee invoice. */
export async function loadApplication(id: string): Promise<VerifiedApplication> {
  const a = await verifiedState<ApplicationRecord>('services', `application/${id}`);
  if (a.value === null) throw new Error(`the ledger has no application ${id} (proven absent)`);
  const raw = a.value;
  const s = await verifiedState<ServiceDefinition>('services', `service/${raw.agency}/${raw.service}@${raw.version}`);
  if (s.value === null) throw new Error(`the service version ${raw.service}@${raw.version} is missing`);
  const ref = await verifiedState<string>('payments', `byref/services/application/${id}`);
  const invoice = ref.value === null ? undefined : ((await verifiedState<Invoice>('payments', `invoice/${ref.value}`)).value ?? undefined);
  const app = effective(raw, s.value, invoice);
  const asOf = a.checkpoint.time;
  return { app, service: s.value, invoice, asOf, size: a.checkpoint.size, overdue: !FINAL.includes(app.status) && Date.parse(app.deadline) < Date.parse(asOf) };
}

/** The payment step completes when its invoice (of the agency, for at least the fee) is paid. */
function effective(app: ApplicationRecord, service: ServiceDefinition, inv: Invoice | undefined): ApplicationRecord {
  if (app.status !== 'awaiting_payment' || inv === undefined || inv.status !== 'paid' || inv.agency !== app.agency || inv.amount < service.fee) return app;
  const step = app.step + 1;
  const next = service.steps[step];
  const status = next === undefined ? 'approved' : next.kind === 'payment' ? 'awaiting_payment' : 'in_review';
  const paidAt = inv.paid ?? app.submitted;
  return {
    ...app,
    step,
    status,
    history: [...app.history, { action: 'paid', by: 'payments', role: service.steps[app.step]!.role, step: app.step, time: paidAt, height: 0, txid: inv.id, invoice: inv.id }],
    ...(status === 'approved' ? { completed: paidAt } : {}),
  };
}

/** A work-list entry of `GET /v1/applications` (unverified: each is verified with {@link loadApplication}). */
export interface WorkListEntry {
  id: string;
  relation: 'applicant' | 'agency' | 'officer' | 'treasury';
}

/** Statuses in which an officer with `roles` can act on the application's current step. */
export function canAct(v: VerifiedApplication, roles: readonly string[]): boolean {
  const step = v.service.steps[v.app.step];
  return step !== undefined && !FINAL.includes(v.app.status) && roles.includes(step.role);
}

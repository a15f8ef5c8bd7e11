/**
 * The payments module: invoices raised by an officer of the billing agency, payments
 * confirmed by the treasury (`treasury_officer`) with the payment provider's reference
 * (a reference pays at most once, ever), refunds and cancellations, and per-agency
 * revenue accounts kept as double-entry journal records (every entry's debits equal its
 * credits, so the accounts always balance). See docs/services.md.
 *
 * State contract (read by other modules; do not change): `invoice/<id>` =
 * `{id, agency, payer, amount, currency: "VND", purpose, ref: {module, key}, status:
 * "open"|"paid"|"refunded"|"cancelled", created, paid?, paidBy?, paymentRef?}`.
 */
import { GovchainError, type JsonValue, type ModuleDefinition, type StateReader, type TxContext } from '@govchain/core';
import { Type, type Static } from '@sinclair/typebox';
import { requireRole } from '../identity/records.js';
import { applicationKey, effectiveApplication, readServiceVersion, type ApplicationRecord } from '../services/workflow.js';

/** Roles that may raise invoices for their agency (service fees: `service_officer`). */
export const BILLING_ROLES: readonly string[] = ['service_officer', 'tax_officer', 'land_registrar', 'procurement_officer', 'health_provider'];

const Hex64 = Type.String({ pattern: '^[0-9a-f]{64}$' });
const GovDid = Type.String({ pattern: '^did:gov:[a-z0-9][a-z0-9.-]{0,63}:[1-9A-HJ-NP-Za-km-z]{16,24}$', maxLength: 120 });

export const RaiseInvoicePayload = Type.Object(
  {
    payer: GovDid,
    amount: Type.Integer({ minimum: 1, maximum: 1e12, description: 'minor units (VND has none: whole dong)' }),
    currency: Type.Literal('VND'),
    purpose: Type.String({ minLength: 1, maxLength: 200, description: 'public purpose; never personal data' }),
    ref: Type.Object({ module: Type.String({ pattern: '^[a-z][a-z0-9_]{0,31}$' }), key: Type.String({ minLength: 1, maxLength: 300 }) }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);
export type RaiseInvoicePayload = Static<typeof RaiseInvoicePayload>;
export const ConfirmPaymentPayload = Type.Object(
  { invoice: Hex64, paymentRef: Type.String({ pattern: '^[A-Za-z0-9._:-]{1,64}$', description: "the payment provider's or bank's reference" }) },
  { additionalProperties: false },
);
export const InvoicePayload = Type.Object({ invoice: Hex64, reason: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) }, { additionalProperties: false });

/** An invoice (state contract above). */
export interface InvoiceRecord {
  id: string;
  agency: string;
  payer: string;
  amount: number;
  currency: 'VND';
  purpose: string;
  ref: { module: string; key: string };
  status: 'open' | 'paid' | 'refunded' | 'cancelled';
  created: string;
  paid?: string;
  paidBy?: string;
  paymentRef?: string;
}

/** One line of a journal entry: an amount on the debit or the credit side of an account. */
export interface JournalLine {
  account: string;
  debit: number;
  credit: number;
}

/** A journal entry (`journal/<agency>/<n>`). */
export interface JournalEntry {
  n: number;
  agency: string;
  time: string;
  txid: string;
  invoice: string;
  memo: string;
  lines: JournalLine[];
}

/** An agency's accounts (`accounts/<agency>`): per-account debit and credit totals. */
export interface AgencyAccounts {
  agency: string;
  currency: 'VND';
  entries: number;
  debits: number;
  credits: number;
  balances: { [account: string]: { debit: number; credit: number } };
}

/** Accounts: `cash` (money held at the treasury for the agency), `revenue` (fees earned). */
export const ACCOUNTS = { cash: 'cash', revenue: 'revenue' } as const;

export const invoiceKey = (id: string): string => `invoice/${id}`;
export const accountsKey = (agency: string): string => `accounts/${agency}`;

/** True when the accounts balance: total debits = total credits, overall and summed per account. */
export function accountsBalance(a: AgencyAccounts): boolean {
  let d = 0;
  let c = 0;
  for (const b of Object.values(a.balances)) {
    d += b.debit;
    c += b.credit;
  }
  return d === c && a.debits === a.credits && d === a.debits;
}

function post(ctx: TxContext, agency: string, invoice: string, memo: string, lines: JournalLine[]): void {
  const debit = lines.reduce((s, l) => s + l.debit, 0);
  const credit = lines.reduce((s, l) => s + l.credit, 0);
  if (debit !== credit) throw new GovchainError('payments.unbalanced', `journal entry does not balance (${debit} != ${credit})`);
  const acc = (ctx.get(accountsKey(agency)) as AgencyAccounts | undefined) ?? { agency, currency: 'VND', entries: 0, debits: 0, credits: 0, balances: {} };
  const balances = { ...acc.balances };
  for (const l of lines) {
    const b = balances[l.account] ?? { debit: 0, credit: 0 };
    balances[l.account] = { debit: b.debit + l.debit, credit: b.credit + l.credit };
  }
  // Totals stay exact: refuse an entry that would take any total past 2^53 - 1.
  if (!Number.isSafeInteger(acc.debits + debit) || Object.values(balances).some((b) => !Number.isSafeInteger(b.debit) || !Number.isSafeInteger(b.credit))) {
    throw new GovchainError('payments.overflow', `the accounts of ${agency} would exceed exact integer totals`);
  }
  const n = acc.entries + 1;
  const entry: JournalEntry = { n, agency, time: ctx.time, txid: ctx.txid, invoice, memo, lines };
  ctx.set(`journal/${agency}/${n}`, entry as unknown as JsonValue);
  ctx.set(accountsKey(agency), { ...acc, entries: n, debits: acc.debits + debit, credits: acc.credits + credit, balances } as unknown as JsonValue);
}

function requireInvoice(ctx: TxContext, id: string): InvoiceRecord {
  const inv = ctx.get(invoiceKey(id)) as InvoiceRecord | undefined;
  if (inv === undefined) throw new GovchainError('payments.no_invoice', `no invoice ${id}`, { field: '/body/payload/invoice' });
  return inv;
}

function state(ctx: TxContext): StateReader {
  return { get: (m, k) => ctx.read(m, k) };
}

/** A service fee must match its application: the service's agency, the applicant, the fee, a payment step reached. */
function checkServiceFee(ctx: TxContext, agency: string, p: RaiseInvoicePayload): void {
  const prefix = 'application/';
  if (!p.ref.key.startsWith(prefix)) throw new GovchainError('payments.bad_ref', 'service invoices refer to application/<id>', { field: '/body/payload/ref/key' });
  const raw = ctx.read('services', p.ref.key) as ApplicationRecord | undefined;
  if (raw === undefined) throw new GovchainError('payments.bad_ref', `no ${p.ref.key} in services`, { field: '/body/payload/ref/key' });
  const app = effectiveApplication(state(ctx), raw);
  if (applicationKey(app.id) !== p.ref.key || app.agency !== agency) throw new GovchainError('auth.other_agency', 'the application belongs to another agency', { field: '/body/payload/ref' });
  if (app.status !== 'awaiting_payment') throw new GovchainError('payments.bad_ref', `application is ${app.status}, not awaiting payment`, { field: '/body/payload/ref' });
  const service = readServiceVersion(state(ctx), app.agency, app.service, app.version);
  if (p.payer !== app.applicant) throw new GovchainError('payments.bad_ref', 'the payer of a service fee is the applicant', { field: '/body/payload/payer' });
  if (service === undefined || p.amount !== service.fee) throw new GovchainError('payments.bad_amount', `the fee of this service is ${service?.fee ?? '?'} VND`, { field: '/body/payload/amount' });
}

/** The payments module definition. */
export const paymentsModule: ModuleDefinition = {
  name: 'payments',
  description: 'Invoices, payments confirmed by the treasury, refunds, double-entry revenue accounts per agency.',
  txTypes: {
    raise_invoice: {
      schema: RaiseInvoicePayload,
      description: `An officer of the billing agency (roles: ${BILLING_ROLES.join(', ')}; service fees: service_officer) raises an invoice; its id is this transaction's txid.`,
      authorize: (ctx) => void requireRole(ctx, BILLING_ROLES),
      apply(ctx, p: RaiseInvoicePayload) {
        const { agency } = requireRole(ctx, p.ref.module === 'services' ? 'service_officer' : BILLING_ROLES);
        if (p.ref.module === 'services') checkServiceFee(ctx, agency.did, p);
        const refKey = `byref/${p.ref.module}/${p.ref.key}`;
        const prior = ctx.get(refKey) as string | undefined;
        if (prior !== undefined) {
          const old = ctx.get(invoiceKey(prior)) as InvoiceRecord | undefined;
          if (old !== undefined && (old.status === 'open' || old.status === 'paid')) throw new GovchainError('payments.duplicate_invoice', `invoice ${prior} for this reference is ${old.status}`, { field: '/body/payload/ref' });
        }
        const inv: InvoiceRecord = { id: ctx.txid, agency: agency.did, payer: p.payer, amount: p.amount, currency: 'VND', purpose: p.purpose, ref: p.ref, status: 'open', created: ctx.time };
        ctx.set(invoiceKey(inv.id), inv as unknown as JsonValue);
        ctx.set(refKey, inv.id);
        ctx.emit('payments.invoice_raised', { invoice: inv.id, agency: agency.did, amount: p.amount });
      },
    },
    confirm_payment: {
      schema: ConfirmPaymentPayload,
      description: 'The treasury confirms that an open invoice was paid, with the payment reference (each reference pays once).',
      authorize: (ctx) => void requireRole(ctx, 'treasury_officer'),
      apply(ctx, p: { invoice: string; paymentRef: string }) {
        requireRole(ctx, 'treasury_officer');
        const inv = requireInvoice(ctx, p.invoice);
        const used = ctx.get(`paymentref/${p.paymentRef}`) as string | undefined;
        if (used !== undefined) throw new GovchainError('payments.reference_used', `payment reference ${p.paymentRef} already paid invoice ${used}`, { field: '/body/payload/paymentRef' });
        if (inv.status !== 'open') throw new GovchainError('payments.not_open', `invoice ${inv.id} is ${inv.status}`, { field: '/body/payload/invoice' });
        ctx.set(`paymentref/${p.paymentRef}`, inv.id);
        ctx.set(invoiceKey(inv.id), { ...inv, status: 'paid', paid: ctx.time, paidBy: ctx.signer, paymentRef: p.paymentRef } as unknown as JsonValue);
        post(ctx, inv.agency, inv.id, `payment ${p.paymentRef}`, [
          { account: ACCOUNTS.cash, debit: inv.amount, credit: 0 },
          { account: ACCOUNTS.revenue, debit: 0, credit: inv.amount },
        ]);
        ctx.emit('payments.paid', { invoice: inv.id, agency: inv.agency, amount: inv.amount, ref: inv.ref as unknown as JsonValue });
      },
    },
    refund: {
      schema: InvoicePayload,
      description: 'The treasury refunds a paid invoice (the revenue entry is reversed).',
      authorize: (ctx) => void requireRole(ctx, 'treasury_officer'),
      apply(ctx, p: { invoice: string }) {
        requireRole(ctx, 'treasury_officer');
        const inv = requireInvoice(ctx, p.invoice);
        if (inv.status !== 'paid') throw new GovchainError('payments.not_paid', `invoice ${inv.id} is ${inv.status}`, { field: '/body/payload/invoice' });
        ctx.set(invoiceKey(inv.id), { ...inv, status: 'refunded' } as unknown as JsonValue);
        post(ctx, inv.agency, inv.id, 'refund', [
          { account: ACCOUNTS.revenue, debit: inv.amount, credit: 0 },
          { account: ACCOUNTS.cash, debit: 0, credit: inv.amount },
        ]);
        ctx.emit('payments.refunded', { invoice: inv.id, agency: inv.agency, amount: inv.amount });
      },
    },
    cancel_invoice: {
      schema: InvoicePayload,
      description: 'An officer of the billing agency cancels an open invoice.',
      authorize: (ctx) => void requireRole(ctx, BILLING_ROLES),
      apply(ctx, p: { invoice: string }) {
        const { agency } = requireRole(ctx, BILLING_ROLES);
        const inv = requireInvoice(ctx, p.invoice);
        if (inv.agency !== agency.did) throw new GovchainError('auth.other_agency', 'only the billing agency cancels its invoices');
        if (inv.status !== 'open') throw new GovchainError('payments.not_open', `invoice ${inv.id} is ${inv.status}`, { field: '/body/payload/invoice' });
        ctx.set(invoiceKey(inv.id), { ...inv, status: 'cancelled' } as unknown as JsonValue);
        ctx.emit('payments.cancelled', { invoice: inv.id });
      },
    },
  },
  queries: {
    invoice: {
      description: 'An invoice, or null.',
      params: Type.Object({ invoice: Hex64 }),
      run: (s: StateReader, q: { invoice: string }) => s.get('payments', invoiceKey(q.invoice)) ?? null,
    },
    accounts: {
      description: "An agency's revenue accounts (double-entry totals), or null.",
      params: Type.Object({ agency: GovDid }),
      run: (s: StateReader, q: { agency: string }) => s.get('payments', accountsKey(q.agency)) ?? null,
    },
  },
};

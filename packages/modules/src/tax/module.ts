/**
 * Tax: taxpayers (registered businesses), e-invoices recorded by digest with their net
 * amount and VAT (duplicates refused, and invoices from unregistered or suspended
 * sellers), monthly declarations whose totals must equal the invoices recorded for the
 * period, assessments settled by a paid invoice of the payments module, and public
 * aggregate statistics. The invoice documents stay off the ledger. docs/registries.md.
 *
 * State keys: `taxpayer/<did>`, `invoice/<digest>`, `totals/<seller>/<period>`,
 * `declaration/<taxpayer>/<period>`, `assessment/<id>`, `stats` (all periods),
 * `stats/<period>`.
 */
import { GovchainError, type JsonValue, type ModuleDefinition, type TxContext } from '@govchain/core';
import { Type, type Static } from '@sinclair/typebox';
import { readDidRecord, requireRole } from '../identity/records.js';
import { requirePaidInvoice } from '../payments-contract.js';
import { Amount, Did, Digest, InvoiceId, RecordId } from '../schemas.js';

const Period = Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', description: 'tax period (month) YYYY-MM' });
const Day = Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$', description: 'issue date YYYY-MM-DD' });

export const TaxpayerPayload = Type.Object({ business: Did }, { additionalProperties: false });
export const SuspendPayload = Type.Object({ business: Did, reason: Digest }, { additionalProperties: false });
export const RecordInvoicePayload = Type.Object(
  { digest: Digest, buyer: Type.Optional(Did), issued: Day, amount: Amount, vat: Amount },
  { additionalProperties: false },
);
export const DeclarePayload = Type.Object({ period: Period, invoices: Type.Integer({ minimum: 0 }), amount: Amount, vat: Amount }, { additionalProperties: false });
export const AssessPayload = Type.Object({ id: RecordId, taxpayer: Did, period: Period, amount: Amount }, { additionalProperties: false });
export const SettlePayload = Type.Object({ assessment: RecordId, invoice: InvoiceId }, { additionalProperties: false });

/** A taxpayer (state `taxpayer/<did>`). */
export interface TaxpayerRecord {
  did: string;
  status: 'active' | 'suspended';
  registeredBy: string;
  registered: number;
  suspended?: { by: string; reason: string; height: number };
}

/** A recorded e-invoice (state `invoice/<digest>`). */
export interface EInvoiceRecord {
  digest: string;
  seller: string;
  buyer?: string;
  issued: string;
  period: string;
  amount: number;
  vat: number;
  recorded: number;
  txid: string;
}

/** Running totals (per seller and period, per period, overall). */
export interface Totals {
  invoices: number;
  amount: number;
  vat: number;
  [k: string]: number;
}

const F = (name: string): string => `/body/payload/${name}`;
const officer = (ctx: TxContext): void => void requireRole(ctx, 'tax_officer');

/** The period (YYYY-MM) of an RFC 3339 time or a date. */
export const periodOf = (time: string): string => time.slice(0, 7);

function bump(ctx: TxContext, key: string, add: Record<string, number>): void {
  const t = (ctx.get(key) as Totals | undefined) ?? { invoices: 0, amount: 0, vat: 0 };
  for (const [k, v] of Object.entries(add)) t[k] = (t[k] ?? 0) + v;
  ctx.set(key, t as unknown as JsonValue);
}

function taxpayer(ctx: TxContext, did: string, field?: string): TaxpayerRecord {
  const t = ctx.get(`taxpayer/${did}`) as TaxpayerRecord | undefined;
  if (t === undefined) throw new GovchainError('tax.not_taxpayer', `${did} is not a registered taxpayer`, field === undefined ? {} : { field });
  return t;
}

/** The tax module definition. */
export const taxModule: ModuleDefinition = {
  name: 'tax',
  description: 'Tax: taxpayers, e-invoices by digest, declarations checked against invoices, assessments, statistics.',
  txTypes: {
    register_taxpayer: {
      schema: TaxpayerPayload,
      description: 'Register a business (a did:gov business identity) as a taxpayer. Tax officer only.',
      authorize: officer,
      apply(ctx, p: Static<typeof TaxpayerPayload>) {
        const r = readDidRecord({ get: (m, k) => ctx.read(m, k) }, p.business);
        if (r === undefined || r.kind !== 'business' || r.deactivated !== undefined) throw new GovchainError('tax.not_business', `${p.business} is not an active registered business`, { field: F('business') });
        if (ctx.get(`taxpayer/${p.business}`) !== undefined) throw new GovchainError('tax.exists', `${p.business} is already a taxpayer`, { field: F('business') });
        ctx.set(`taxpayer/${p.business}`, { did: p.business, status: 'active', registeredBy: ctx.signer, registered: ctx.height });
        bump(ctx, 'stats', { taxpayers: 1 });
        ctx.emit('tax.taxpayer_registered', { business: p.business });
      },
    },
    suspend_taxpayer: {
      schema: SuspendPayload,
      description: 'Suspend a taxpayer (reason by digest): its invoices are refused until reinstated. Tax officer only.',
      authorize: officer,
      apply(ctx, p: Static<typeof SuspendPayload>) {
        const t = taxpayer(ctx, p.business, F('business'));
        if (t.status === 'suspended') throw new GovchainError('tax.suspended', `${p.business} is already suspended`, { field: F('business') });
        t.status = 'suspended';
        t.suspended = { by: ctx.signer, reason: p.reason, height: ctx.height };
        ctx.set(`taxpayer/${p.business}`, t as unknown as JsonValue);
        ctx.emit('tax.taxpayer_suspended', { business: p.business });
      },
    },
    reinstate_taxpayer: {
      schema: SuspendPayload,
      description: 'Lift a suspension (reason by digest). Tax officer only.',
      authorize: officer,
      apply(ctx, p: Static<typeof SuspendPayload>) {
        const t = taxpayer(ctx, p.business, F('business'));
        if (t.status !== 'suspended') throw new GovchainError('tax.not_suspended', `${p.business} is not suspended`, { field: F('business') });
        t.status = 'active';
        delete t.suspended;
        ctx.set(`taxpayer/${p.business}`, t as unknown as JsonValue);
        ctx.emit('tax.taxpayer_reinstated', { business: p.business });
      },
    },
    record_invoice: {
      schema: RecordInvoicePayload,
      description: 'The seller (an active taxpayer) records an e-invoice by digest with its net amount and VAT. A digest is recorded once.',
      apply(ctx, p: Static<typeof RecordInvoicePayload>) {
        const seller = taxpayer(ctx, ctx.signer);
        if (seller.status !== 'active') throw new GovchainError('tax.suspended', `seller ${ctx.signer} is suspended`);
        const existing = ctx.get(`invoice/${p.digest}`) as EInvoiceRecord | undefined;
        if (existing !== undefined) throw new GovchainError('tax.duplicate_invoice', `invoice ${p.digest} was recorded at height ${existing.recorded}`, { field: F('digest') });
        if (p.vat > p.amount) throw new GovchainError('tax.invalid_amount', 'VAT exceeds the net amount', { field: F('vat') });
        if (p.issued > ctx.time.slice(0, 10)) throw new GovchainError('tax.future_invoice', `issue date ${p.issued} is after the block date`, { field: F('issued') });
        const period = periodOf(p.issued);
        if (ctx.get(`declaration/${ctx.signer}/${period}`) !== undefined) throw new GovchainError('tax.period_declared', `period ${period} is already declared`, { field: F('issued') });
        const rec: EInvoiceRecord = { digest: p.digest, seller: ctx.signer, issued: p.issued, period, amount: p.amount, vat: p.vat, recorded: ctx.height, txid: ctx.txid };
        if (p.buyer !== undefined) rec.buyer = p.buyer;
        ctx.set(`invoice/${p.digest}`, rec as unknown as JsonValue);
        const add = { invoices: 1, amount: p.amount, vat: p.vat };
        bump(ctx, `totals/${ctx.signer}/${period}`, add);
        bump(ctx, `stats/${period}`, add);
        bump(ctx, 'stats', add);
        ctx.emit('tax.invoice_recorded', { digest: p.digest, seller: ctx.signer, period });
      },
    },
    declare: {
      schema: DeclarePayload,
      description: "A taxpayer declares a finished month's sales; the totals must equal the invoices recorded for it.",
      apply(ctx, p: Static<typeof DeclarePayload>) {
        taxpayer(ctx, ctx.signer);
        if (p.period >= periodOf(ctx.time)) throw new GovchainError('tax.period_open', `period ${p.period} has not ended`, { field: F('period') });
        if (ctx.get(`declaration/${ctx.signer}/${p.period}`) !== undefined) throw new GovchainError('tax.period_declared', `period ${p.period} is already declared`, { field: F('period') });
        const t = (ctx.get(`totals/${ctx.signer}/${p.period}`) as Totals | undefined) ?? { invoices: 0, amount: 0, vat: 0 };
        if (t.invoices !== p.invoices || t.amount !== p.amount || t.vat !== p.vat) {
          throw new GovchainError('tax.declaration_mismatch', `declared ${p.invoices} invoices, ${p.amount} net, ${p.vat} VAT; recorded ${t.invoices}, ${t.amount}, ${t.vat}`, {
            details: { recorded: { invoices: t.invoices, amount: t.amount, vat: t.vat } },
          });
        }
        ctx.set(`declaration/${ctx.signer}/${p.period}`, { taxpayer: ctx.signer, period: p.period, invoices: p.invoices, amount: p.amount, vat: p.vat, declared: ctx.height, txid: ctx.txid });
        bump(ctx, `stats/${p.period}`, { declarations: 1 });
        bump(ctx, 'stats', { declarations: 1 });
        ctx.emit('tax.declared', { taxpayer: ctx.signer, period: p.period });
      },
    },
    assess: {
      schema: AssessPayload,
      description: 'Assess the tax due for a declared period. Tax officer only.',
      authorize: officer,
      apply(ctx, p: Static<typeof AssessPayload>) {
        taxpayer(ctx, p.taxpayer, F('taxpayer'));
        if (ctx.get(`declaration/${p.taxpayer}/${p.period}`) === undefined) throw new GovchainError('tax.not_declared', `${p.taxpayer} has not declared ${p.period}`, { field: F('period') });
        if (ctx.get(`assessment/${p.id}`) !== undefined) throw new GovchainError('tax.exists', `assessment ${p.id} exists`, { field: F('id') });
        ctx.set(`assessment/${p.id}`, { id: p.id, taxpayer: p.taxpayer, period: p.period, amount: p.amount, status: 'due', assessedBy: ctx.signer, assessed: ctx.height });
        bump(ctx, 'stats', { assessed: p.amount });
        ctx.emit('tax.assessed', { assessment: p.id, taxpayer: p.taxpayer, amount: p.amount });
      },
    },
    settle: {
      schema: SettlePayload,
      description: 'Mark an assessment paid, naming the paid invoice (payer: the taxpayer; ref: tax/assessment/<id>). The taxpayer or a tax officer.',
      apply(ctx, p: Static<typeof SettlePayload>) {
        const a = ctx.get(`assessment/${p.assessment}`) as { taxpayer: string; amount: number; status: string } | undefined;
        if (a === undefined) throw new GovchainError('tax.not_found', `no assessment ${p.assessment}`, { field: F('assessment') });
        if (ctx.signer !== a.taxpayer) requireRole(ctx, 'tax_officer');
        if (a.status !== 'due') throw new GovchainError('tax.already_paid', `assessment ${p.assessment} is ${a.status}`, { field: F('assessment') });
        requirePaidInvoice(ctx, p.invoice, { payers: [a.taxpayer], amount: a.amount, ref: { module: 'tax', key: `assessment/${p.assessment}` } });
        ctx.set(`assessment/${p.assessment}`, { ...a, status: 'paid', invoice: p.invoice, settled: ctx.height } as unknown as JsonValue);
        bump(ctx, 'stats', { collected: a.amount });
        ctx.emit('tax.settled', { assessment: p.assessment, invoice: p.invoice });
      },
    },
  },
};

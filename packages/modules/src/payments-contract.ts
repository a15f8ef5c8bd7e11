/**
 * Reading the `payments` module's invoices (state key `invoice/<id>`), the contract every
 * registry relies on to know that a tax or fee was paid:
 *   { id, agency, payer, amount (integer, minor units), currency: "VND", purpose,
 *     ref: { module, key }, status: "open"|"paid"|"refunded"|"cancelled", created,
 *     paid?, paidBy?, paymentRef? }
 * A registry accepts an invoice only when it is paid, by the expected payer, for at least
 * the amount due, and its `ref` names the very record being paid for; since a record is
 * completed once, one invoice pays for one thing.
 */
import { GovchainError, type TxContext } from '@govchain/core';

/** An invoice as the payments module stores it. */
export interface Invoice {
  id: string;
  agency: string;
  payer: string;
  amount: number;
  currency: string;
  purpose: string;
  ref: { module: string; key: string };
  status: 'open' | 'paid' | 'refunded' | 'cancelled';
  created: number | string;
  paid?: number | string;
  paidBy?: string;
  paymentRef?: string;
}

/** What a paid invoice must match. */
export interface InvoiceExpectation {
  /** Who must have paid (one of them). */
  payers: readonly string[];
  /** The amount due (the invoice must be for at least this much). */
  amount: number;
  /** The record paid for. */
  ref: { module: string; key: string };
  /** Payload field naming the invoice, for error pointers. */
  field?: string;
}

/** The paid invoice `id`, or a GovchainError (`invoice.*`) saying why it does not pay for this. */
export function requirePaidInvoice(ctx: TxContext, id: string, want: InvoiceExpectation): Invoice {
  const field = want.field ?? '/body/payload/invoice';
  const inv = ctx.read('payments', `invoice/${id}`) as Invoice | undefined;
  if (inv === undefined) throw new GovchainError('invoice.not_found', `no invoice ${id} in the payments module`, { field });
  if (inv.status !== 'paid') throw new GovchainError('invoice.unpaid', `invoice ${id} is ${inv.status}, not paid`, { field });
  if (inv.currency !== 'VND') throw new GovchainError('invoice.mismatch', `invoice ${id} is in ${inv.currency}, not VND`, { field });
  if (inv.ref?.module !== want.ref.module || inv.ref?.key !== want.ref.key) {
    throw new GovchainError('invoice.mismatch', `invoice ${id} pays for ${inv.ref?.module}/${inv.ref?.key}, not ${want.ref.module}/${want.ref.key}`, { field });
  }
  if (!want.payers.includes(inv.payer)) throw new GovchainError('invoice.mismatch', `invoice ${id} was issued to ${inv.payer}, not to ${want.payers.join(' or ')}`, { field });
  if (!Number.isSafeInteger(inv.amount) || inv.amount < want.amount) throw new GovchainError('invoice.mismatch', `invoice ${id} is for ${inv.amount} VND; ${want.amount} VND is due`, { field });
  return inv;
}

/**
 * TEST-ONLY stand-in for the `payments` module (built on another branch), registered only
 * in the registries' tests, never in defaultModules. It writes invoices with exactly the
 * state contract the registries read (`invoice/<id>`, see packages/modules/src/payments-contract.ts):
 * an agency issues an invoice to a payer for a record (`ref`), the payer marks it paid.
 * The real module decides how money moves; the registries only read the result.
 */
import { GovchainError, type JsonValue, type ModuleDefinition } from '@govchain/core';
import { createModuleRegistry, defaultModules, type Invoice, type ModuleRegistry } from '@govchain/modules';
import { Type, type Static } from '@sinclair/typebox';

const Issue = Type.Object(
  {
    id: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$' }),
    payer: Type.String(),
    amount: Type.Integer({ minimum: 0 }),
    purpose: Type.String(),
    ref: Type.Object({ module: Type.String(), key: Type.String() }),
  },
  { additionalProperties: false },
);
const Pay = Type.Object({ id: Type.String(), paymentRef: Type.String() }, { additionalProperties: false });

/** The test-only payments fixture module. */
export const paymentsFixture: ModuleDefinition = {
  name: 'payments',
  description: 'TEST FIXTURE: invoices with the payments state contract.',
  txTypes: {
    issue: {
      schema: Issue,
      description: 'issue an invoice (the signer is the agency)',
      apply(ctx, p: Static<typeof Issue>) {
        if (ctx.get(`invoice/${p.id}`) !== undefined) throw new GovchainError('payments.exists', 'invoice exists');
        const inv: Invoice = { id: p.id, agency: ctx.signer, payer: p.payer, amount: p.amount, currency: 'VND', purpose: p.purpose, ref: p.ref, status: 'open', created: ctx.height };
        ctx.set(`invoice/${p.id}`, inv as unknown as JsonValue);
      },
    },
    pay: {
      schema: Pay,
      description: 'the payer pays',
      apply(ctx, p: Static<typeof Pay>) {
        const inv = ctx.get(`invoice/${p.id}`) as Invoice | undefined;
        if (inv === undefined || inv.payer !== ctx.signer || inv.status !== 'open') throw new GovchainError('payments.refused', 'not payable by this signer');
        ctx.set(`invoice/${p.id}`, { ...inv, status: 'paid', paid: ctx.height, paidBy: ctx.signer, paymentRef: p.paymentRef } as unknown as JsonValue);
      },
    },
  },
};

/** The default modules with the fixture standing in for `payments`. */
export function registryWithPaymentsFixture(): ModuleRegistry {
  return createModuleRegistry([...defaultModules.filter((m) => m.name !== 'payments'), paymentsFixture]);
}

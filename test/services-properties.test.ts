// Property tests of the services and payments modules (fast-check): whatever sequence of
// transactions anyone sends, no application skips a step, no applicant acts as an officer
// on their own application, and every agency's revenue accounts balance (with cash equal
// to the fees paid and not refunded). The module hooks run exactly as in a block (authorize,
// then apply on an overlay that is discarded on failure) over the demo chain's real state.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { GovchainError, sha256, toHex, utf8, type JsonValue, type TxContext } from '@govchain/core';
import { accountsBalance, createModuleRegistry, defaultModules, effectiveApplication, readServiceVersion, type AgencyAccounts, type ApplicationRecord, type InvoiceRecord } from '@govchain/modules';
import { readDemoIdentities, type GovchainNode } from '@govchain/node';
import { demoChain, startNode } from './support/chain.js';

const registry = createModuleRegistry(defaultModules);
const OUTCOMES = new Map<string, number>();

/** An in-memory chain state with block-like execution of one transaction at a time. */
class MemoryChain {
  readonly state = new Map<string, JsonValue>();
  private n = 0;
  private clock = Date.parse('2026-01-01T00:00:00Z');
  constructor(entries: Iterable<{ module: string; key: string; value: string }>) {
    for (const e of entries) this.state.set(`${e.module}\u0000${e.key}`, JSON.parse(e.value) as JsonValue);
  }
  get(module: string, key: string): JsonValue | undefined {
    return this.state.get(`${module}\u0000${key}`);
  }
  /** Run one transaction; 'ok' or the error code. Writes are kept only on success. */
  run(signer: string, type: string, payload: Record<string, JsonValue>, advanceMs = 3_600_000): { outcome: string; txid: string } {
    this.n += 1;
    this.clock += advanceMs;
    const txid = toHex(sha256(utf8(`tx-${this.n}`)));
    const t = registry.validatePayload(type, payload);
    const module = t.module.name;
    const overlay = new Map<string, JsonValue | null>();
    const read = (m: string, k: string): JsonValue | undefined => {
      const o = overlay.get(`${m}\u0000${k}`);
      return o === null ? undefined : (o ?? this.get(m, k));
    };
    const ctx: TxContext = {
      chainId: 'govchain-dev',
      height: this.n,
      time: new Date(this.clock).toISOString(),
      txid,
      signer,
      signers: [signer],
      get: (k) => read(module, k),
      set: (k, v) => void overlay.set(`${module}\u0000${k}`, structuredClone(v)),
      delete: (k) => void overlay.set(`${module}\u0000${k}`, null),
      read,
      emit: () => {},
    };
    try {
      t.definition.authorize?.(ctx, payload);
      t.definition.apply(ctx, payload);
    } catch (e) {
      if (e instanceof GovchainError) {
        OUTCOMES.set(`${type} ${e.code}`, (OUTCOMES.get(`${type} ${e.code}`) ?? 0) + 1);
        return { outcome: e.code, txid };
      }
      throw e;
    }
    OUTCOMES.set(`${type} ok`, (OUTCOMES.get(`${type} ok`) ?? 0) + 1);
    for (const [k, v] of overlay) if (v === null) this.state.delete(k);
    else this.state.set(k, v);
    return { outcome: 'ok', txid };
  }
  *values(module: string, prefix: string): Iterable<JsonValue> {
    for (const [k, v] of this.state) if (k.startsWith(`${module}\u0000${prefix}`)) yield v;
  }
}

describe('services and payments properties', () => {
  let chain: ReturnType<typeof demoChain>;
  let node: GovchainNode;
  let base: Array<{ module: string; key: string; value: string }>;
  let dids: Map<string, string>;

  before(async () => {
    chain = demoChain();
    node = await startNode(chain.dir);
    base = [...node.store.stateEntries()];
    dids = new Map(readDemoIdentities(chain.dir).map((i) => [i.name, i.did]));
  });
  after(async () => {
    await node.stop();
    chain.cleanup();
  });

  const ACTORS = ['citizen-an', 'citizen-binh', 'business-saigon-coffee', 'officer-land-minh', 'officer-tax-hoa', 'officer-treasury-son', 'officer-identity-lan', 'agency-land'] as const;
  const DOC = 'a'.repeat(64);
  const REFS = ['REF-1', 'REF-2', 'REF-3', 'REF-4'];
  const FEE = 250000;
  type Step =
    | { kind: 'submit'; actor: number }
    | { kind: 'act'; action: 'accept' | 'request_info' | 'approve' | 'reject' | 'resubmit'; actor: number; app: number }
    | { kind: 'invoice'; actor: number; app: number; amount: number }
    | { kind: 'pay' | 'refund' | 'cancel'; actor: number; invoice: number; ref: number };
  // -1: the actor the rules expect (so that runs also reach the end of the workflow); else anyone.
  const actor = fc.oneof(fc.constant(-1), fc.nat({ max: ACTORS.length - 1 }));
  const step: fc.Arbitrary<Step> = fc.oneof(
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('submit' as const), actor }) },
    { weight: 8, arbitrary: fc.record({ kind: fc.constant('act' as const), action: fc.constantFrom('accept', 'accept', 'accept', 'request_info', 'approve', 'approve', 'approve', 'approve', 'approve', 'approve', 'reject', 'resubmit', 'resubmit', 'resubmit'), actor, app: fc.nat({ max: 2 }) }) },
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('invoice' as const), actor, app: fc.nat({ max: 5 }), amount: fc.constantFrom(FEE, FEE, 1000) }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('pay' as const), actor, invoice: fc.nat({ max: 2 }), ref: fc.nat({ max: REFS.length - 1 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('refund' as const, 'cancel' as const), actor, invoice: fc.nat({ max: 2 }), ref: fc.nat({ max: REFS.length - 1 }) }) },
  );

  test('no skipped step, no self-approval, balanced accounts, for any sequence of transactions', () => {
    let runs = 0;
    let completed = 0;
    fc.assert(
      fc.property(fc.array(step, { minLength: 5, maxLength: 100, size: 'max' }), (steps) => {
        runs += 1;
        const c = new MemoryChain(base);
        const did = (i: number, expected: (typeof ACTORS)[number] = 'citizen-an'): string => dids.get(i < 0 ? expected : ACTORS[i]!)!;
        const land = dids.get('agency-land')!;
        const def = c.run(land, 'services.define_service', {
          id: 'shop-licence',
          name: 'Shop licence',
          steps: [
            { name: 'check', role: 'service_officer', kind: 'review' },
            { name: 'inspect', role: 'land_registrar', kind: 'review' },
            { name: 'fee', role: 'treasury_officer', kind: 'payment' },
          ],
          documents: [{ name: 'plan' }],
          fee: FEE,
          timeLimitDays: 10,
        });
        assert.equal(def.outcome, 'ok');
        const apps: string[] = [];
        const invoices: string[] = [];
        for (const s of steps) {
          if (s.kind === 'submit') {
            const r = c.run(did(s.actor), 'services.submit', { agency: land, service: 'shop-licence', documents: { plan: DOC } });
            if (r.outcome === 'ok') apps.push(r.txid);
          } else if (s.kind === 'act') {
            const app = apps[s.app % Math.max(1, apps.length)];
            if (app === undefined) continue;
            const payload: Record<string, JsonValue> = { application: app };
            if (s.action === 'request_info' || s.action === 'reject') payload.reason = 'incomplete';
            if (s.action === 'resubmit') payload.documents = { plan: 'b'.repeat(64) };
            const applicant = (c.get('services', `application/${app}`) as { applicant: string }).applicant;
            c.run(s.actor < 0 && s.action === 'resubmit' ? applicant : did(s.actor, 'officer-land-minh'), `services.${s.action}`, payload);
          } else if (s.kind === 'invoice') {
            // The expected actor invoices an application that waits for payment; anyone else any application.
            const waiting = apps.find((id) => (c.get('services', `application/${id}`) as { status: string }).status === 'awaiting_payment');
            const app = s.actor < 0 && waiting !== undefined ? waiting : apps[s.app % Math.max(1, apps.length)];
            if (app === undefined) continue;
            const applicant = (c.get('services', `application/${app}`) as { applicant: string }).applicant;
            const r = c.run(did(s.actor, 'officer-land-minh'), 'payments.raise_invoice', { payer: applicant, amount: s.amount, currency: 'VND', purpose: 'licence fee', ref: { module: 'services', key: `application/${app}` } });
            if (r.outcome === 'ok') invoices.push(r.txid);
          } else {
            const open = invoices.find((id) => (c.get('payments', `invoice/${id}`) as { status: string }).status === 'open');
            const inv = s.actor < 0 && s.kind === 'pay' && open !== undefined ? open : invoices[s.invoice % Math.max(1, invoices.length)];
            if (inv === undefined) continue;
            if (s.kind === 'pay') c.run(did(s.actor, 'officer-treasury-son'), 'payments.confirm_payment', { invoice: inv, paymentRef: REFS[s.ref]! });
            else if (s.kind === 'refund') c.run(did(s.actor, 'officer-treasury-son'), 'payments.refund', { invoice: inv });
            else c.run(did(s.actor, 'officer-land-minh'), 'payments.cancel_invoice', { invoice: inv });
          }
        }
        const reader = { get: (m: string, k: string) => c.get(m, k) };
        for (const raw of c.values('services', 'application/')) {
          const app = effectiveApplication(reader, raw as unknown as ApplicationRecord);
          const service = readServiceVersion(reader, app.agency, app.service, app.version)!;
          // No officer action by the applicant, ever.
          for (const h of app.history) if (h.action !== 'submit' && h.action !== 'resubmit') assert.notEqual(h.by, app.applicant, `self-action ${h.action}`);
          // Steps complete in order, each once, each by its role (payment steps: by a paid invoice).
          const completions = app.history.filter((h) => h.action === 'approve' || h.action === 'paid');
          completions.forEach((h, i) => {
            assert.equal(h.step, i, 'a step was skipped or repeated');
            assert.equal(h.role, service.steps[i]!.role, 'a step was done by the wrong role');
            if (h.action === 'approve') assert.equal(service.steps[i]!.kind, 'review');
            else assert.equal(service.steps[i]!.kind, 'payment');
          });
          assert.equal(app.step, completions.length);
          if (app.status === 'approved') {
            completed += 1;
            assert.equal(completions.length, service.steps.length, 'approved without every step');
            const inv = c.get('payments', `invoice/${c.get('payments', `byref/services/application/${app.id}`)}`) as unknown as InvoiceRecord;
            assert.ok(inv.status === 'paid' || inv.status === 'refunded', 'approved without payment');
          }
        }
        // Revenue accounts balance; cash equals fees paid and not refunded; references pay once.
        const paidOut = new Map<string, number>();
        const refs = new Set<string>();
        for (const v of c.values('payments', 'invoice/')) {
          const inv = v as unknown as InvoiceRecord;
          if (inv.status === 'paid') paidOut.set(inv.agency, (paidOut.get(inv.agency) ?? 0) + inv.amount);
          if (inv.paymentRef !== undefined) {
            assert.ok(!refs.has(inv.paymentRef), 'a payment reference paid twice');
            refs.add(inv.paymentRef);
          }
        }
        for (const v of c.values('payments', 'accounts/')) {
          const a = v as unknown as AgencyAccounts;
          assert.ok(accountsBalance(a), `accounts of ${a.agency} do not balance`);
          const cash = a.balances.cash ?? { debit: 0, credit: 0 };
          assert.equal(cash.debit - cash.credit, paidOut.get(a.agency) ?? 0);
        }
      }),
      { numRuns: 300, seed: 42 },
    );
    if (process.env.DEBUG_PROPS) console.log([...OUTCOMES].sort().join('\n'));
    assert.equal(runs, 300);
    assert.ok(completed >= 20, `only ${completed} applications completed: the property would be nearly vacuous`);
  });

  test('accountability: deadlines from ledger time; overdue applications are public, without personal data', () => {
    const c = new MemoryChain(base);
    const land = dids.get('agency-land')!;
    const an = dids.get('citizen-an')!;
    const minh = dids.get('officer-land-minh')!;
    assert.equal(c.run(land, 'services.define_service', { id: 'quick', name: 'Quick', steps: [{ name: 'check', role: 'service_officer', kind: 'review' }], documents: [], fee: 0, timeLimitDays: 2 }).outcome, 'ok');
    const late = c.run(an, 'services.submit', { agency: land, service: 'quick', documents: {} });
    const onTime = c.run(an, 'services.submit', { agency: land, service: 'quick', documents: {} });
    assert.equal(c.run(minh, 'services.accept', { application: onTime.txid }).outcome, 'ok');
    assert.equal(c.run(minh, 'services.approve', { application: onTime.txid }).outcome, 'ok');
    // Three ledger days later (each transaction advances the block clock).
    assert.equal(c.run(minh, 'services.accept', { application: late.txid }, 3 * 86_400_000).outcome, 'ok');
    const app = c.get('services', `application/${late.txid}`) as unknown as ApplicationRecord;
    const asOf = new Date(Date.parse(app.history.at(-1)!.time)).toISOString();
    const query = registry.module('services')!.queries!.accountability!;
    const a = query.run({ get: (m, k) => c.get(m, k) }, { agency: land, service: 'quick', asOf }) as unknown as { submitted: number; open: number; approved: number; meanProcessingDays: number; overdue: Array<{ application: string; daysOverdue: number; status: string }> };
    assert.equal(a.submitted, 2);
    assert.equal(a.approved, 1);
    assert.equal(a.open, 1);
    assert.deepEqual(a.overdue.map((o) => [o.application, o.daysOverdue, o.status]), [[late.txid, 1, 'in_review']]);
    assert.ok(a.meanProcessingDays > 0 && a.meanProcessingDays < 0.2, String(a.meanProcessingDays));
    assert.ok(!JSON.stringify(a).includes(an), 'no applicant DID');
    // Before the deadline nothing is overdue.
    const early = query.run({ get: (m, k) => c.get(m, k) }, { agency: land, service: 'quick', asOf: app.submitted }) as unknown as { overdue: unknown[] };
    assert.equal(early.overdue.length, 0);
  });

  test('the balance check itself catches an unbalanced ledger', () => {
    const good: AgencyAccounts = { agency: 'x', currency: 'VND', entries: 1, debits: 5, credits: 5, balances: { cash: { debit: 5, credit: 0 }, revenue: { debit: 0, credit: 5 } } };
    assert.ok(accountsBalance(good));
    assert.ok(!accountsBalance({ ...good, balances: { ...good.balances, cash: { debit: 6, credit: 0 } } }));
    assert.ok(!accountsBalance({ ...good, credits: 4 }));
  });
});

// The registries (docs/registries.md) end to end through the API on one demo chain: each
// registry's main story, its refusals, and its main records proven to a light client from
// a quorum-verified checkpoint. Payments come from a TEST-ONLY fixture module with the
// payments state contract (test/support/payments-fixture.ts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, smtProofFromJson, stateMapKey, stateValueHash, toBase64Url, toHex, verifyCheckpointNote, verifySmtProof, type JsonValue } from '@govchain/core';
import { bidCommitment, historyEntryHash, type HistoryEntry } from '@govchain/modules';
import { createApiServer } from '@govchain/api';
import type { GovchainNode } from '@govchain/node';
import type { FastifyInstance } from 'fastify';
import { demoChain, startNode } from './support/chain.js';
import { registryWithPaymentsFixture } from './support/payments-fixture.js';
import { demoActors, digestOf, fromNow, newBusiness, proveToLightClient, send, sendOk, sentTypes, sleep, type Actor } from './support/actors.js';

let chain: ReturnType<typeof demoChain>;
let node: GovchainNode;
let app: FastifyInstance;
let cast: Map<string, Actor>;
const who = (name: string): Actor => cast.get(name)!;
const tx = (signers: Actor[], type: string, payload: Record<string, JsonValue>) => send(app, node.chainId, signers, type, payload);
const ok = (signers: Actor[], type: string, payload: Record<string, JsonValue>) => sendOk(app, node.chainId, signers, type, payload);
const get = async (url: string) => {
  const res = await app.inject(url);
  assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
  return res.json();
};
/** An invoice issued by `agency` to `payer` for `ref`, paid by `payer` (payments fixture). */
async function paidInvoice(agency: Actor, payer: Actor, amount: number, ref: { module: string; key: string }, pay = true): Promise<string> {
  const id = `inv-${toHex(randomBytes(6))}`;
  await ok([agency], 'payments.issue', { id, payer: payer.did, amount, purpose: `${ref.module} ${ref.key}`, ref });
  if (pay) await ok([payer], 'payments.pay', { id, paymentRef: toHex(randomBytes(8)) });
  return id;
}

before(async () => {
  chain = demoChain();
  node = await startNode(chain.dir, { modules: registryWithPaymentsFixture() });
  app = await createApiServer({ node });
  cast = demoActors(chain.dir);
});
after(async () => {
  await app.close();
  await node.stop();
  chain.cleanup();
});

describe('land registry', () => {
  test('parcel, title, a transfer signed by both parties with the tax paid, mortgage, freeze, subdivision, merger; history proven from a checkpoint', async () => {
    const [minh, an, binh, chi, son] = ['officer-land-minh', 'citizen-an', 'citizen-binh', 'citizen-chi', 'officer-treasury-son'].map(who) as [Actor, Actor, Actor, Actor, Actor];
    const parcel = { id: 'HCM-Q1-0001', area: 1000, landUse: 'residential', geometryDigest: digestOf('geojson-1'), owners: [{ holder: an.did, share: '1/2' }, { holder: binh.did, share: '2/4' }] };
    // Refusals: wrong role, shares not summing to one.
    assert.equal(await tx([an], 'land.register_parcel', parcel), 'auth.not_officer');
    assert.equal(await tx([who('officer-tax-hoa')], 'land.register_parcel', parcel), 'auth.missing_role');
    assert.equal(await tx([minh], 'land.register_parcel', { ...parcel, owners: [{ holder: an.did, share: '1/2' }, { holder: binh.did, share: '1/3' }] }), 'land.shares_not_one');
    await ok([minh], 'land.register_parcel', parcel);
    assert.deepEqual((await get(`/v1/land/parcels/${parcel.id}`)).parcel.owners.map((o: { share: string }) => o.share), ['1/2', '1/2']);
    await ok([minh], 'land.issue_title', { parcel: parcel.id, digest: digestOf('title-1') });
    assert.equal((await get(`/v1/land/parcels/${parcel.id}`)).title.current, true);

    // Transfer: both signatures, then the registrar, once the 2% tax is paid.
    const t1 = { id: 'T-1', parcel: parcel.id, seller: an.did, buyer: chi.did, share: '1/2', price: 1_000_000_000 };
    assert.equal(await tx([an], 'land.propose_transfer', t1), 'land.signature_missing');
    await ok([an, chi], 'land.propose_transfer', t1);
    const transfer = await get('/v1/land/transfers/T-1');
    assert.equal(transfer.tax, 20_000_000);
    assert.equal(await tx([minh], 'land.approve_transfer', { transfer: 'T-1' }), 'invoice.not_found');
    const wrongRef = await paidInvoice(son, chi, 20_000_000, { module: 'land', key: 'transfer/T-0' });
    assert.equal(await tx([minh], 'land.approve_transfer', { transfer: 'T-1', invoice: wrongRef }), 'invoice.mismatch');
    const unpaid = await paidInvoice(son, chi, 20_000_000, { module: 'land', key: 'transfer/T-1' }, false);
    assert.equal(await tx([minh], 'land.approve_transfer', { transfer: 'T-1', invoice: unpaid }), 'invoice.unpaid');
    const short = await paidInvoice(son, chi, 19_999_999, { module: 'land', key: 'transfer/T-1' });
    assert.equal(await tx([minh], 'land.approve_transfer', { transfer: 'T-1', invoice: short }), 'invoice.mismatch');
    const paid = await paidInvoice(son, chi, 20_000_000, { module: 'land', key: 'transfer/T-1' });
    assert.equal(await tx([chi], 'land.approve_transfer', { transfer: 'T-1', invoice: paid }), 'auth.not_officer');
    await ok([minh], 'land.approve_transfer', { transfer: 'T-1', invoice: paid });
    assert.equal(await tx([minh], 'land.approve_transfer', { transfer: 'T-1', invoice: paid }), 'land.not_pending');
    assert.equal((await get(`/v1/land/parcels/${parcel.id}`)).title.current, false, 'the title predates the transfer');
    assert.deepEqual((await get(`/v1/land/parcels/${parcel.id}`)).parcel.owners, [{ holder: binh.did, share: '1/2' }, { holder: chi.did, share: '1/2' }].sort((a, b) => (a.holder < b.holder ? -1 : 1)));

    // Double spend: binh gives the same half to two people; both approvals race, exactly one wins.
    const hanoi = who('business-hanoi-build');
    await ok([binh, an], 'land.propose_transfer', { id: 'T-2', parcel: parcel.id, seller: binh.did, buyer: an.did, share: '1/2', price: 0 });
    await ok([binh, hanoi], 'land.propose_transfer', { id: 'T-3', parcel: parcel.id, seller: binh.did, buyer: hanoi.did, share: '1/2', price: 0 });
    const race = await Promise.all([tx([minh], 'land.approve_transfer', { transfer: 'T-2' }), tx([minh], 'land.approve_transfer', { transfer: 'T-3' })]);
    assert.deepEqual([...race].sort(), ['land.insufficient_share', 'ok']);
    const owners = (await get(`/v1/land/parcels/${parcel.id}`)).parcel.owners as Array<{ holder: string; share: string }>;
    assert.equal(owners.length, 2);
    assert.ok(!owners.some((o) => o.holder === binh.did));
    const [o1, o2] = owners.map((o) => o.holder);

    // Mortgage by a bank (a business the registrar lists as a bank) blocks transfers until released.
    const bank = await newBusiness(app, node.chainId, who('officer-identity-lan'));
    const owner1 = [an, chi, hanoi].find((a) => a.did === o1)!;
    const owner2 = [an, chi, hanoi].find((a) => a.did === o2)!;
    // A pending transfer can be withdrawn by a party (not by a stranger), then never approved.
    await ok([owner1, binh], 'land.propose_transfer', { id: 'T-7', parcel: parcel.id, seller: owner1.did, buyer: binh.did, share: '1/4', price: 0 });
    assert.equal(await tx([who('business-saigon-coffee')], 'land.cancel_transfer', { transfer: 'T-7' }), 'auth.not_officer');
    await ok([binh], 'land.cancel_transfer', { transfer: 'T-7' });
    assert.equal(await tx([minh], 'land.approve_transfer', { transfer: 'T-7' }), 'land.not_pending');
    const mortgage = { id: 'M-1', parcel: parcel.id, amount: 500_000_000, contract: digestOf('loan') };
    assert.equal(await tx([bank, owner1, owner2], 'land.register_mortgage', mortgage), 'land.not_bank');
    assert.equal(await tx([an], 'land.register_bank', { bank: bank.did, licence: digestOf('licence') }), 'auth.not_officer');
    await ok([minh], 'land.register_bank', { bank: bank.did, licence: digestOf('licence') });
    assert.equal(await tx([bank, owner1], 'land.register_mortgage', mortgage), 'land.signature_missing');
    await ok([bank, owner1, owner2], 'land.register_mortgage', mortgage);
    assert.equal(await tx([owner1, binh], 'land.propose_transfer', { id: 'T-4', parcel: parcel.id, seller: owner1.did, buyer: binh.did, share: '1/2', price: 0 }), 'land.mortgaged');
    assert.equal(await tx([owner1], 'land.release_mortgage', { id: 'M-1' }), 'land.not_bank');
    await ok([bank], 'land.release_mortgage', { id: 'M-1' });

    // Freeze for a dispute.
    await ok([minh], 'land.freeze', { parcel: parcel.id, reason: digestOf('court-case-77') });
    assert.equal(await tx([owner1, binh], 'land.propose_transfer', { id: 'T-5', parcel: parcel.id, seller: owner1.did, buyer: binh.did, share: '1/2', price: 0 }), 'land.frozen');
    const parts = [{ id: 'HCM-Q1-0001-A', area: 600, geometryDigest: digestOf('geo-a') }, { id: 'HCM-Q1-0001-B', area: 400, geometryDigest: digestOf('geo-b') }];
    assert.equal(await tx([minh], 'land.subdivide', { parcel: parcel.id, parts }), 'land.frozen');
    await ok([minh], 'land.unfreeze', { parcel: parcel.id, reason: digestOf('judgment') });

    // Subdivision and merger.
    assert.equal(await tx([minh], 'land.subdivide', { parcel: parcel.id, parts: [parts[0]!, { ...parts[1]!, area: 399 }] }), 'land.area_mismatch');
    await ok([minh], 'land.subdivide', { parcel: parcel.id, parts });
    assert.equal(await tx([owner1, binh], 'land.propose_transfer', { id: 'T-6', parcel: parcel.id, seller: owner1.did, buyer: binh.did, share: '1/2', price: 0 }), 'land.retired');
    await ok([minh], 'land.merge', { parcels: parts.map((p) => p.id), into: { id: 'HCM-Q1-0002', geometryDigest: digestOf('geo-merged'), landUse: 'commercial' } });
    const listed = (await get(`/v1/land/parcels?owner=${owner1.did}`)).parcels.map((p: { id: string }) => p.id);
    assert.deepEqual(listed, ['HCM-Q1-0002']);
    assert.equal((await app.inject('/v1/land/parcels/bad%20id')).json().code, 'request.invalid');
    assert.equal((await app.inject('/v1/land/parcels/NOPE')).statusCode, 404);
    const merged = (await get('/v1/land/parcels/HCM-Q1-0002')).parcel;
    assert.equal(merged.area, 1000);
    assert.deepEqual(merged.owners, owners);
    assert.deepEqual(merged.parents, parts.map((p) => p.id));

    // The whole history of the first parcel, proven entry by entry from a certified checkpoint.
    const h = await get(`/v1/land/parcels/${parcel.id}/history?proof=1`);
    const v = await get('/v1/validators');
    const entries: HistoryEntry[] = [];
    for (const item of [h.parcel, ...h.entries]) {
      const { checkpoint } = verifyCheckpointNote(item.checkpoint, v.vkeys, v.quorum);
      assert.ok(verifySmtProof(checkpoint.stateRoot, stateMapKey('land', item.stateKey.key), stateValueHash(item.value), smtProofFromJson(item.proof)), item.stateKey.key);
      if (item !== h.parcel) entries.push(item.value);
    }
    assert.deepEqual(entries.map((e) => e.action), ['registered', 'title_issued', 'transferred', 'transferred', 'mortgaged', 'mortgage_released', 'frozen', 'unfrozen', 'subdivided']);
    entries.forEach((e, i) => assert.equal(e.prev, i === 0 ? null : historyEntryHash(entries[i - 1]!), `entry ${i + 1} is chained`));
    assert.equal(h.parcel.value.head, historyEntryHash(entries.at(-1)!));
    assert.equal(h.parcel.value.version, entries.length);
    // Main records, proven to a light client.
    assert.equal(((await proveToLightClient(app, 'land', 'transfer/T-1')) as { status: string }).status, 'completed');
    assert.equal(((await proveToLightClient(app, 'land', `title/${parcel.id}`)) as { digest: string }).digest, digestOf('title-1'));
    assert.equal(((await proveToLightClient(app, 'land', 'parcel/HCM-Q1-0002')) as { area: number }).area, 1000);
    assert.equal(((await proveToLightClient(app, 'land', 'mortgage/M-1')) as { status: string }).status, 'released');
  });
});

function lastMonth(): string {
  const d = new Date();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - 1);
  return d.toISOString().slice(0, 7);
}

describe('tax', () => {
  test('taxpayers, e-invoices (duplicates, unregistered and suspended sellers refused), declarations checked against invoices, assessment paid, public statistics', async () => {
    const [hoa, coffee, build, an, son] = ['officer-tax-hoa', 'business-saigon-coffee', 'business-hanoi-build', 'citizen-an', 'officer-treasury-son'].map(who) as [Actor, Actor, Actor, Actor, Actor];
    assert.equal(await tx([an], 'tax.register_taxpayer', { business: coffee.did }), 'auth.not_officer');
    assert.equal(await tx([who('officer-land-minh')], 'tax.register_taxpayer', { business: coffee.did }), 'auth.missing_role');
    assert.equal(await tx([hoa], 'tax.register_taxpayer', { business: an.did }), 'tax.not_business');
    await ok([hoa], 'tax.register_taxpayer', { business: coffee.did });
    await ok([hoa], 'tax.register_taxpayer', { business: build.did });
    const period = lastMonth();
    const issued = `${period}-15`;
    const d1 = digestOf('einvoice-1');
    await ok([coffee], 'tax.record_invoice', { digest: d1, buyer: build.did, issued, amount: 1_000_000, vat: 100_000 });
    await ok([coffee], 'tax.record_invoice', { digest: digestOf('einvoice-2'), issued, amount: 2_500_000, vat: 250_000 });
    assert.equal(await tx([coffee], 'tax.record_invoice', { digest: d1, issued, amount: 1_000_000, vat: 100_000 }), 'tax.duplicate_invoice');
    assert.equal((await app.inject({ method: 'POST', url: '/v1/txs', payload: {} })).statusCode, 400);
    const stranger = await newBusiness(app, node.chainId, who('officer-identity-lan'));
    assert.equal(await tx([stranger], 'tax.record_invoice', { digest: digestOf('einvoice-x'), issued, amount: 10, vat: 1 }), 'tax.not_taxpayer');
    await ok([hoa], 'tax.suspend_taxpayer', { business: build.did, reason: digestOf('fraud-inquiry') });
    assert.equal(await tx([build], 'tax.record_invoice', { digest: digestOf('einvoice-3'), issued, amount: 10, vat: 1 }), 'tax.suspended');
    await ok([hoa], 'tax.reinstate_taxpayer', { business: build.did, reason: digestOf('cleared') });
    await ok([build], 'tax.record_invoice', { digest: digestOf('einvoice-3'), issued, amount: 400_000, vat: 40_000 });

    // Declarations: totals must match the recorded invoices; the current month is not over.
    assert.equal(await tx([coffee], 'tax.declare', { period, invoices: 2, amount: 3_500_000, vat: 300_000 }), 'tax.declaration_mismatch');
    assert.equal(await tx([coffee], 'tax.declare', { period: new Date().toISOString().slice(0, 7), invoices: 0, amount: 0, vat: 0 }), 'tax.period_open');
    await ok([coffee], 'tax.declare', { period, invoices: 2, amount: 3_500_000, vat: 350_000 });
    assert.equal(await tx([coffee], 'tax.record_invoice', { digest: digestOf('einvoice-late'), issued, amount: 1, vat: 0 }), 'tax.period_declared');
    const decl = await get(`/v1/tax/declarations/${coffee.did}/${period}`);
    assert.deepEqual({ invoices: decl.recorded.invoices, amount: decl.recorded.amount, vat: decl.recorded.vat }, { invoices: 2, amount: 3_500_000, vat: 350_000 });

    // Assessment settled by a paid invoice of the payments module.
    assert.equal(await tx([hoa], 'tax.assess', { id: 'A-1', taxpayer: build.did, period, amount: 40_000 }), 'tax.not_declared');
    await ok([hoa], 'tax.assess', { id: 'A-1', taxpayer: coffee.did, period, amount: 350_000 });
    const wrongPayer = await paidInvoice(son, build, 350_000, { module: 'tax', key: 'assessment/A-1' });
    assert.equal(await tx([coffee], 'tax.settle', { assessment: 'A-1', invoice: wrongPayer }), 'invoice.mismatch');
    const inv = await paidInvoice(son, coffee, 350_000, { module: 'tax', key: 'assessment/A-1' });
    await ok([coffee], 'tax.settle', { assessment: 'A-1', invoice: inv });
    assert.equal(await tx([coffee], 'tax.settle', { assessment: 'A-1', invoice: inv }), 'tax.already_paid');
    assert.equal((await get('/v1/tax/assessments/A-1')).status, 'paid');

    const stats = await get('/v1/tax/stats');
    assert.deepEqual(stats.overall, { taxpayers: 2, invoices: 3, amount: 3_900_000, vat: 390_000, declarations: 1, assessed: 350_000, collected: 350_000 });
    assert.equal(stats.periods[period].invoices, 3);
    assert.equal((await app.inject(`/v1/tax/invoices/${digestOf('nope')}`)).statusCode, 404);
    assert.equal(((await proveToLightClient(app, 'tax', `invoice/${d1}`)) as { vat: number }).vat, 100_000);
    assert.equal(((await proveToLightClient(app, 'tax', `declaration/${coffee.did}/${period}`)) as { amount: number }).amount, 3_500_000);
    assert.equal(((await proveToLightClient(app, 'tax', 'assessment/A-1')) as { status: string }).status, 'paid');
  });
});

describe('public procurement', () => {
  test('tender, sealed bids by commit-reveal on ledger time, late and unrevealed bids refused, committee scores, award, contract, milestone paid', async () => {
    const [quang, vy, coffee, build, an] = ['officer-procurement-quang', 'officer-audit-vy', 'business-saigon-coffee', 'business-hanoi-build', 'citizen-an'].map(who) as [Actor, Actor, Actor, Actor, Actor];
    const silent = await newBusiness(app, node.chainId, who('officer-identity-lan'));
    const late = await newBusiness(app, node.chainId, who('officer-identity-lan'));
    const deadline = fromNow(3000);
    const revealUntil = new Date(Date.parse(deadline) + 2000).toISOString();
    const tender = { id: 'TD-2026-01', title: 'School roof repair', documents: [digestOf('tender-docs')], criteria: [{ name: 'price', weight: 60 }, { name: 'quality', weight: 40 }], deadline, revealUntil, committee: [quang.did, vy.did] };
    assert.equal(await tx([an], 'procurement.publish_tender', tender), 'auth.not_officer');
    await ok([quang], 'procurement.publish_tender', tender);
    assert.equal(await tx([an], 'procurement.register_bidder', { tender: tender.id }), 'auth.not_registered');
    for (const b of [coffee, build, silent]) await ok([b], 'procurement.register_bidder', { tender: tender.id });
    const bids = new Map<string, { price: number; document: string; salt: string }>([
      [coffee.did, { price: 900_000_000, document: digestOf('offer-coffee'), salt: toBase64Url(randomBytes(16)) }],
      [build.did, { price: 800_000_000, document: digestOf('offer-build'), salt: toBase64Url(randomBytes(16)) }],
      [silent.did, { price: 700_000_000, document: digestOf('offer-silent'), salt: toBase64Url(randomBytes(16)) }],
    ]);
    for (const b of [coffee, build, silent]) await ok([b], 'procurement.commit_bid', { tender: tender.id, commitment: bidCommitment({ tender: tender.id, bidder: b.did, ...bids.get(b.did)! }) });
    assert.equal(await tx([late], 'procurement.commit_bid', { tender: tender.id, commitment: digestOf('x') }), 'procurement.not_bidder');

    // Before the deadline nothing of a bid but its salted hash is anywhere in state.
    const view = await get(`/v1/procurement/tenders/${tender.id}`);
    assert.deepEqual(view.bids.map((b: object) => Object.keys(b).sort()), [0, 1, 2].map(() => ['bidder', 'commitment', 'committed', 'status', 'tender']));
    const all = [...node.store.stateEntries()].map((e) => e.value).join('\n');
    for (const b of bids.values()) {
      assert.ok(!all.includes(b.document) && !all.includes(b.salt) && !all.includes(String(b.price)), 'a bid leaked before the deadline');
    }
    const c = bids.get(coffee.did)!;
    assert.equal(await tx([coffee], 'procurement.reveal_bid', { tender: tender.id, ...c }), 'procurement.too_early');

    await sleep(Date.parse(deadline) - Date.now() + 50);
    assert.equal(await tx([coffee], 'procurement.commit_bid', { tender: tender.id, commitment: digestOf('changed my mind') }), 'procurement.deadline_passed');
    assert.equal(await tx([late], 'procurement.register_bidder', { tender: tender.id }), 'procurement.deadline_passed');
    assert.equal(await tx([coffee], 'procurement.reveal_bid', { tender: tender.id, ...c, price: c.price - 1 }), 'procurement.bad_reveal');
    await ok([coffee], 'procurement.reveal_bid', { tender: tender.id, ...c });
    await ok([build], 'procurement.reveal_bid', { tender: tender.id, ...bids.get(build.did)! });
    assert.equal(await tx([quang], 'procurement.score', { tender: tender.id, bidder: coffee.did, scores: { price: 50, quality: 90 } }), 'procurement.too_early');

    await sleep(Date.parse(revealUntil) - Date.now() + 50);
    assert.equal(await tx([silent], 'procurement.reveal_bid', { tender: tender.id, ...bids.get(silent.did)! }), 'procurement.reveal_closed');
    assert.equal(await tx([quang], 'procurement.score', { tender: tender.id, bidder: silent.did, scores: { price: 100, quality: 100 } }), 'procurement.not_revealed');
    assert.equal(await tx([who('officer-tax-hoa')], 'procurement.score', { tender: tender.id, bidder: coffee.did, scores: { price: 50, quality: 90 } }), 'procurement.not_committee');
    assert.equal(await tx([quang], 'procurement.score', { tender: tender.id, bidder: coffee.did, scores: { price: 50 } }), 'procurement.bad_criteria');
    await ok([quang], 'procurement.score', { tender: tender.id, bidder: coffee.did, scores: { price: 70, quality: 90 } });
    assert.equal(await tx([quang], 'procurement.award', { tender: tender.id, bidder: build.did }), 'procurement.scoring_incomplete');
    await ok([vy], 'procurement.score', { tender: tender.id, bidder: coffee.did, scores: { price: 70, quality: 80 } });
    await ok([quang], 'procurement.score', { tender: tender.id, bidder: build.did, scores: { price: 90, quality: 70 } });
    await ok([vy], 'procurement.score', { tender: tender.id, bidder: build.did, scores: { price: 90, quality: 80 } });
    // coffee: 70*60+90*40 + 70*60+80*40 = 15200; build: 90*60+70*40 + 90*60+80*40 = 16800
    assert.equal(await tx([quang], 'procurement.award', { tender: tender.id, bidder: coffee.did }), 'procurement.not_best');
    assert.equal(await tx([who('officer-land-minh')], 'procurement.award', { tender: tender.id, bidder: build.did }), 'auth.missing_role');
    await ok([quang], 'procurement.award', { tender: tender.id, bidder: build.did });
    const awarded = await get(`/v1/procurement/tenders/${tender.id}`);
    assert.deepEqual(awarded.tender.award, { bidder: build.did, price: 800_000_000, score: 16_800, height: awarded.tender.award.height });
    assert.deepEqual(awarded.tender.disqualified, [silent.did]);

    const contract = { id: 'CT-1', tender: tender.id, digest: digestOf('contract'), milestones: [{ amount: 300_000_000, deliverable: digestOf('m1') }, { amount: 500_000_000, deliverable: digestOf('m2') }] };
    assert.equal(await tx([quang], 'procurement.sign_contract', contract), 'procurement.signature_missing');
    assert.equal(await tx([quang, build], 'procurement.sign_contract', { ...contract, milestones: contract.milestones.slice(0, 1) }), 'procurement.amount_mismatch');
    await ok([quang, build], 'procurement.sign_contract', contract);
    const inv = await paidInvoice(build, quang, 300_000_000, { module: 'procurement', key: 'contract/CT-1/milestone/1' });
    assert.equal(await tx([quang], 'procurement.pay_milestone', { contract: 'CT-1', milestone: 2, invoice: inv }), 'invoice.mismatch');
    await ok([quang], 'procurement.pay_milestone', { contract: 'CT-1', milestone: 1, invoice: inv });
    assert.equal((await get('/v1/procurement/contracts/CT-1')).milestones[0].status, 'paid');
    assert.equal(((await proveToLightClient(app, 'procurement', `tender/${tender.id}`)) as { status: string }).status, 'awarded');
    assert.equal(((await proveToLightClient(app, 'procurement', `bid/${tender.id}/${silent.did}`)) as { status: string }).status, 'disqualified');
    assert.equal(((await proveToLightClient(app, 'procurement', 'contract/CT-1')) as { contractor: string }).contractor, build.did);
  });
});

describe('health consent', () => {
  test('consent for a period, recorded accesses the patient sees, revocation, expiry, break-glass flagged and reviewed', async () => {
    const [an, binh, thu, hoa, vy] = ['citizen-an', 'citizen-binh', 'officer-health-thu', 'officer-tax-hoa', 'officer-audit-vy'].map(who) as [Actor, Actor, Actor, Actor, Actor];
    const until = fromNow(2500);
    const consent = { id: 'C-1', provider: thu.did, categories: ['laboratory', 'imaging'], until };
    assert.equal(await tx([thu], 'health.grant', consent), 'health.not_patient');
    assert.equal(await tx([an], 'health.grant', { ...consent, provider: hoa.did }), 'health.not_provider');
    await ok([an], 'health.grant', consent);
    await ok([an], 'health.grant', { id: 'C-2', provider: thu.did, categories: ['general'], until: fromNow(600_000) });
    const access = { patient: an.did, consent: 'C-1', category: 'laboratory', digest: digestOf('lab-result-1') };
    await ok([thu], 'health.record_access', access);
    assert.equal(await tx([thu], 'health.record_access', { ...access, category: 'genetic' }), 'health.no_consent');
    assert.equal(await tx([hoa], 'health.record_access', access), 'auth.missing_role');
    assert.equal(await tx([an], 'health.record_access', access), 'auth.not_officer');
    assert.equal(await tx([thu], 'health.record_access', { ...access, patient: binh.did }), 'health.no_consent');
    await ok([thu], 'health.record_access', { ...access, consent: 'C-2', category: 'general' });
    assert.equal(await tx([thu], 'health.revoke', { consent: 'C-2' }), 'health.not_patient');
    await ok([an], 'health.revoke', { consent: 'C-2' });
    assert.equal(await tx([thu], 'health.record_access', { ...access, consent: 'C-2', category: 'general' }), 'health.consent_revoked');

    // Break-glass: no consent needed, but recorded, flagged, and reviewed by an auditor.
    assert.equal(await tx([thu], 'health.record_access', { patient: binh.did, consent: 'C-1', category: 'general', digest: digestOf('er') }), 'health.no_consent');
    await ok([thu], 'health.break_glass', { patient: binh.did, category: 'general', digest: digestOf('er-chart'), reason: digestOf('unconscious patient') });
    const pending = (await get('/v1/health/reviews')).pending;
    assert.equal(pending.length, 1);
    assert.equal(pending[0].patient, binh.did);
    assert.equal(await tx([thu], 'health.review', { patient: binh.did, access: 1, outcome: 'justified', note: digestOf('ok') }), 'auth.missing_role');
    await ok([vy], 'health.review', { patient: binh.did, access: 1, outcome: 'justified', note: digestOf('ok') });
    assert.equal((await get('/v1/health/reviews')).pending.length, 0);

    // Expiry by ledger time.
    await sleep(Date.parse(until) - Date.now() + 50);
    assert.equal(await tx([thu], 'health.record_access', access), 'health.consent_expired');

    // The patient sees every access to their records; nothing but digests is on the ledger.
    const seen = await get(`/v1/health/patients/${an.did}/accesses`);
    assert.equal(seen.count, 2);
    assert.deepEqual(seen.accesses.map((a: { category: string; provider: string }) => [a.category, a.provider]), [['laboratory', thu.did], ['general', thu.did]]);
    const binhSeen = await get(`/v1/health/patients/${binh.did}/accesses`);
    assert.equal(binhSeen.accesses[0].flagged, true);
    assert.equal(binhSeen.accesses[0].review.outcome, 'justified');
    assert.equal((await get(`/v1/health/patients/${an.did}/consents`)).consents.length, 2);
    assert.equal(((await proveToLightClient(app, 'health', 'consent/C-2')) as { status: string }).status, 'revoked');
    assert.equal(((await proveToLightClient(app, 'health', `access/${an.did}/1`)) as { digest: string }).digest, digestOf('lab-result-1'));
    assert.equal(((await proveToLightClient(app, 'health', `access/${binh.did}/1`)) as { flagged: boolean }).flagged, true);
  });
});

describe('supply chain', () => {
  test('batches, derivation, custody, certification, recall propagating to derived batches, public verification', async () => {
    const [coffee, build, vy, an] = ['business-saigon-coffee', 'business-hanoi-build', 'officer-audit-vy', 'citizen-an'].map(who) as [Actor, Actor, Actor, Actor];
    assert.equal(await tx([an], 'supply.create_batch', { id: 'B-1', product: 'GTIN-0893000000011', quantity: 1000, unit: 'kg' }), 'auth.not_registered');
    await ok([coffee], 'supply.create_batch', { id: 'B-1', product: 'GTIN-0893000000011', quantity: 1000, unit: 'kg' });
    await ok([coffee], 'supply.create_batch', { id: 'R-1', product: 'GTIN-0893000000028', quantity: 500, unit: 'kg', inputs: [{ batch: 'B-1', quantity: 600 }] });
    await ok([coffee], 'supply.create_batch', { id: 'R-2', product: 'GTIN-0893000000028', quantity: 250, unit: 'kg', inputs: [{ batch: 'B-1', quantity: 300 }] });
    assert.equal(await tx([coffee], 'supply.create_batch', { id: 'R-3', product: 'GTIN-0893000000028', quantity: 1, inputs: [{ batch: 'B-1', quantity: 101 }] }), 'supply.insufficient_quantity');
    await ok([coffee], 'supply.create_batch', { id: 'P-1', product: 'GTIN-0893000000035', quantity: 400, unit: 'pack', inputs: [{ batch: 'R-1', quantity: 100 }] });
    await ok([coffee], 'supply.create_batch', { id: 'X-1', product: 'GTIN-0893000000042', quantity: 10 });
    assert.equal(await tx([build], 'supply.transfer', { batch: 'P-1', to: build.did }), 'supply.not_holder');
    await ok([coffee], 'supply.transfer', { batch: 'P-1', to: build.did });
    assert.equal(await tx([an], 'supply.certify', { batch: 'R-1', standard: 'VietGAP', certificate: digestOf('cert'), until: fromNow(86_400_000) }), 'auth.not_officer');
    await ok([vy], 'supply.certify', { batch: 'P-1', standard: 'VietGAP', certificate: digestOf('cert'), until: fromNow(86_400_000) });

    const before = await get('/v1/supply/verify/P-1');
    assert.equal(before.status, 'certified');
    assert.equal(before.holder, build.did);
    assert.deepEqual(before.origin.map((o: { id: string }) => o.id), ['R-1', 'B-1']);
    assert.deepEqual(before.custody.map((c: { holder: string }) => c.holder), [coffee.did, build.did]);

    assert.equal(await tx([build], 'supply.recall', { batch: 'B-1', reason: digestOf('aflatoxin') }), 'auth.not_officer');
    await ok([coffee], 'supply.recall', { batch: 'B-1', reason: digestOf('aflatoxin') });
    for (const id of ['B-1', 'R-1', 'R-2', 'P-1']) assert.equal((await get(`/v1/supply/batches/${id}`)).recalled?.root, 'B-1', id);
    assert.equal((await get('/v1/supply/batches/X-1')).recalled, undefined);
    const after = await get('/v1/supply/verify/P-1');
    assert.equal(after.status, 'recalled');
    assert.equal(after.recalled.root, 'B-1');
    assert.equal(await tx([build], 'supply.transfer', { batch: 'P-1', to: coffee.did }), 'supply.recalled');
    assert.equal(await tx([coffee], 'supply.create_batch', { id: 'P-2', product: 'GTIN-0893000000035', quantity: 1, inputs: [{ batch: 'R-2', quantity: 1 }] }), 'supply.recalled');
    assert.equal((await app.inject('/v1/supply/verify/NOPE')).statusCode, 404);
    const proven = (await proveToLightClient(app, 'supply', after.proof.key)) as { recalled: { root: string } };
    assert.equal(proven.recalled.root, 'B-1');
  });
});

test('every registry transaction type was exercised by this suite', () => {
  const missing = node.registry.modules
    .filter((m) => ['land', 'tax', 'procurement', 'health', 'supply'].includes(m.name))
    .flatMap((m) => Object.keys(m.txTypes).map((a) => `${m.name}.${a}`))
    .filter((t) => !sentTypes.has(t));
  assert.deepEqual(missing, []);
});

test('the registries appear in the OpenAPI document and survive a full audit', async () => {
  const doc = await get('/openapi.json');
  for (const p of ['/v1/land/parcels/{id}/history', '/v1/tax/stats', '/v1/procurement/tenders/{id}', '/v1/health/patients/{did}/accesses', '/v1/supply/verify/{id}']) assert.ok(doc.paths[p], p);
  const { verifyStore, readGenesis, dataPaths } = await import('@govchain/node');
  const report = verifyStore(node.store, readGenesis(dataPaths(chain.dir).genesis), { mode: 'full', registry: node.registry });
  assert.equal(report.ok, true, report.reason);
});

/**
 * Public procurement: tenders (documents by digest, weighted criteria, a bid deadline and
 * a reveal deadline, an evaluation committee), bidder registration, sealed bids by
 * commit-reveal enforced by block time, committee scores, award, contract and milestone
 * payments by paid invoices. Before the deadline the ledger holds only a salted hash of
 * each bid (`bidCommitment`), so nobody, officials included, can read a bid; a bid not
 * revealed in the reveal window is disqualified. Every step is a public transaction.
 * docs/registries.md.
 *
 * State keys: `tender/<id>`, `bidder/<tender>/<did>`, `bid/<tender>/<did>`, `contract/<id>`.
 */
import { GovchainError, canonicalJson, sha256, toHex, utf8, type JsonValue, type ModuleDefinition, type TxContext } from '@govchain/core';
import { Type, type Static } from '@sinclair/typebox';
import { readDidRecord, requireRole } from '../identity/records.js';
import { requirePaidInvoice } from '../payments-contract.js';
import { Amount, Did, Digest, InvoiceId, RecordId, Time } from '../schemas.js';

const Criterion = Type.String({ pattern: '^[a-z][a-z0-9_]{0,31}$' });
const Salt = Type.String({ pattern: '^[A-Za-z0-9_-]{22,86}$', description: 'random salt, base64url, at least 16 bytes' });

export const PublishTenderPayload = Type.Object(
  {
    id: RecordId,
    title: Type.String({ minLength: 1, maxLength: 200 }),
    documents: Type.Array(Digest, { minItems: 1, maxItems: 50 }),
    criteria: Type.Array(Type.Object({ name: Criterion, weight: Type.Integer({ minimum: 1, maximum: 100 }) }, { additionalProperties: false }), { minItems: 1, maxItems: 20 }),
    deadline: Time,
    revealUntil: Time,
    committee: Type.Array(Did, { minItems: 1, maxItems: 15, uniqueItems: true }),
  },
  { additionalProperties: false },
);
export const TenderRefPayload = Type.Object({ tender: RecordId }, { additionalProperties: false });
export const CommitBidPayload = Type.Object({ tender: RecordId, commitment: Digest }, { additionalProperties: false });
export const RevealBidPayload = Type.Object({ tender: RecordId, price: Amount, document: Digest, salt: Salt }, { additionalProperties: false });
export const ScorePayload = Type.Object(
  { tender: RecordId, bidder: Did, scores: Type.Record(Criterion, Type.Integer({ minimum: 0, maximum: 100 }), { maxProperties: 20 }) },
  { additionalProperties: false },
);
export const AwardPayload = Type.Object({ tender: RecordId, bidder: Did }, { additionalProperties: false });
export const SignContractPayload = Type.Object(
  { id: RecordId, tender: RecordId, digest: Digest, milestones: Type.Array(Type.Object({ amount: Amount, deliverable: Digest }, { additionalProperties: false }), { minItems: 1, maxItems: 50 }) },
  { additionalProperties: false },
);
export const PayMilestonePayload = Type.Object({ contract: RecordId, milestone: Type.Integer({ minimum: 1, maximum: 50 }), invoice: InvoiceId }, { additionalProperties: false });

/** A tender (state `tender/<id>`). */
export interface TenderRecord {
  id: string;
  agency: string;
  officer: string;
  title: string;
  documents: string[];
  criteria: Array<{ name: string; weight: number }>;
  deadline: string;
  revealUntil: string;
  committee: string[];
  bidders: string[];
  status: 'open' | 'awarded' | 'cancelled';
  published: number;
  award?: { bidder: string; price: number; score: number; height: number };
  disqualified?: string[];
}

/** A bid (state `bid/<tender>/<bidder>`): only the commitment until revealed. */
export interface BidRecord {
  tender: string;
  bidder: string;
  commitment: string;
  committed: number;
  status: 'sealed' | 'revealed' | 'disqualified';
  price?: number;
  document?: string;
  revealed?: number;
  /** Committee member -> weighted score (sum of score x weight). */
  scores?: { [member: string]: number };
}

/**
 * The commitment a bidder records before the deadline:
 * hex SHA-256(JCS({"bidder", "document", "price", "salt", "tender"})).
 */
export function bidCommitment(b: { tender: string; bidder: string; price: number; document: string; salt: string }): string {
  return toHex(sha256(utf8(canonicalJson({ tender: b.tender, bidder: b.bidder, price: b.price, document: b.document, salt: b.salt }))));
}

const F = (name: string): string => `/body/payload/${name}`;
const ms = (t: string): number => Date.parse(t);

function getTender(ctx: TxContext, id: string): TenderRecord {
  const t = ctx.get(`tender/${id}`) as TenderRecord | undefined;
  if (t === undefined) throw new GovchainError('procurement.not_found', `no tender ${id}`, { field: F('tender') });
  return t;
}

function requireTenderOfficer(ctx: TxContext, t: TenderRecord): void {
  const { agency } = requireRole(ctx, 'procurement_officer');
  if (agency.did !== t.agency) throw new GovchainError('auth.other_agency', `tender ${t.id} belongs to another agency`);
}

function getBid(ctx: TxContext, tender: string, bidder: string): BidRecord {
  const b = ctx.get(`bid/${tender}/${bidder}`) as BidRecord | undefined;
  if (b === undefined) throw new GovchainError('procurement.no_bid', `${bidder} has no bid on tender ${tender}`, { field: F('bidder') });
  return b;
}

/**
 * Total committee score of a bid: the sum of the members' weighted scores (an integer).
 * At award every member has scored every revealed bid, so totals rank like averages.
 */
export function totalScore(b: BidRecord): number {
  return Object.values(b.scores ?? {}).reduce((x, y) => x + y, 0);
}

const put = (ctx: TxContext, key: string, v: object): void => ctx.set(key, v as unknown as JsonValue);

/** The procurement module definition. */
export const procurementModule: ModuleDefinition = {
  name: 'procurement',
  description: 'Public procurement: tenders, sealed bids by commit-reveal, committee scores, award, contracts, milestone payments.',
  txTypes: {
    publish_tender: {
      schema: PublishTenderPayload,
      description: 'Publish a tender: documents by digest, weighted criteria, bid deadline, reveal deadline, committee. Procurement officer only.',
      apply(ctx, p: Static<typeof PublishTenderPayload>) {
        const { agency } = requireRole(ctx, 'procurement_officer');
        if (ctx.get(`tender/${p.id}`) !== undefined) throw new GovchainError('procurement.exists', `tender ${p.id} exists`, { field: F('id') });
        if (!(ms(p.deadline) > ms(ctx.time))) throw new GovchainError('procurement.bad_deadline', 'the deadline must be after the block time', { field: F('deadline') });
        if (!(ms(p.revealUntil) > ms(p.deadline))) throw new GovchainError('procurement.bad_deadline', 'revealUntil must be after the deadline', { field: F('revealUntil') });
        const names = new Set(p.criteria.map((c) => c.name));
        if (names.size !== p.criteria.length) throw new GovchainError('procurement.bad_criteria', 'criteria names must be unique', { field: F('criteria') });
        const state = { get: (m: string, k: string) => ctx.read(m, k) };
        p.committee.forEach((d, i) => {
          const r = readDidRecord(state, d);
          if (r === undefined || r.kind !== 'officer' || r.deactivated !== undefined) throw new GovchainError('procurement.bad_committee', `${d} is not an active officer`, { field: F(`committee/${i}`) });
        });
        const t: TenderRecord = { ...p, agency: agency.did, officer: ctx.signer, bidders: [], status: 'open', published: ctx.height };
        put(ctx, `tender/${p.id}`, t);
        ctx.emit('procurement.published', { tender: p.id, deadline: p.deadline });
      },
    },
    register_bidder: {
      schema: TenderRefPayload,
      description: 'A registered business registers as a bidder on an open tender, before its deadline.',
      apply(ctx, p: Static<typeof TenderRefPayload>) {
        const t = getTender(ctx, p.tender);
        const r = readDidRecord({ get: (m, k) => ctx.read(m, k) }, ctx.signer);
        if (r === undefined || r.kind !== 'business' || r.deactivated !== undefined) throw new GovchainError('auth.not_registered', `${ctx.signer} is not a registered business`);
        if (ms(ctx.time) >= ms(t.deadline)) throw new GovchainError('procurement.deadline_passed', `tender ${t.id} closed at ${t.deadline}`);
        if (t.bidders.includes(ctx.signer)) throw new GovchainError('procurement.exists', `${ctx.signer} is already registered`);
        t.bidders.push(ctx.signer);
        put(ctx, `tender/${t.id}`, t);
        put(ctx, `bidder/${t.id}/${ctx.signer}`, { tender: t.id, bidder: ctx.signer, registered: ctx.height });
        ctx.emit('procurement.bidder_registered', { tender: t.id, bidder: ctx.signer });
      },
    },
    commit_bid: {
      schema: CommitBidPayload,
      description: 'A registered bidder records the salted hash of its bid before the deadline (a later commitment replaces an earlier one).',
      apply(ctx, p: Static<typeof CommitBidPayload>) {
        const t = getTender(ctx, p.tender);
        if (!t.bidders.includes(ctx.signer)) throw new GovchainError('procurement.not_bidder', `${ctx.signer} is not registered on tender ${t.id}`);
        if (ms(ctx.time) >= ms(t.deadline)) throw new GovchainError('procurement.deadline_passed', `tender ${t.id} closed at ${t.deadline}; block time ${ctx.time}`);
        const b: BidRecord = { tender: t.id, bidder: ctx.signer, commitment: p.commitment, committed: ctx.height, status: 'sealed' };
        put(ctx, `bid/${t.id}/${ctx.signer}`, b);
        ctx.emit('procurement.bid_committed', { tender: t.id, bidder: ctx.signer });
      },
    },
    reveal_bid: {
      schema: RevealBidPayload,
      description: 'After the deadline and before revealUntil, the bidder reveals price, document digest and salt; they must hash to its commitment.',
      apply(ctx, p: Static<typeof RevealBidPayload>) {
        const t = getTender(ctx, p.tender);
        if (ms(ctx.time) < ms(t.deadline)) throw new GovchainError('procurement.too_early', `bids on tender ${t.id} open at ${t.deadline}`);
        if (ms(ctx.time) >= ms(t.revealUntil)) throw new GovchainError('procurement.reveal_closed', `the reveal window of tender ${t.id} closed at ${t.revealUntil}`);
        const b = getBid(ctx, t.id, ctx.signer);
        if (b.status !== 'sealed') throw new GovchainError('procurement.already_revealed', 'this bid was already revealed');
        if (bidCommitment({ tender: t.id, bidder: ctx.signer, price: p.price, document: p.document, salt: p.salt }) !== b.commitment) {
          throw new GovchainError('procurement.bad_reveal', 'price, document and salt do not hash to the commitment');
        }
        Object.assign(b, { status: 'revealed', price: p.price, document: p.document, revealed: ctx.height, scores: {} });
        put(ctx, `bid/${t.id}/${ctx.signer}`, b);
        ctx.emit('procurement.bid_revealed', { tender: t.id, bidder: ctx.signer, price: p.price });
      },
    },
    score: {
      schema: ScorePayload,
      description: 'A committee member records scores (0-100 per criterion) for a revealed bid, after the reveal window.',
      apply(ctx, p: Static<typeof ScorePayload>) {
        const t = getTender(ctx, p.tender);
        if (!t.committee.includes(ctx.signer)) throw new GovchainError('procurement.not_committee', `${ctx.signer} is not on the committee of tender ${t.id}`);
        if (ms(ctx.time) < ms(t.revealUntil)) throw new GovchainError('procurement.too_early', `evaluation opens at ${t.revealUntil}`);
        if (t.status !== 'open') throw new GovchainError('procurement.closed', `tender ${t.id} is ${t.status}`);
        const b = getBid(ctx, t.id, p.bidder);
        if (b.status !== 'revealed') throw new GovchainError('procurement.not_revealed', `the bid of ${p.bidder} was never revealed: it is disqualified`, { field: F('bidder') });
        const names = Object.keys(p.scores).sort();
        const want = t.criteria.map((c) => c.name).sort();
        if (canonicalJson(names) !== canonicalJson(want)) throw new GovchainError('procurement.bad_criteria', `scores must cover exactly: ${want.join(', ')}`, { field: F('scores') });
        b.scores = { ...(b.scores ?? {}), [ctx.signer]: t.criteria.reduce((s, c) => s + p.scores[c.name]! * c.weight, 0) };
        put(ctx, `bid/${t.id}/${p.bidder}`, b);
        ctx.emit('procurement.scored', { tender: t.id, bidder: p.bidder, member: ctx.signer, score: b.scores[ctx.signer]! });
      },
    },
    award: {
      schema: AwardPayload,
      description: 'Award the tender to the revealed bid with the best total committee score (ties: lower price) once every member scored every revealed bid; unrevealed bids are disqualified. Procurement officer of the tendering agency.',
      apply(ctx, p: Static<typeof AwardPayload>) {
        const t = getTender(ctx, p.tender);
        requireTenderOfficer(ctx, t);
        if (ms(ctx.time) < ms(t.revealUntil)) throw new GovchainError('procurement.too_early', `evaluation opens at ${t.revealUntil}`);
        if (t.status !== 'open') throw new GovchainError('procurement.closed', `tender ${t.id} is ${t.status}`);
        const bids = t.bidders.map((d) => ctx.get(`bid/${t.id}/${d}`) as BidRecord | undefined).filter((b): b is BidRecord => b !== undefined);
        const revealed = bids.filter((b) => b.status === 'revealed');
        for (const b of revealed) {
          const missing = t.committee.filter((m) => b.scores?.[m] === undefined);
          if (missing.length > 0) throw new GovchainError('procurement.scoring_incomplete', `${missing.join(', ')} did not score the bid of ${b.bidder}`);
        }
        const ranked = [...revealed].sort((a, b) => totalScore(b) - totalScore(a) || a.price! - b.price! || (a.bidder < b.bidder ? -1 : 1));
        const best = ranked[0];
        if (best === undefined) throw new GovchainError('procurement.no_bid', `tender ${t.id} has no revealed bid`);
        if (best.bidder !== p.bidder) throw new GovchainError('procurement.not_best', `the best bid is ${best.bidder}'s (score ${totalScore(best)})`, { field: F('bidder') });
        const disqualified: string[] = [];
        for (const b of bids) {
          if (b.status !== 'sealed') continue;
          b.status = 'disqualified';
          disqualified.push(b.bidder);
          put(ctx, `bid/${t.id}/${b.bidder}`, b);
        }
        t.status = 'awarded';
        t.award = { bidder: best.bidder, price: best.price!, score: totalScore(best), height: ctx.height };
        t.disqualified = disqualified;
        put(ctx, `tender/${t.id}`, t);
        ctx.emit('procurement.awarded', { tender: t.id, bidder: best.bidder, price: best.price!, disqualified });
      },
    },
    sign_contract: {
      schema: SignContractPayload,
      description: 'Record the contract (by digest) with milestones summing to the awarded price; signed by a procurement officer of the agency and the winner.',
      apply(ctx, p: Static<typeof SignContractPayload>) {
        const t = getTender(ctx, p.tender);
        requireTenderOfficer(ctx, t);
        if (t.status !== 'awarded' || t.award === undefined) throw new GovchainError('procurement.not_awarded', `tender ${t.id} is not awarded`);
        if (!ctx.signers.includes(t.award.bidder)) throw new GovchainError('procurement.signature_missing', `the winner ${t.award.bidder} has not signed the contract`);
        if (ctx.get(`contract/${p.id}`) !== undefined) throw new GovchainError('procurement.exists', `contract ${p.id} exists`, { field: F('id') });
        const total = p.milestones.reduce((s, m) => s + m.amount, 0);
        if (total !== t.award.price) throw new GovchainError('procurement.amount_mismatch', `milestones total ${total}, the awarded price is ${t.award.price}`, { field: F('milestones') });
        put(ctx, `contract/${p.id}`, {
          id: p.id,
          tender: t.id,
          agency: t.agency,
          contractor: t.award.bidder,
          digest: p.digest,
          amount: total,
          milestones: p.milestones.map((m, i) => ({ n: i + 1, amount: m.amount, deliverable: m.deliverable, status: 'due' })),
          signed: ctx.height,
        });
        ctx.emit('procurement.contract_signed', { contract: p.id, tender: t.id });
      },
    },
    pay_milestone: {
      schema: PayMilestonePayload,
      description: 'Record a milestone as paid, naming the paid invoice (ref procurement/contract/<id>/milestone/<n>). Procurement officer of the agency.',
      apply(ctx, p: Static<typeof PayMilestonePayload>) {
        const c = ctx.get(`contract/${p.contract}`) as { tender: string; agency: string; milestones: Array<{ n: number; amount: number; status: string; invoice?: string; paid?: number }> } | undefined;
        if (c === undefined) throw new GovchainError('procurement.not_found', `no contract ${p.contract}`, { field: F('contract') });
        requireTenderOfficer(ctx, getTender(ctx, c.tender));
        const m = c.milestones[p.milestone - 1];
        if (m === undefined) throw new GovchainError('procurement.not_found', `contract ${p.contract} has no milestone ${p.milestone}`, { field: F('milestone') });
        if (m.status === 'paid') throw new GovchainError('procurement.already_paid', `milestone ${p.milestone} is paid`, { field: F('milestone') });
        requirePaidInvoice(ctx, p.invoice, { payers: [c.agency, ctx.signer], amount: m.amount, ref: { module: 'procurement', key: `contract/${p.contract}/milestone/${p.milestone}` } });
        Object.assign(m, { status: 'paid', invoice: p.invoice, paid: ctx.height });
        put(ctx, `contract/${p.contract}`, c);
        ctx.emit('procurement.milestone_paid', { contract: p.contract, milestone: p.milestone, amount: m.amount });
      },
    },
  },
};

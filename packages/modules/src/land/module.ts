/**
 * The land registry: parcels (area, land-use class, digest of the GeoJSON geometry),
 * owners with exact shares (shares.ts), title records, transfers signed by seller and
 * buyer and approved by a land registrar once the transfer tax is paid (payments
 * contract), mortgages by banks that block transfers until released, subdivision and
 * merger, freezes for disputes, and a hash-chained history of every parcel whose each
 * entry is a state value (so provable from a checkpoint). docs/registries.md.
 *
 * State keys: `parcel/<id>`, `parcel/<id>/history/<n>` (n = 1..version), `transfer/<id>`,
 * `mortgage/<id>`, `bank/<did>`, `title/<parcel>`.
 */
import { GovchainError, canonicalJson, sha256, toHex, utf8, type JsonValue, type ModuleDefinition, type TxContext } from '@govchain/core';
import { Type, type Static } from '@sinclair/typebox';
import { readDidRecord, requireRole } from '../identity/records.js';
import { requirePaidInvoice } from '../payments-contract.js';
import { Amount, Did, Digest, InvoiceId, RecordId } from '../schemas.js';
import { formatShare, normaliseHoldings, moveShare, parseShare, type Holding } from './shares.js';

/** Transfer tax, in basis points of the declared price (2%), rounded down to whole dong. */
export const TRANSFER_TAX_BPS = 200;
/** Land-use classes. */
export const LAND_USES = ['residential', 'agricultural', 'commercial', 'industrial', 'forest', 'public'] as const;

const LandUse = Type.Union(LAND_USES.map((u) => Type.Literal(u)));
const Share = Type.String({ pattern: '^[0-9]{1,18}/[1-9][0-9]{0,17}$', description: 'exact fraction n/d of the parcel' });
const Area = Type.Integer({ minimum: 1, maximum: 1_000_000_000_000, description: 'square metres' });
const Owners = Type.Array(Type.Object({ holder: Did, share: Share }, { additionalProperties: false }), { minItems: 1, maxItems: 100 });

export const RegisterParcelPayload = Type.Object({ id: RecordId, area: Area, landUse: LandUse, geometryDigest: Digest, owners: Owners }, { additionalProperties: false });
export const IssueTitlePayload = Type.Object({ parcel: RecordId, digest: Digest }, { additionalProperties: false });
export const ProposeTransferPayload = Type.Object(
  { id: RecordId, parcel: RecordId, seller: Did, buyer: Did, share: Share, price: Amount },
  { additionalProperties: false },
);
export const ApproveTransferPayload = Type.Object({ transfer: RecordId, invoice: Type.Optional(InvoiceId) }, { additionalProperties: false });
export const TransferRefPayload = Type.Object({ transfer: RecordId }, { additionalProperties: false });
export const RegisterBankPayload = Type.Object({ bank: Did, licence: Digest }, { additionalProperties: false });
export const MortgagePayload = Type.Object({ id: RecordId, parcel: RecordId, amount: Amount, contract: Digest }, { additionalProperties: false });
export const ReleaseMortgagePayload = Type.Object({ id: RecordId }, { additionalProperties: false });
export const FreezePayload = Type.Object({ parcel: RecordId, reason: Digest }, { additionalProperties: false });
export const SubdividePayload = Type.Object(
  { parcel: RecordId, parts: Type.Array(Type.Object({ id: RecordId, area: Area, geometryDigest: Digest, landUse: Type.Optional(LandUse) }, { additionalProperties: false }), { minItems: 2, maxItems: 100 }) },
  { additionalProperties: false },
);
export const MergePayload = Type.Object(
  { parcels: Type.Array(RecordId, { minItems: 2, maxItems: 100, uniqueItems: true }), into: Type.Object({ id: RecordId, geometryDigest: Digest, landUse: LandUse }, { additionalProperties: false }) },
  { additionalProperties: false },
);

/** A parcel (state `parcel/<id>`). */
export interface ParcelRecord {
  id: string;
  area: number;
  landUse: string;
  geometryDigest: string;
  owners: Holding[];
  status: 'active' | 'retired';
  /** Number of history entries; entry n is at `parcel/<id>/history/<n>`. */
  version: number;
  /** SHA-256 of the JCS of the latest history entry. */
  head: string;
  mortgages: string[];
  frozen?: { by: string; reason: string; height: number };
  parents?: string[];
  children?: string[];
  created: number;
  updated: number;
}

/** One entry of a parcel's history: what happened and the parcel as it stood after. */
export interface HistoryEntry {
  parcel: string;
  n: number;
  action: string;
  detail: { [k: string]: JsonValue };
  txid: string;
  height: number;
  time: string;
  signer: string;
  /** Hash of entry n-1 (null for the first): the entries form a chain. */
  prev: string | null;
  snapshot: { area: number; landUse: string; geometryDigest: string; owners: Holding[]; status: string; mortgages: string[]; frozen: boolean };
}

/** A transfer (state `transfer/<id>`). */
export interface TransferRecord {
  id: string;
  parcel: string;
  seller: string;
  buyer: string;
  share: string;
  price: number;
  tax: number;
  status: 'pending' | 'completed' | 'cancelled';
  proposed: number;
  time: string;
  completed?: number;
  approvedBy?: string;
  invoice?: string;
  cancelledBy?: string;
}

/** A mortgage (state `mortgage/<id>`). */
export interface MortgageRecord {
  id: string;
  parcel: string;
  bank: string;
  amount: number;
  contract: string;
  status: 'active' | 'released';
  registered: number;
  released?: number;
}

const F = (name: string): string => `/body/payload/${name}`;

/** The transfer tax due on a declared price. */
export function transferTax(price: number): number {
  return Number((BigInt(price) * BigInt(TRANSFER_TAX_BPS)) / 10_000n);
}

function getParcel(ctx: TxContext, id: string, field = F('parcel')): ParcelRecord {
  const p = ctx.get(`parcel/${id}`) as ParcelRecord | undefined;
  if (p === undefined) throw new GovchainError('land.not_found', `no parcel ${id}`, { field });
  return p;
}

/** The parcel must be active, not frozen and free of mortgages to change hands or shape. */
function requireMovable(p: ParcelRecord, field = F('parcel')): void {
  if (p.status !== 'active') throw new GovchainError('land.retired', `parcel ${p.id} was retired (subdivided or merged into ${(p.children ?? []).join(', ')})`, { field });
  if (p.frozen !== undefined) throw new GovchainError('land.frozen', `parcel ${p.id} is frozen (dispute ${p.frozen.reason})`, { field });
  if (p.mortgages.length > 0) throw new GovchainError('land.mortgaged', `parcel ${p.id} is mortgaged (${p.mortgages.join(', ')}); the bank must release it first`, { field });
}

function requireFresh(ctx: TxContext, key: string, what: string, field: string): void {
  if (ctx.get(key) !== undefined) throw new GovchainError('land.exists', `${what} already exists`, { field });
}

function requireHolders(ctx: TxContext, holders: readonly string[], field: (i: number) => string): void {
  const state = { get: (m: string, k: string) => ctx.read(m, k) };
  holders.forEach((did, i) => {
    const r = readDidRecord(state, did);
    if (r === undefined || r.deactivated !== undefined || !['citizen', 'business', 'agency'].includes(r.kind)) {
      throw new GovchainError('land.unknown_holder', `${did} is not a registered citizen, business or agency`, { field: field(i) });
    }
  });
}

/** Write the parcel and append a history entry (hash-chained) describing `action`. */
function commitParcel(ctx: TxContext, p: ParcelRecord, action: string, detail: { [k: string]: JsonValue }): void {
  const entry: HistoryEntry = {
    parcel: p.id,
    n: p.version + 1,
    action,
    detail,
    txid: ctx.txid,
    height: ctx.height,
    time: ctx.time,
    signer: ctx.signer,
    prev: p.version === 0 ? null : p.head,
    snapshot: { area: p.area, landUse: p.landUse, geometryDigest: p.geometryDigest, owners: p.owners, status: p.status, mortgages: p.mortgages, frozen: p.frozen !== undefined },
  };
  const value = entry as unknown as JsonValue;
  p.version = entry.n;
  p.head = historyEntryHash(entry);
  p.updated = ctx.height;
  ctx.set(`parcel/${p.id}/history/${entry.n}`, value);
  ctx.set(`parcel/${p.id}`, p as unknown as JsonValue);
}

/** SHA-256 (hex) of the JCS of a history entry: what the next entry's `prev` and the parcel's `head` hold. */
export function historyEntryHash(entry: HistoryEntry): string {
  return toHex(sha256(utf8(canonicalJson(entry as unknown as JsonValue))));
}

function newParcel(ctx: TxContext, id: string, area: number, landUse: string, geometryDigest: string, owners: Holding[], parents?: string[]): ParcelRecord {
  const p: ParcelRecord = { id, area, landUse, geometryDigest, owners, status: 'active', version: 0, head: '', mortgages: [], created: ctx.height, updated: ctx.height };
  if (parents !== undefined) p.parents = parents;
  return p;
}

const registrar = (ctx: TxContext): void => void requireRole(ctx, 'land_registrar');

/** The land registry module definition. */
export const landModule: ModuleDefinition = {
  name: 'land',
  description: 'Land registry: parcels, owners and shares, titles, transfers, mortgages, subdivision and merger, freezes.',
  txTypes: {
    register_parcel: {
      schema: RegisterParcelPayload,
      description: 'Register a parcel with its owners (shares must sum to exactly 1). Land registrar only.',
      authorize: registrar,
      apply(ctx, p: Static<typeof RegisterParcelPayload>) {
        requireFresh(ctx, `parcel/${p.id}`, `parcel ${p.id}`, F('id'));
        const owners = normaliseHoldings(p.owners);
        requireHolders(ctx, p.owners.map((o) => o.holder), (i) => F(`owners/${i}/holder`));
        const parcel = newParcel(ctx, p.id, p.area, p.landUse, p.geometryDigest, owners);
        commitParcel(ctx, parcel, 'registered', {});
        ctx.emit('land.registered', { parcel: p.id });
      },
    },
    issue_title: {
      schema: IssueTitlePayload,
      description: 'Record the title certificate (by digest) for the parcel as it stands. Land registrar only.',
      authorize: registrar,
      apply(ctx, p: Static<typeof IssueTitlePayload>) {
        const parcel = getParcel(ctx, p.parcel);
        if (parcel.status !== 'active') throw new GovchainError('land.retired', `parcel ${p.parcel} was retired`, { field: F('parcel') });
        commitParcel(ctx, parcel, 'title_issued', { digest: p.digest });
        ctx.set(`title/${p.parcel}`, { parcel: p.parcel, digest: p.digest, owners: parcel.owners as unknown as JsonValue, version: parcel.version, issued: ctx.height, time: ctx.time, by: ctx.signer, txid: ctx.txid });
        ctx.emit('land.title_issued', { parcel: p.parcel, digest: p.digest });
      },
    },
    propose_transfer: {
      schema: ProposeTransferPayload,
      description: 'Propose selling a share of a parcel. The envelope must carry the signatures of both seller and buyer.',
      authorize(ctx, p: Static<typeof ProposeTransferPayload>) {
        for (const [who, did] of [['seller', p.seller], ['buyer', p.buyer]] as const) {
          if (!ctx.signers.includes(did)) throw new GovchainError('land.signature_missing', `the ${who} ${did} has not signed the transfer`, { field: F(who) });
        }
        if (p.seller === p.buyer) throw new GovchainError('land.same_party', 'seller and buyer are the same', { field: F('buyer') });
        requireHolders(ctx, [p.buyer], () => F('buyer'));
      },
      apply(ctx, p: Static<typeof ProposeTransferPayload>) {
        requireFresh(ctx, `transfer/${p.id}`, `transfer ${p.id}`, F('id'));
        const parcel = getParcel(ctx, p.parcel);
        requireMovable(parcel);
        const share = parseShare(p.share);
        if (share.n <= 0n) throw new GovchainError('land.invalid_share', 'the share must be positive', { field: F('share') });
        moveShare(parcel.owners, p.seller, p.buyer, share); // the seller holds enough now
        const t: TransferRecord = { id: p.id, parcel: p.parcel, seller: p.seller, buyer: p.buyer, share: formatShare(share), price: p.price, tax: transferTax(p.price), status: 'pending', proposed: ctx.height, time: ctx.time };
        ctx.set(`transfer/${p.id}`, t as unknown as JsonValue);
        ctx.emit('land.transfer_proposed', { transfer: p.id, parcel: p.parcel, tax: t.tax });
      },
    },
    approve_transfer: {
      schema: ApproveTransferPayload,
      description: 'Complete a transfer: the parcel must be movable, the seller must still hold the share, and the transfer tax invoice paid. Land registrar only.',
      authorize: registrar,
      apply(ctx, p: Static<typeof ApproveTransferPayload>) {
        const t = ctx.get(`transfer/${p.transfer}`) as TransferRecord | undefined;
        if (t === undefined) throw new GovchainError('land.not_found', `no transfer ${p.transfer}`, { field: F('transfer') });
        if (t.status !== 'pending') throw new GovchainError('land.not_pending', `transfer ${p.transfer} is ${t.status}`, { field: F('transfer') });
        const parcel = getParcel(ctx, t.parcel);
        requireMovable(parcel);
        if (t.tax > 0) {
          if (p.invoice === undefined) throw new GovchainError('invoice.not_found', `transfer tax of ${t.tax} VND is due: name its paid invoice`, { field: F('invoice') });
          requirePaidInvoice(ctx, p.invoice, { payers: [t.seller, t.buyer], amount: t.tax, ref: { module: 'land', key: `transfer/${t.id}` } });
          t.invoice = p.invoice;
        }
        // Exactly one of two conflicting transfers completes: the second finds the share gone.
        parcel.owners = moveShare(parcel.owners, t.seller, t.buyer, parseShare(t.share));
        t.status = 'completed';
        t.completed = ctx.height;
        t.approvedBy = ctx.signer;
        ctx.set(`transfer/${t.id}`, t as unknown as JsonValue);
        commitParcel(ctx, parcel, 'transferred', { transfer: t.id, seller: t.seller, buyer: t.buyer, share: t.share });
        ctx.emit('land.transferred', { transfer: t.id, parcel: t.parcel, seller: t.seller, buyer: t.buyer, share: t.share });
      },
    },
    cancel_transfer: {
      schema: TransferRefPayload,
      description: 'Withdraw a pending transfer (its seller or buyer, or a land registrar).',
      apply(ctx, p: Static<typeof TransferRefPayload>) {
        const t = ctx.get(`transfer/${p.transfer}`) as TransferRecord | undefined;
        if (t === undefined) throw new GovchainError('land.not_found', `no transfer ${p.transfer}`, { field: F('transfer') });
        if (ctx.signer !== t.seller && ctx.signer !== t.buyer) requireRole(ctx, 'land_registrar');
        if (t.status !== 'pending') throw new GovchainError('land.not_pending', `transfer ${p.transfer} is ${t.status}`, { field: F('transfer') });
        t.status = 'cancelled';
        t.cancelledBy = ctx.signer;
        ctx.set(`transfer/${t.id}`, t as unknown as JsonValue);
        ctx.emit('land.transfer_cancelled', { transfer: t.id });
      },
    },
    register_bank: {
      schema: RegisterBankPayload,
      description: 'List a registered business as a bank that may hold mortgages (licence by digest). Land registrar only.',
      authorize: registrar,
      apply(ctx, p: Static<typeof RegisterBankPayload>) {
        const r = readDidRecord({ get: (m, k) => ctx.read(m, k) }, p.bank);
        if (r === undefined || r.kind !== 'business' || r.deactivated !== undefined) throw new GovchainError('land.not_bank', `${p.bank} is not an active registered business`, { field: F('bank') });
        ctx.set(`bank/${p.bank}`, { did: p.bank, licence: p.licence, registeredBy: ctx.signer, registered: ctx.height });
        ctx.emit('land.bank_registered', { bank: p.bank });
      },
    },
    register_mortgage: {
      schema: MortgagePayload,
      description: 'A bank records a mortgage on a parcel; signed by the bank and every owner. The parcel cannot move until the bank releases it.',
      apply(ctx, p: Static<typeof MortgagePayload>) {
        if (ctx.get(`bank/${ctx.signer}`) === undefined) throw new GovchainError('land.not_bank', `${ctx.signer} is not a registered bank`);
        requireFresh(ctx, `mortgage/${p.id}`, `mortgage ${p.id}`, F('id'));
        const parcel = getParcel(ctx, p.parcel);
        if (parcel.status !== 'active') throw new GovchainError('land.retired', `parcel ${p.parcel} was retired`, { field: F('parcel') });
        if (parcel.frozen !== undefined) throw new GovchainError('land.frozen', `parcel ${p.parcel} is frozen`, { field: F('parcel') });
        for (const o of parcel.owners) if (!ctx.signers.includes(o.holder)) throw new GovchainError('land.signature_missing', `owner ${o.holder} has not signed the mortgage`);
        const m: MortgageRecord = { id: p.id, parcel: p.parcel, bank: ctx.signer, amount: p.amount, contract: p.contract, status: 'active', registered: ctx.height };
        ctx.set(`mortgage/${p.id}`, m as unknown as JsonValue);
        parcel.mortgages = [...parcel.mortgages, p.id];
        commitParcel(ctx, parcel, 'mortgaged', { mortgage: p.id, bank: ctx.signer });
        ctx.emit('land.mortgaged', { parcel: p.parcel, mortgage: p.id });
      },
    },
    release_mortgage: {
      schema: ReleaseMortgagePayload,
      description: 'The mortgage holder (bank) releases a mortgage.',
      apply(ctx, p: Static<typeof ReleaseMortgagePayload>) {
        const m = ctx.get(`mortgage/${p.id}`) as MortgageRecord | undefined;
        if (m === undefined) throw new GovchainError('land.not_found', `no mortgage ${p.id}`, { field: F('id') });
        if (m.bank !== ctx.signer) throw new GovchainError('land.not_bank', `only ${m.bank} can release mortgage ${p.id}`);
        if (m.status !== 'active') throw new GovchainError('land.not_pending', `mortgage ${p.id} was already released`, { field: F('id') });
        m.status = 'released';
        m.released = ctx.height;
        ctx.set(`mortgage/${p.id}`, m as unknown as JsonValue);
        const parcel = getParcel(ctx, m.parcel);
        parcel.mortgages = parcel.mortgages.filter((x) => x !== p.id);
        commitParcel(ctx, parcel, 'mortgage_released', { mortgage: p.id });
        ctx.emit('land.mortgage_released', { parcel: m.parcel, mortgage: p.id });
      },
    },
    freeze: {
      schema: FreezePayload,
      description: 'Freeze a parcel while a dispute is decided (reason by digest). Land registrar only.',
      authorize: registrar,
      apply(ctx, p: Static<typeof FreezePayload>) {
        const parcel = getParcel(ctx, p.parcel);
        if (parcel.status !== 'active') throw new GovchainError('land.retired', `parcel ${p.parcel} was retired`, { field: F('parcel') });
        if (parcel.frozen !== undefined) throw new GovchainError('land.frozen', `parcel ${p.parcel} is already frozen`, { field: F('parcel') });
        parcel.frozen = { by: ctx.signer, reason: p.reason, height: ctx.height };
        commitParcel(ctx, parcel, 'frozen', { reason: p.reason });
        ctx.emit('land.frozen', { parcel: p.parcel });
      },
    },
    unfreeze: {
      schema: FreezePayload,
      description: 'Lift a freeze (reason: digest of the decision). Land registrar only.',
      authorize: registrar,
      apply(ctx, p: Static<typeof FreezePayload>) {
        const parcel = getParcel(ctx, p.parcel);
        if (parcel.frozen === undefined) throw new GovchainError('land.not_frozen', `parcel ${p.parcel} is not frozen`, { field: F('parcel') });
        delete parcel.frozen;
        commitParcel(ctx, parcel, 'unfrozen', { reason: p.reason });
        ctx.emit('land.unfrozen', { parcel: p.parcel });
      },
    },
    subdivide: {
      schema: SubdividePayload,
      description: 'Split a parcel into parts whose areas sum to its area; each part keeps the owners and shares. Land registrar only.',
      authorize: registrar,
      apply(ctx, p: Static<typeof SubdividePayload>) {
        const parent = getParcel(ctx, p.parcel);
        requireMovable(parent);
        const total = p.parts.reduce((s, x) => s + x.area, 0);
        if (total !== parent.area) throw new GovchainError('land.area_mismatch', `parts cover ${total} m², the parcel ${parent.area} m²`, { field: F('parts') });
        const ids = new Set<string>();
        p.parts.forEach((part, i) => {
          if (ids.has(part.id)) throw new GovchainError('land.exists', `part ${part.id} is named twice`, { field: F(`parts/${i}/id`) });
          ids.add(part.id);
          requireFresh(ctx, `parcel/${part.id}`, `parcel ${part.id}`, F(`parts/${i}/id`));
        });
        for (const part of p.parts) commitParcel(ctx, newParcel(ctx, part.id, part.area, part.landUse ?? parent.landUse, part.geometryDigest, parent.owners, [parent.id]), 'created_by_subdivision', { from: parent.id });
        parent.status = 'retired';
        parent.children = p.parts.map((x) => x.id);
        commitParcel(ctx, parent, 'subdivided', { into: parent.children });
        ctx.emit('land.subdivided', { parcel: parent.id, into: parent.children });
      },
    },
    merge: {
      schema: MergePayload,
      description: 'Merge parcels with identical owners and shares into one. Land registrar only.',
      authorize: registrar,
      apply(ctx, p: Static<typeof MergePayload>) {
        const parcels = p.parcels.map((id, i) => getParcel(ctx, id, F(`parcels/${i}`)));
        parcels.forEach((x, i) => requireMovable(x, F(`parcels/${i}`)));
        const owners = canonicalJson(parcels[0]!.owners as unknown as JsonValue);
        for (const [i, x] of parcels.entries()) {
          if (canonicalJson(x.owners as unknown as JsonValue) !== owners) throw new GovchainError('land.owners_differ', `parcel ${x.id} has other owners or shares than ${parcels[0]!.id}`, { field: F(`parcels/${i}`) });
        }
        requireFresh(ctx, `parcel/${p.into.id}`, `parcel ${p.into.id}`, F('into/id'));
        const area = parcels.reduce((s, x) => s + x.area, 0);
        commitParcel(ctx, newParcel(ctx, p.into.id, area, p.into.landUse, p.into.geometryDigest, parcels[0]!.owners, [...p.parcels]), 'created_by_merger', { from: [...p.parcels] });
        for (const x of parcels) {
          x.status = 'retired';
          x.children = [p.into.id];
          commitParcel(ctx, x, 'merged', { into: p.into.id });
        }
        ctx.emit('land.merged', { parcels: [...p.parcels], into: p.into.id });
      },
    },
  },
};

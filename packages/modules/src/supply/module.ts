/**
 * Supply-chain traceability: product batches (producer, product code, quantity), batches
 * derived from inputs (the inputs' quantities are consumed), custody transfers,
 * certifications by an inspection officer (role `auditor`), and recalls that propagate to
 * every batch derived, directly or not, from the recalled one. docs/registries.md.
 *
 * State keys: `batch/<id>`.
 */
import { GovchainError, type JsonValue, type ModuleDefinition, type TxContext } from '@govchain/core';
import { Type, type Static } from '@sinclair/typebox';
import { readDidRecord, requireRole } from '../identity/records.js';
import { Did, Digest, RecordId, Time } from '../schemas.js';

/** Most custody entries one batch keeps. */
export const MAX_CUSTODY = 200;

const Quantity = Type.Integer({ minimum: 1, maximum: 1_000_000_000_000 });
export const CreateBatchPayload = Type.Object(
  {
    id: RecordId,
    product: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$', description: 'product code (e.g. GTIN)' }),
    quantity: Quantity,
    unit: Type.Optional(Type.String({ pattern: '^[a-z]{1,10}$' })),
    inputs: Type.Optional(Type.Array(Type.Object({ batch: RecordId, quantity: Quantity }, { additionalProperties: false }), { minItems: 1, maxItems: 50 })),
  },
  { additionalProperties: false },
);
export const TransferBatchPayload = Type.Object({ batch: RecordId, to: Did }, { additionalProperties: false });
export const CertifyPayload = Type.Object({ batch: RecordId, standard: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9 ._:-]{0,63}$' }), certificate: Digest, until: Time }, { additionalProperties: false });
export const RecallPayload = Type.Object({ batch: RecordId, reason: Digest }, { additionalProperties: false });

/** A batch (state `batch/<id>`). */
export interface BatchRecord {
  id: string;
  producer: string;
  product: string;
  quantity: number;
  /** Quantity not yet consumed by derived batches. */
  remaining: number;
  unit: string;
  holder: string;
  parents: Array<{ batch: string; quantity: number }>;
  children: string[];
  custody: Array<{ holder: string; height: number; time: string }>;
  certifications: Array<{ by: string; agency: string; standard: string; certificate: string; until: string; height: number }>;
  recalled?: { root: string; reason: string; by: string; height: number; time: string };
  created: number;
  time: string;
}

const F = (name: string): string => `/body/payload/${name}`;
const put = (ctx: TxContext, b: BatchRecord): void => ctx.set(`batch/${b.id}`, b as unknown as JsonValue);

function getBatch(ctx: TxContext, id: string, field = F('batch')): BatchRecord {
  const b = ctx.get(`batch/${id}`) as BatchRecord | undefined;
  if (b === undefined) throw new GovchainError('supply.not_found', `no batch ${id}`, { field });
  return b;
}

function notRecalled(b: BatchRecord, field = F('batch')): void {
  if (b.recalled !== undefined) throw new GovchainError('supply.recalled', `batch ${b.id} was recalled (from ${b.recalled.root})`, { field });
}

function requireParty(ctx: TxContext, did: string, field: string): void {
  const r = readDidRecord({ get: (m, k) => ctx.read(m, k) }, did);
  if (r === undefined || r.deactivated !== undefined || r.kind === 'officer') throw new GovchainError('auth.not_registered', `${did} is not a registered business, citizen or agency`, { field });
}

/** Every batch derived from `root`, directly or not (breadth-first, each once). */
export function descendantsOf(get: (id: string) => BatchRecord | undefined, root: string): string[] {
  const seen = new Set<string>([root]);
  const queue = [...(get(root)?.children ?? [])];
  const out: string[] = [];
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(id);
    queue.push(...(get(id)?.children ?? []));
  }
  return out;
}

/** The supply-chain module definition. */
export const supplyModule: ModuleDefinition = {
  name: 'supply',
  description: 'Supply-chain traceability: batches, derivation, custody, certifications, recalls that propagate.',
  txTypes: {
    create_batch: {
      schema: CreateBatchPayload,
      description: 'A registered business creates a batch it produced, optionally from input batches it holds (their quantities are consumed).',
      apply(ctx, p: Static<typeof CreateBatchPayload>) {
        const r = readDidRecord({ get: (m, k) => ctx.read(m, k) }, ctx.signer);
        if (r === undefined || r.kind !== 'business' || r.deactivated !== undefined) throw new GovchainError('auth.not_registered', `${ctx.signer} is not a registered business`);
        if (ctx.get(`batch/${p.id}`) !== undefined) throw new GovchainError('supply.exists', `batch ${p.id} exists`, { field: F('id') });
        const parents: BatchRecord['parents'] = [];
        for (const [i, input] of (p.inputs ?? []).entries()) {
          const field = F(`inputs/${i}/batch`);
          if (input.batch === p.id || parents.some((x) => x.batch === input.batch)) throw new GovchainError('supply.exists', `input ${input.batch} is named twice`, { field });
          const parent = getBatch(ctx, input.batch, field);
          notRecalled(parent, field);
          if (parent.holder !== ctx.signer) throw new GovchainError('supply.not_holder', `${ctx.signer} does not hold batch ${input.batch}`, { field });
          if (parent.remaining < input.quantity) throw new GovchainError('supply.insufficient_quantity', `batch ${input.batch} has ${parent.remaining} left`, { field: F(`inputs/${i}/quantity`) });
          parent.remaining -= input.quantity;
          parent.children = [...parent.children, p.id];
          put(ctx, parent);
          parents.push({ batch: input.batch, quantity: input.quantity });
        }
        const b: BatchRecord = {
          id: p.id,
          producer: ctx.signer,
          product: p.product,
          quantity: p.quantity,
          remaining: p.quantity,
          unit: p.unit ?? 'unit',
          holder: ctx.signer,
          parents,
          children: [],
          custody: [{ holder: ctx.signer, height: ctx.height, time: ctx.time }],
          certifications: [],
          created: ctx.height,
          time: ctx.time,
        };
        put(ctx, b);
        ctx.emit('supply.batch_created', { batch: p.id, product: p.product, producer: ctx.signer });
      },
    },
    transfer: {
      schema: TransferBatchPayload,
      description: 'The holder hands a batch over to another registered party.',
      apply(ctx, p: Static<typeof TransferBatchPayload>) {
        const b = getBatch(ctx, p.batch);
        if (b.holder !== ctx.signer) throw new GovchainError('supply.not_holder', `${ctx.signer} does not hold batch ${p.batch}`, { field: F('batch') });
        notRecalled(b);
        requireParty(ctx, p.to, F('to'));
        if (b.custody.length >= MAX_CUSTODY) throw new GovchainError('supply.too_many_transfers', `batch ${p.batch} reached ${MAX_CUSTODY} custody entries`);
        b.holder = p.to;
        b.custody = [...b.custody, { holder: p.to, height: ctx.height, time: ctx.time }];
        put(ctx, b);
        ctx.emit('supply.transferred', { batch: p.batch, from: ctx.signer, to: p.to });
      },
    },
    certify: {
      schema: CertifyPayload,
      description: 'An inspection officer (role auditor) certifies a batch against a standard (certificate by digest) until a time.',
      apply(ctx, p: Static<typeof CertifyPayload>) {
        const { agency } = requireRole(ctx, 'auditor');
        const b = getBatch(ctx, p.batch);
        notRecalled(b);
        b.certifications = [...b.certifications, { by: ctx.signer, agency: agency.did, standard: p.standard, certificate: p.certificate, until: p.until, height: ctx.height }];
        put(ctx, b);
        ctx.emit('supply.certified', { batch: p.batch, standard: p.standard });
      },
    },
    recall: {
      schema: RecallPayload,
      description: 'Recall a batch (its producer, or an inspection officer): the batch and every batch derived from it are recalled in the same transaction.',
      apply(ctx, p: Static<typeof RecallPayload>) {
        const b = getBatch(ctx, p.batch);
        if (ctx.signer !== b.producer) requireRole(ctx, 'auditor');
        notRecalled(b);
        const mark = { root: b.id, reason: p.reason, by: ctx.signer, height: ctx.height, time: ctx.time };
        const ids = [b.id, ...descendantsOf((id) => ctx.get(`batch/${id}`) as BatchRecord | undefined, b.id)];
        for (const id of ids) {
          const x = getBatch(ctx, id);
          if (x.recalled !== undefined) continue; // recalled earlier by another root: keep that record
          x.recalled = mark;
          put(ctx, x);
        }
        ctx.emit('supply.recalled', { batch: b.id, batches: ids });
      },
    },
  },
};

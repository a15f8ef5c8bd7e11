/**
 * The notary module: anchor the SHA-256 digest of a document (or of any record kept
 * elsewhere) with optional public metadata, and look it up by digest. The document itself
 * never reaches the ledger; only its digest does, so personal data stays off-chain.
 */
import type { JsonValue, ModuleDefinition, StateReader } from '@govchain/core';
import { Type, type Static } from '@sinclair/typebox';
import { alreadyAnchored } from './errors.js';

/** Payload of `notary.anchor`. */
export const AnchorPayload = Type.Object(
  {
    digest: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'lowercase hex SHA-256 of the document' }),
    label: Type.Optional(Type.String({ maxLength: 200, description: 'public label; never put personal data here' })),
    mediaType: Type.Optional(Type.String({ maxLength: 100, pattern: '^[a-z0-9.+-]+/[a-zA-Z0-9.+-]+$' })),
  },
  { additionalProperties: false },
);
/** Payload of `notary.anchor`. */
export type AnchorPayload = Static<typeof AnchorPayload>;

/** Payload of `notary.anchor_batch`: the RFC 6962 root of up to 1,000,000 record digests. */
export const AnchorBatchPayload = Type.Object(
  {
    root: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'lowercase hex RFC 6962 Merkle root of the batch (leaf data = each 32-byte record digest)' }),
    count: Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'number of records in the batch' }),
    label: Type.Optional(Type.String({ maxLength: 200, description: 'public label; never put personal data here' })),
  },
  { additionalProperties: false },
);
/** Payload of `notary.anchor_batch`. */
export type AnchorBatchPayload = Static<typeof AnchorBatchPayload>;

/** What the state holds per anchored batch root (key `batch:<root>`). */
export interface AnchorBatchRecord {
  root: string;
  count: number;
  by: string;
  txid: string;
  height: number;
  time: string;
  label?: string;
}

/** The state key of a batch root. */
export function batchStateKey(root: string): string {
  return `batch:${root}`;
}

/** What the state holds per anchored digest. */
export interface AnchorRecord {
  digest: string;
  by: string;
  txid: string;
  height: number;
  time: string;
  label?: string;
  mediaType?: string;
}

/** Parameters of the `byDigest` query. */
export const ByDigestParams = Type.Object({ digest: Type.String({ pattern: '^[0-9a-f]{64}$' }) }, { additionalProperties: false });

/** The notary module definition. */
export const notaryModule: ModuleDefinition = {
  name: 'notary',
  description: 'Anchor document digests and look them up.',
  txTypes: {
    anchor: {
      schema: AnchorPayload,
      description: 'Anchor the SHA-256 digest of a document. Any signer may anchor; the first anchor of a digest stands.',
      apply(ctx, p: AnchorPayload) {
        const existing = ctx.get(p.digest) as AnchorRecord | undefined;
        if (existing !== undefined) throw alreadyAnchored(p.digest, existing.txid);
        const record: AnchorRecord = { digest: p.digest, by: ctx.signer, txid: ctx.txid, height: ctx.height, time: ctx.time };
        if (p.label !== undefined) record.label = p.label;
        if (p.mediaType !== undefined) record.mediaType = p.mediaType;
        ctx.set(p.digest, record as unknown as JsonValue);
        ctx.emit('notary.anchored', { digest: p.digest, by: ctx.signer });
      },
    },
    anchor_batch: {
      schema: AnchorBatchPayload,
      description: 'Anchor the Merkle root of a batch of record digests (hybrid anchoring: the records stay in the agency database). Any signer may anchor; the first anchor of a root stands.',
      apply(ctx, p: AnchorBatchPayload) {
        const key = batchStateKey(p.root);
        const existing = ctx.get(key) as AnchorBatchRecord | undefined;
        if (existing !== undefined) throw alreadyAnchored(p.root, existing.txid, '/body/payload/root');
        const record: AnchorBatchRecord = { root: p.root, count: p.count, by: ctx.signer, txid: ctx.txid, height: ctx.height, time: ctx.time };
        if (p.label !== undefined) record.label = p.label;
        ctx.set(key, record as unknown as JsonValue);
        ctx.emit('notary.batch_anchored', { root: p.root, count: p.count, by: ctx.signer });
      },
    },
  },
  queries: {
    byDigest: {
      description: 'The anchor record of a digest, or null.',
      params: ByDigestParams,
      run: (state: StateReader, params: { digest: string }) => state.get('notary', params.digest) ?? null,
    },
  },
};

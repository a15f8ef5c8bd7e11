/**
 * Response and request types of every route, derived from the TypeBox schemas the server
 * validates with (@govchain/schemas). Type-only imports: nothing of TypeBox reaches a
 * browser bundle of the SDK.
 */
import type { Static } from '@sinclair/typebox';
import type * as S from '@govchain/schemas';
import type { AnchorBatchPayload, AnchorPayload } from '@govchain/modules';
import type { BlockHeader } from '@govchain/core';

/** GET /v1/status. */
export type StatusResponse = Static<typeof S.Status>;
/** GET /v1/proofs/inclusion. */
export type InclusionProofResponse = Static<typeof S.InclusionProof>;
/** GET /v1/proofs/consistency. */
export type ConsistencyProofResponse = Static<typeof S.ConsistencyProof>;
/** GET /v1/validators. */
export type ValidatorsResponse = Static<typeof S.Validators>;
/** GET /v1/state/<module>/<key>. */
export type StateResponse = Static<typeof S.StateResponse>;
/** GET /v1/blocks/<height> (the header typed as core's BlockHeader, the same shape). */
export type BlockResponse = Omit<Static<typeof S.Block>, 'header'> & { header: BlockHeader };
/** GET /v1/notary/anchors/<digest>. */
export type AnchorRecordResponse = Static<typeof S.AnchorRecord>;
/** POST /v1/txs/batch: per-envelope results in the order of the request. */
export type BatchSubmitResponse = Static<typeof S.BatchSubmitResult>;
/** One envelope's result in a {@link BatchSubmitResponse}. */
export type BatchItemResult = Static<typeof S.BatchItemResult>;
/** An RFC 9457 problem body as sent by the API. */
export type ProblemBody = Static<typeof S.Problem>;
/** Registered webhook, as listed by GET /v1/admin/webhooks. */
export type WebhookResponse = Static<typeof S.Webhook>;
/** POST /v1/admin/webhooks body. */
export type WebhookRegistration = Static<typeof S.WebhookCreate>;
/** Payload of `notary.anchor`. */
export type NotaryAnchorPayload = AnchorPayload;
/** Payload of `notary.anchor_batch`. */
export type NotaryAnchorBatchPayload = AnchorBatchPayload;

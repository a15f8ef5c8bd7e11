/**
 * @govchain/sdk: browser-safe client for govchain nodes: typed routes, transaction
 * building and signing (pluggable Signer), submit-and-wait, the light client with verified
 * reads, batch anchoring, proof bundles verified offline. Node-only helpers (key files,
 * file storage) are in `@govchain/sdk/node`.
 */
export * from './client.js';
export * from './bundle.js';
export * from './tx-builder.js';
export * from './auth.js';
export * from './signers.js';
export * from './light-client.js';
export * from './batch.js';
export * from './govchain.js';
export * from './events.js';
export type { NotaryAnchorBatchPayload, NotaryAnchorPayload } from './types.js';
export { GovchainError, MAX_BATCH_RECORDS, canonicalJson, cryptoPlatform, sha256, toHex, fromHex, utf8, isGovchainError, signTx, signTxSync, type TxBody, type TxEnvelope, type Receipt, type Checkpoint, type JsonValue } from '@govchain/core';
export * from './anchor.js';

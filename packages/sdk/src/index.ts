/**
 * @govchain/sdk: browser-safe client for govchain nodes: typed routes, transaction
 * building and signing, proof bundles verified offline.
 */
export * from './client.js';
export * from './bundle.js';
export * from './tx-builder.js';
export * from './auth.js';
export { signTx, signTxSync, createSeedSigner, type Signer, type TxBody, type TxEnvelope, type Receipt } from '@govchain/core';

/**
 * @govchain/node: the node process (storage, admission, execution, checkpoints) and the
 * operator-side pieces around it (data folder, keys, genesis, audit).
 */
export * from './node.js';
export * from './store.js';
export * from './execute.js';
export * from './audit.js';
export * from './datadir.js';
export * from './genesis.js';
export * from './keys.js';
export * from './verify.js';
export * from './metrics.js';
export * from './smt-codec.js';
export * from './backup.js';
export * from './cosign.js';
export * from './webhooks.js';
export * from './bootstrap.js';
export * from './migrations.js';
export * from './witness.js';
export * from './witnesses.js';
export * from './cosignatures.js';
export * from './anchors.js';
export * from './export.js';
export * from './documents.js';

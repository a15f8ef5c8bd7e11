/**
 * @govchain/core: the pure, browser-safe heart of govchain. Encoding (RFC 8785),
 * hashing and signatures, transactions, blocks, receipts, the RFC 6962 log, the state
 * map, checkpoints (C2SP signed notes), and the module interface. No I/O.
 */
export * from './errors.js';
export * from './bytes.js';
export * from './jcs.js';
export * from './crypto.js';
export * from './did.js';
export * from './tx.js';
export * from './block.js';
export * from './receipt.js';
export * from './state.js';
export * from './module.js';
export * from './merkle/index.js';
export * from './smt/index.js';
export * from './checkpoint/index.js';
export * from './commitment.js';
export * from './auth.js';

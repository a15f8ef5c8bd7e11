/** @govchain/api: the HTTP API over a node. */
export * from './server.js';
export * from './problems.js';
export * as schemas from './schemas.js';
export * from './witness.js';

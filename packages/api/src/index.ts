/** @govchain/api: the HTTP API over a node. */
export * from './server.js';
export * from './problems.js';
export { findPortalDir, isApiPath, PORTAL_CSP } from './portal.js';
export * as schemas from './schemas.js';
export * from './witness.js';

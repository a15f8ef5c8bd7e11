export * from './module.js';
export { formatShare, moveShare, normaliseHoldings, parseShare, totalShares, type Holding, type Ratio } from './shares.js';

/** @govchain/ordering: the Orderer interface and its implementations. */
export * from './orderer.js';
export * from './solo.js';
export * from './jetstream.js';

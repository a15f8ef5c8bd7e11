export * from './module.js';
export * from './protocol.js';

export * from './records.js';
export * from './module.js';
export * from './document.js';

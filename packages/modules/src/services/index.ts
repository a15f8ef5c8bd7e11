export * from './workflow.js';
export * from './status-list.js';
export * from './module.js';

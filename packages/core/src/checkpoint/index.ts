/**
 * Checkpoints: C2SP signed notes (./note.ts) and the govchain tlog-checkpoint body with
 * its quorum verification (./checkpoint.ts). The only way into this folder.
 */
export * from './note.js';
export * from './checkpoint.js';
export * from './cosignature.js';

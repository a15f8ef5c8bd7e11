export { notaryModule, AnchorPayload, AnchorBatchPayload, ByDigestParams, batchStateKey, type AnchorRecord, type BatchRecord } from './module.js';

export { notaryModule, AnchorPayload, AnchorBatchPayload, ByDigestParams, batchStateKey, type AnchorRecord, type AnchorBatchRecord } from './module.js';

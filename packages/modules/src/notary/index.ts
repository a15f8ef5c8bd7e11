export { notaryModule, AnchorPayload, ByDigestParams, type AnchorRecord } from './module.js';

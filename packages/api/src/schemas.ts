/** The route schemas live in @govchain/schemas (shared with the SDK); re-exported here. */
export * from '@govchain/schemas';

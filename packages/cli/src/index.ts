/** @govchain/cli: the `govchain` command (main.ts) and the local-network launcher it uses. */
export * from './network/local-network.js';
export * from './network/nats-config.js';

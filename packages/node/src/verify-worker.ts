/**
 * Worker thread of the verifier pool: the stateless checks of a submitted envelope
 * (JSON parse, shape, chain, expiry, payload schema, Ed25519 signatures). Runs the same
 * code as the main thread; only the CPU differs. Ledger-DID keys are read from the chain
 * store, opened here for reading (LMDB readers do not block the writer).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { StateReader } from '@govchain/core';
import { ChainStore } from './store.js';
import { checkStatelessly, type VerifyRequest } from './verify.js';

const { chainId, dbPath } = workerData as { chainId: string; dbPath?: string };
let state: StateReader | undefined;
if (dbPath !== undefined) {
  const store = ChainStore.open(dbPath);
  state = { get: (m, k) => store.stateValue(m, k) };
}
parentPort!.on('message', (batch: VerifyRequest[]) => {
  parentPort!.postMessage(batch.map((r) => checkStatelessly(chainId, r, state)));
});

/**
 * Worker thread of the verifier pool: the stateless checks of a submitted envelope
 * (JSON parse, shape, chain, expiry, payload schema, Ed25519 signatures). Runs the same
 * code as the main thread; only the CPU differs. Ledger-DID keys are read from the chain
 * store, opened here for reading (LMDB readers do not block the writer).
 */
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import type { StateReader } from '@govchain/core';
import { ChainStore } from './store.js';
import { checkStatelessly, type VerifyRequest, type VerifyWorkerReply } from './verify.js';

const { chainId, dbPath } = workerData as { chainId: string; dbPath?: string };
let state: StateReader | undefined;
if (dbPath !== undefined) {
  const store = ChainStore.open(dbPath);
  state = { get: (m, k) => store.stateValue(m, k) };
}
parentPort!.on('message', (msg: VerifyRequest[] | 'heap') => {
  let reply: VerifyWorkerReply;
  if (msg === 'heap') {
    const h = getHeapStatistics();
    reply = { heap: { used: h.used_heap_size, total: h.total_heap_size, external: h.external_memory } };
  } else {
    reply = msg.map((r) => {
      const v = checkStatelessly(chainId, r, state);
      // The pool puts the submitted text back (see createVerifierPool).
      if (v.ok && v.canonical === r.text) (v as { canonical?: string }).canonical = undefined;
      return v;
    });
  }
  parentPort!.postMessage(reply);
});

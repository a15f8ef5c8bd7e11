/**
 * Worker thread of the verifier pool: the stateless checks of a submitted envelope
 * (JSON parse, shape, chain, expiry, payload schema, Ed25519 signatures). Runs the same
 * code as the main thread; only the CPU differs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { checkStatelessly, type VerifyRequest } from './verify.js';

const { chainId } = workerData as { chainId: string };
parentPort!.on('message', (batch: VerifyRequest[]) => {
  parentPort!.postMessage(batch.map((r) => checkStatelessly(chainId, r)));
});

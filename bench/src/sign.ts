/** Pre-sign benchmark transactions on all cores. */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { toBase64, generateKeyPair } from '@govchain/core';

/** `count` signed notary.anchor envelopes (canonical JSON text) for `chain`, by `signers` keys. */
export async function presign(chain: string, count: number, signers = 64): Promise<string[]> {
  const seeds = Array.from({ length: signers }, () => toBase64(generateKeyPair().seed));
  const n = Math.max(1, availableParallelism());
  const per = Math.ceil(count / n);
  const parts = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      new Promise<string[]>((resolve, reject) => {
        const w = new Worker(new URL('./sign-worker.js', import.meta.url), { workerData: { seeds, count: Math.min(per, count - i * per), chain } });
        w.once('message', (m: string[]) => {
          resolve(m);
          void w.terminate();
        });
        w.once('error', reject);
      }),
    ),
  );
  return parts.flat();
}

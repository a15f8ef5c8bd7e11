/** Pre-sign benchmark transactions on all cores. */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { toBase64, generateKeyPair } from '@govchain/core';

/**
 * What to sign: a transaction mix and the keys that sign it (did:key unless did/kid given).
 * `land-propose`: transaction i is transfer `T-i` of 1/1,000,000 of parcel `P-<s>` from
 * signer s = i mod n to signer s + 1, signed by both; `land-approve`: its approval by the
 * (single) signer, a land registrar.
 */
export interface SignJob {
  chain: string;
  kind: 'notary' | 'register-citizen' | 'land-propose' | 'land-approve';
  signers: Array<{ seed: string; did?: string; kid?: string }>;
}

/** `count` signed envelopes (canonical JSON text) for `job`, spread over all cores. */
export async function presignJob(job: SignJob, count: number): Promise<string[]> {
  const n = Math.max(1, availableParallelism());
  const per = Math.ceil(count / n);
  const parts = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      new Promise<string[]>((resolve, reject) => {
        const w = new Worker(new URL('./sign-worker.js', import.meta.url), { workerData: { ...job, offset: i * per, count: Math.max(0, Math.min(per, count - i * per)) } });
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

/** `count` notary.anchor envelopes for `chain`, signed by `signers` fresh did:key keys. */
export function presign(chain: string, count: number, signers = 64): Promise<string[]> {
  return presignJob({ chain, kind: 'notary', signers: Array.from({ length: signers }, () => ({ seed: toBase64(generateKeyPair().seed) })) }, count);
}

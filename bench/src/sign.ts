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
  /** Also compute each envelope's txid (for blocks handed to a node as ordered). */
  withTxids?: boolean;
}

/** What one sign worker sends back. */
interface SignedPart {
  envelopes: string[];
  txids?: string[];
}

/** Run `job` for `count` transactions on one worker per core; parts in order. */
async function signOnAllCores(job: SignJob, count: number): Promise<SignedPart[]> {
  const n = Math.max(1, availableParallelism());
  const per = Math.ceil(count / n);
  return Promise.all(
    Array.from({ length: n }, (_, i) =>
      new Promise<SignedPart>((resolve, reject) => {
        const w = new Worker(new URL('./sign-worker.js', import.meta.url), { workerData: { ...job, offset: i * per, count: Math.max(0, Math.min(per, count - i * per)) } });
        w.once('message', (m: SignedPart) => {
          resolve(m);
          void w.terminate();
        });
        w.once('error', reject);
      }),
    ),
  );
}

/** `count` signed envelopes (canonical JSON text) for `job`, spread over all cores. */
export async function presignJob(job: SignJob, count: number): Promise<string[]> {
  return (await signOnAllCores(job, count)).flatMap((p) => p.envelopes);
}

/** `count` notary.anchor envelopes for `chain`, signed by `signers` fresh did:key keys. */
export function presign(chain: string, count: number, signers = 64): Promise<string[]> {
  return presignJob(notaryJob(chain, signers), count);
}

/** `count` notary.anchor envelopes with their txids, as an orderer carries them. */
export async function presignOrdered(chain: string, count: number, signers = 64): Promise<Array<{ txid: string; envelope: string }>> {
  const parts = await signOnAllCores({ ...notaryJob(chain, signers), withTxids: true }, count);
  return parts.flatMap((p) => p.envelopes.map((envelope, i) => ({ txid: p.txids![i]!, envelope })));
}

function notaryJob(chain: string, signers: number): SignJob {
  return { chain, kind: 'notary', signers: Array.from({ length: signers }, () => ({ seed: toBase64(generateKeyPair().seed) })) };
}

let pool: Array<{ txid: string; envelope: string }> = [];
/** The pool's extensions, one after the other (concurrent callers share them). */
let filling: Promise<void> = Promise.resolve();

/**
 * The first `count` transactions of one shared list of pre-signed notary.anchor transactions
 * for chain `bench` (64 did:key signers), extended on demand: the node notary runs and the
 * chain of the start-up/catch-up rows use the same transactions (each in its own fresh chain),
 * so they are signed once per bench invocation.
 */
export async function notaryPool(count: number): Promise<Array<{ txid: string; envelope: string }>> {
  filling = filling.then(async () => {
    if (pool.length < count) pool = pool.concat(await presignOrdered('bench', count - pool.length));
  });
  await filling;
  return pool.slice(0, count);
}

/** Drop the shared list (its memory) once no later scenario needs it. */
export function releaseNotaryPool(): void {
  pool = [];
}

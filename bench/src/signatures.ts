/**
 * The machine's Ed25519 ceiling: node:crypto verifications per second on one thread and on
 * one thread per core at once. Every transaction carries at least one signature, so the
 * all-threads figure bounds what one node can admit here, whatever else it does.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Figure, Scenario } from './harness.js';

/** Verify one fixed signature over a 300-byte message (a notary body's size) for `ms`; verifications/s. */
const LOOP = `
const { generateKeyPairSync, sign, verify } = require('node:crypto');
const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const message = Buffer.alloc(300, 7);
const signature = sign(null, message, privateKey);
function run(ms) {
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    for (let i = 0; i < 50; i++) if (!verify(null, message, publicKey, signature)) throw new Error('bad signature');
    n += 50;
  }
  return n / ((performance.now() - t0) / 1000);
}
`;

function onThreads(threads: number, ms: number): Promise<number> {
  return Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise<number>((resolve, reject) => {
          const w = new Worker(`${LOOP}\nrequire('node:worker_threads').parentPort.postMessage(run(${ms}));`, { eval: true });
          w.once('message', (rate: number) => {
            resolve(rate);
            void w.terminate();
          });
          w.once('error', reject);
        }),
    ),
  ).then((rates) => rates.reduce((a, b) => a + b, 0));
}

export const signatures: Scenario = {
  name: 'Ed25519 ceiling',
  repeat: true,
  async run({ quick }) {
    const ms = quick ? 500 : 2000;
    const cores = availableParallelism();
    const one = await onThreads(1, ms);
    const all = await onThreads(cores, ms);
    const figure = (id: string, name: string, rate: number, conditions: string): Figure => ({ id, name, unit: 'verifications/s', samples: [rate], better: 'higher', conditions });
    return [
      figure('ed25519.verify.one', 'Ed25519 verifications/s, one thread', one, `node:crypto verify with a cached KeyObject, 300-byte message, ${ms / 1000} s`),
      figure('ed25519.verify.all', `Ed25519 verifications/s, ${cores} threads`, all, `the same on ${cores} worker threads at once: the ceiling of signed transactions one node can admit here`),
    ];
  },
};

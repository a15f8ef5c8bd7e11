/** Signs notary transactions on a worker thread so the benchmark starts sooner. */
import { parentPort, workerData } from 'node:worker_threads';
import { canonicalJson, keyPairFromSeed, didKeyFromPublicKey, didKeyKid, fromBase64, randomBytes, signTxSync, toHex } from '@govchain/core';

const { seeds, count, chain } = workerData as { seeds: string[]; count: number; chain: string };
const keys = seeds.map((s) => {
  const pair = keyPairFromSeed(fromBase64(s));
  return { seed: pair.seed, kid: didKeyKid(pair.publicKey), did: didKeyFromPublicKey(pair.publicKey) };
});
const out: string[] = [];
for (let i = 0; i < count; i++) {
  const k = keys[i % keys.length]!;
  out.push(canonicalJson(signTxSync({ chain, type: 'notary.anchor', signer: k.did, nonce: toHex(randomBytes(8)), payload: { digest: toHex(randomBytes(32)) } }, [k])));
}
parentPort!.postMessage(out);

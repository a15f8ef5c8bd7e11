/** Signs benchmark transactions on a worker thread so the benchmark starts sooner. */
import { parentPort, workerData } from 'node:worker_threads';
import { canonicalJson, computeTxid, keyPairFromSeed, didKeyFromPublicKey, didKeyKid, fromBase64, generateKeyPair, randomBytes, signTxSync, toBase64Url, toHex, type TxEnvelope } from '@govchain/core';
import type { SignJob } from './sign.js';

const job = workerData as SignJob & { count: number; offset: number };
const keys = job.signers.map((s) => {
  const pair = keyPairFromSeed(fromBase64(s.seed));
  return { seed: pair.seed, kid: s.kid ?? didKeyKid(pair.publicKey), did: s.did ?? didKeyFromPublicKey(pair.publicKey) };
});

function sign(i: number): TxEnvelope {
  const k = keys[i % keys.length]!;
  const nonce = toHex(randomBytes(8));
  if (job.kind === 'land-propose') {
    const buyer = keys[(i + 1) % keys.length]!;
    const payload = { id: `T-${i}`, parcel: `P-${i % keys.length}`, seller: k.did, buyer: buyer.did, share: '1/1000000', price: 0 };
    return signTxSync({ chain: job.chain, type: 'land.propose_transfer', signer: k.did, nonce, payload }, [k, buyer]);
  }
  if (job.kind === 'land-approve') return signTxSync({ chain: job.chain, type: 'land.approve_transfer', signer: keys[0]!.did, nonce, payload: { transfer: `T-${i}` } }, [keys[0]!]);
  if (job.kind === 'register-citizen') {
    const payload = { publicKey: toBase64Url(generateKeyPair().publicKey), commitments: { name: toHex(randomBytes(32)), birthDate: toHex(randomBytes(32)) } };
    return signTxSync({ chain: job.chain, type: 'identity.register_citizen', signer: k.did, nonce, payload }, [k]);
  }
  return signTxSync({ chain: job.chain, type: 'notary.anchor', signer: k.did, nonce, payload: { digest: toHex(randomBytes(32)) } }, [k]);
}

const envelopes: string[] = [];
const txids: string[] = [];
for (let j = 0; j < job.count; j++) {
  const env = sign(job.offset + j);
  envelopes.push(canonicalJson(env));
  if (job.withTxids === true) txids.push(computeTxid(env.body));
}
parentPort!.postMessage(job.withTxids === true ? { envelopes, txids } : { envelopes });

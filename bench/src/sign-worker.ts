/** Signs benchmark transactions on a worker thread so the benchmark starts sooner. */
import { parentPort, workerData } from 'node:worker_threads';
import { canonicalJson, computeTxid, keyPairFromSeed, didKeyFromPublicKey, didKeyKid, fromBase64, generateKeyPair, randomBytes, sha256, signEd25519, toBase64Url, toHex, utf8, type TxBody } from '@govchain/core';
import type { SignJob } from './sign.js';

const job = workerData as SignJob & { count: number; offset: number };
const keys = job.signers.map((s) => {
  const pair = keyPairFromSeed(fromBase64(s.seed));
  return { seed: pair.seed, kid: s.kid ?? didKeyKid(pair.publicKey), did: s.did ?? didKeyFromPublicKey(pair.publicKey) };
});

/**
 * The envelope's canonical JSON (RFC 8785) and txid, canonicalising the body once: the
 * envelope's keys ("body" < "signatures", "kid" < "sig") are already in JCS order and its
 * strings serialise as JSON.stringify does, so this equals canonicalJson(signTxSync(body, keys)); the first
 * envelope of each worker is checked against the core's functions.
 */
function signed(body: TxBody, signers: ReadonlyArray<{ seed: Uint8Array; kid: string }>): { text: string; txid: string } {
  const bodyText = canonicalJson(body);
  const bytes = utf8(bodyText);
  const sigs = signers.map((k) => `{"kid":${JSON.stringify(k.kid)},"sig":"${toBase64Url(signEd25519(k.seed, bytes))}"}`);
  return { text: `{"body":${bodyText},"signatures":[${sigs.join(',')}]}`, txid: toHex(sha256(bytes)) };
}

function sign(i: number): { text: string; txid: string } {
  const k = keys[i % keys.length]!;
  const nonce = toHex(randomBytes(8));
  if (job.kind === 'land-propose') {
    const buyer = keys[(i + 1) % keys.length]!;
    const payload = { id: `T-${i}`, parcel: `P-${i % keys.length}`, seller: k.did, buyer: buyer.did, share: '1/1000000', price: 0 };
    return signed({ chain: job.chain, type: 'land.propose_transfer', signer: k.did, nonce, payload }, [k, buyer]);
  }
  if (job.kind === 'land-approve') return signed({ chain: job.chain, type: 'land.approve_transfer', signer: keys[0]!.did, nonce, payload: { transfer: `T-${i}` } }, [keys[0]!]);
  if (job.kind === 'register-citizen') {
    const payload = { publicKey: toBase64Url(generateKeyPair().publicKey), commitments: { name: toHex(randomBytes(32)), birthDate: toHex(randomBytes(32)) } };
    return signed({ chain: job.chain, type: 'identity.register_citizen', signer: k.did, nonce, payload }, [k]);
  }
  return signed({ chain: job.chain, type: 'notary.anchor', signer: k.did, nonce, payload: { digest: toHex(randomBytes(32)) } }, [k]);
}

const envelopes: string[] = [];
const txids: string[] = [];
for (let j = 0; j < job.count; j++) {
  const env = sign(job.offset + j);
  if (j === 0) {
    const parsed = JSON.parse(env.text) as { body: TxBody };
    if (canonicalJson(parsed) !== env.text || computeTxid(parsed.body) !== env.txid) throw new Error('sign-worker: envelope text or txid differs from the core\'s');
  }
  envelopes.push(env.text);
  if (job.withTxids === true) txids.push(env.txid);
}
parentPort!.postMessage(job.withTxids === true ? { envelopes, txids } : { envelopes });

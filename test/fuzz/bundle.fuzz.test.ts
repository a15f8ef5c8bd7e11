// Fuzz: offline verification of proof bundles (`verifyProofBundle`, what
// `govchain proof verify` runs). A valid bundle verifies; a mutated bundle is refused
// with `bundle.invalid` naming the failed step, or (when the change touched nothing that
// is signed or proven) yields exactly the same verified facts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  computeTxid,
  didKeyFromPublicKey,
  didKeyKid,
  formatCheckpoint,
  formatSignedNote,
  formatVerifierKey,
  hashLeaf,
  keyPairFromSeed,
  naiveInclusionProof,
  receiptLeafData,
  rootFromLeafHashes,
  sha256,
  signCheckpoint,
  signTxSync,
  toBase64,
  toHex,
  utf8,
  type Receipt,
} from '@govchain/core';
import { verifyProofBundle, type ProofBundle } from '@govchain/sdk';
import { fuzz, jsonMutation, mutateJson, pool, refusesCleanly } from './support.js';

const CHAIN = 'govchain-fuzz';
const seeds = [1, 2, 3, 4].map((i) => sha256(utf8(`fuzz bundle validator ${i}`)));
const names = seeds.map((_, i) => `${CHAIN}-validator-${i + 1}`);
const VKEYS = seeds.map((s, i) => formatVerifierKey(names[i]!, keyPairFromSeed(s).publicKey));
const citizen = (() => {
  const pair = keyPairFromSeed(sha256(utf8('fuzz citizen')));
  return { ...pair, did: didKeyFromPublicKey(pair.publicKey), kid: didKeyKid(pair.publicKey) };
})();

/** A genuine bundle: an anchor at a random position of a random log, certified by 3 of 4. */
const bundleArb = fc
  .record({ digest: fc.uint8Array({ minLength: 32, maxLength: 32 }), before: fc.nat(20), after: fc.nat(20), nonce: fc.nat(), height: fc.integer({ min: 1, max: 1000 }) })
  .map(({ digest, before, after, nonce, height }): ProofBundle => {
    const envelope = signTxSync({ chain: CHAIN, type: 'notary.anchor', signer: citizen.did, nonce: String(nonce), payload: { digest: toHex(digest) } }, [citizen]);
    const txid = computeTxid(envelope.body);
    const receipt: Receipt = { txid, height, index: 0, status: 'ok', events: [{ type: 'notary.anchored', data: { digest: toHex(digest), by: citizen.did } }] };
    const others = (n: number, salt: string) => Array.from({ length: n }, (_, i) => hashLeaf(utf8(`${salt}${i}`)));
    const leaves = [...others(before, 'a'), hashLeaf(receiptLeafData(receipt)), ...others(after, 'b')];
    const cp = { origin: CHAIN, size: leaves.length, rootHash: rootFromLeafHashes(leaves), height, stateRoot: sha256(digest), time: '2030-01-01T00:00:00.000Z' };
    const note = formatSignedNote(formatCheckpoint(cp), [0, 1, 2].map((i) => signCheckpoint(cp, names[i]!, seeds[i]!)));
    return {
      format: 'govchain-proof-bundle',
      version: 1,
      chainId: CHAIN,
      txid,
      envelope,
      receipt,
      inclusion: { leafIndex: before, treeSize: leaves.length, leaf: toBase64(receiptLeafData(receipt)), hashes: naiveInclusionProof(leaves, before).map(toBase64) },
      checkpoint: note,
      validators: { quorum: 3, vkeys: VKEYS },
    };
  });

// 256 genuine bundles, signed and verified once (with either trust source the facts agree).
const bundles = pool(
  bundleArb.map((bundle) => ({ bundle, good: verifyProofBundle(bundle) })),
  256,
);

test('fuzz: proof bundles: mutated bundles are refused with bundle.invalid or verify to the same facts', async () => {
  await fuzz(
    'bundle.verify(mutated)',
    fc.property(bundles, fc.array(jsonMutation, { minLength: 1, maxLength: 3 }), fc.boolean(), ({ bundle, good }, mutations, trusted) => {
      const opts = trusted ? { trustedVkeys: VKEYS } : {};
      assert.equal(good.txid, bundle.txid);
      const mutated = mutateJson(bundle, mutations);
      const r = refusesCleanly(() => verifyProofBundle(mutated, opts), ['bundle.invalid']);
      if (r !== undefined) assert.deepEqual(r, { ...good, trust: trusted ? 'trusted-keys' : 'bundle-keys' });
    }),
  );
});

test('fuzz: proof bundles: random JSON is refused with bundle.invalid', async () => {
  await fuzz(
    'bundle.verify(random JSON)',
    fc.property(
      fc.oneof(
        fc.jsonValue(),
        fc.record({ format: fc.constant('govchain-proof-bundle'), version: fc.constant(1), envelope: fc.jsonValue(), receipt: fc.jsonValue(), inclusion: fc.jsonValue(), checkpoint: fc.jsonValue(), validators: fc.jsonValue() }, { requiredKeys: ['format', 'version'] }),
      ),
      (value) => {
        refusesCleanly(() => verifyProofBundle(value), ['bundle.invalid']);
        refusesCleanly(() => verifyProofBundle(value, { trustedVkeys: VKEYS, fileDigest: '00'.repeat(32) }), ['bundle.invalid']);
      },
    ),
  );
});

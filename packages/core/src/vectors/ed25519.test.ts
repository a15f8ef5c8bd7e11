// RFC 8032 s.7.1 Ed25519 test vectors (TEST 1-3), run against the platform implementation
// (node:crypto under Node) and the audited pure-JS one used in browsers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, keyPairFromSeed, signEd25519, toHex, verifyEd25519 } from '../index.js';
import * as web from '../platform/web.js';

const VECTORS = [
  {
    seed: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    pub: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    msg: '',
    sig: 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    seed: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    pub: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    msg: '72',
    sig: '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
  {
    seed: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    pub: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    msg: 'af82',
    sig: '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  },
];

test('RFC 8032 s.7.1: keys, signatures and verification (node platform)', () => {
  for (const v of VECTORS) {
    const pair = keyPairFromSeed(fromHex(v.seed));
    assert.equal(toHex(pair.publicKey), v.pub);
    assert.equal(toHex(signEd25519(pair.seed, fromHex(v.msg))), v.sig);
    assert.ok(verifyEd25519(fromHex(v.pub), fromHex(v.msg), fromHex(v.sig)));
  }
});

test('RFC 8032 s.7.1: the browser implementation gives the same answers', () => {
  for (const v of VECTORS) {
    assert.equal(toHex(web.ed25519PublicKey(fromHex(v.seed))), v.pub);
    assert.equal(toHex(web.ed25519Sign(fromHex(v.seed), fromHex(v.msg))), v.sig);
    assert.ok(web.ed25519Verify(fromHex(v.pub), fromHex(v.msg), fromHex(v.sig)));
  }
});

test('verification fails for a changed message, key or signature, and never throws', () => {
  const v = VECTORS[1]!;
  const sig = fromHex(v.sig);
  assert.equal(verifyEd25519(fromHex(v.pub), fromHex('73'), sig), false);
  const flipped = sig.slice();
  flipped[10]! ^= 1;
  assert.equal(verifyEd25519(fromHex(v.pub), fromHex(v.msg), flipped), false);
  assert.equal(verifyEd25519(fromHex(VECTORS[0]!.pub), fromHex(v.msg), sig), false);
  assert.equal(verifyEd25519(new Uint8Array(31), fromHex(v.msg), sig), false);
  assert.equal(verifyEd25519(fromHex(v.pub), fromHex(v.msg), new Uint8Array(63)), false);
});

test('SHA-256 is the same on both platforms (FIPS 180-4 "abc")', async () => {
  const { sha256 } = await import('../index.js');
  const abc = new TextEncoder().encode('abc');
  assert.equal(toHex(sha256(abc)), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.equal(toHex(web.sha256(abc)), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  canonicalJson,
  checkEnvelope,
  computeTxid,
  didKeyFromPublicKey,
  didKeyKid,
  generateKeyPair,
  isGovchainError,
  publicKeyFromDidKey,
  signTxSync,
  toHex,
  type TxBody,
} from './index.js';

const alice = generateKeyPair();
const bob = generateKeyPair();
const aliceKey = { seed: alice.seed, kid: didKeyKid(alice.publicKey) };
const bobKey = { seed: bob.seed, kid: didKeyKid(bob.publicKey) };
const body = (over: Partial<TxBody> = {}): TxBody => ({
  chain: 'test',
  type: 'notary.anchor',
  signer: didKeyFromPublicKey(alice.publicKey),
  nonce: 'n1',
  payload: { digest: 'ab'.repeat(32) },
  ...over,
});
const opts = { chainId: 'test', now: Date.parse('2026-01-01T00:00:00Z') };
const code = (c: string) => (e: unknown) => isGovchainError(e, c);

test('did:key round-trips an Ed25519 key and starts with z6Mk', () => {
  const did = didKeyFromPublicKey(alice.publicKey);
  assert.match(did, /^did:key:z6Mk/);
  assert.equal(toHex(publicKeyFromDidKey(did)), toHex(alice.publicKey));
  assert.throws(() => publicKeyFromDidKey('did:key:zQ3s'), code('did.invalid'));
});

test('a correctly signed envelope passes and its txid is SHA-256 of JCS(body)', () => {
  const env = signTxSync(body(), [aliceKey]);
  const c = checkEnvelope(JSON.parse(JSON.stringify(env)), opts);
  assert.equal(c.txid, computeTxid(env.body));
  assert.deepEqual(c.signers, [env.body.signer]);
  // the stored text is JCS(envelope), whatever the submitted member order
  const shuffled = { signatures: env.signatures, body: { ...env.body, payload: { ...env.body.payload } } };
  assert.equal(checkEnvelope(JSON.parse(JSON.stringify(shuffled)), opts).canonical, canonicalJson(env));
  // key order does not change the txid
  const reordered = { payload: env.body.payload, nonce: 'n1', signer: env.body.signer, type: env.body.type, chain: 'test' };
  assert.equal(computeTxid(reordered as TxBody), c.txid);
});

test('several parties can sign one body', () => {
  const env = signTxSync(body(), [aliceKey, bobKey]);
  assert.equal(checkEnvelope(env, opts).signers.length, 2);
});

test('each stateless failure has its own code and names the field', () => {
  const good = signTxSync(body(), [aliceKey]);
  assert.throws(() => checkEnvelope('x', opts), code('tx.malformed'));
  assert.throws(() => checkEnvelope({ ...good, extra: 1 }, opts), (e) => isGovchainError(e, 'tx.malformed') && e.field === '/extra');
  assert.throws(() => checkEnvelope(signTxSync(body({ type: 'Notary' }), [aliceKey]), opts), (e) => isGovchainError(e, 'tx.malformed') && e.field === '/body/type');
  assert.throws(() => checkEnvelope(signTxSync(body({ chain: 'other' }), [aliceKey]), opts), code('tx.wrong_chain'));
  assert.throws(() => checkEnvelope(signTxSync(body({ expires: '2025-01-01T00:00:00Z' }), [aliceKey]), opts), code('tx.expired'));
  assert.doesNotThrow(() => checkEnvelope(signTxSync(body({ expires: '2027-01-01T00:00:00Z' }), [aliceKey]), opts));
  const tampered = structuredClone(good);
  tampered.body.nonce = 'n2';
  assert.throws(() => checkEnvelope(tampered, opts), (e) => isGovchainError(e, 'tx.bad_signature') && e.field === '/signatures/0/sig');
  assert.throws(() => checkEnvelope(signTxSync(body(), [bobKey]), opts), code('tx.signer_missing'));
  const wrongKid = structuredClone(good);
  wrongKid.signatures[0]!.kid = `${good.body.signer}#other`;
  assert.throws(() => checkEnvelope(wrongKid, opts), code('tx.unknown_key'));
  assert.throws(() => checkEnvelope(signTxSync(body({ payload: { big: 'x'.repeat(70_000) } }), [aliceKey]), opts), code('tx.too_large'));
  assert.throws(() => checkEnvelope({ body: good.body, signatures: [] }, opts), code('tx.malformed'));
});

test('validateBody runs before signatures are checked', () => {
  const env = signTxSync(body(), [aliceKey]);
  env.signatures[0]!.sig = 'AAAA';
  assert.throws(
    () => checkEnvelope(env, { ...opts, validateBody: () => { throw new Error('schema first'); } }),
    /schema first/,
  );
});

// The real payments module against the registries' state contract (invoice/<id>): a land
// transfer's tax is invoiced by the tax department, confirmed by the treasury with a bank
// reference, and the land registry accepts it; the revenue lands in the tax department's
// balanced accounts. (test/registries.test.ts uses a stand-in fixture for payments.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, signTxSync, toHex, type JsonValue } from '@govchain/core';
import { createApiServer } from '@govchain/api';
import { accountsBalance, type AgencyAccounts } from '@govchain/modules';
import type { GovchainNode } from '@govchain/node';
import type { FastifyInstance } from 'fastify';
import { demoChain, startNode } from './support/chain.js';
import { demoActors, digestOf, send, sendOk, type Actor } from './support/actors.js';

let chain: ReturnType<typeof demoChain>;
let node: GovchainNode;
let app: FastifyInstance;
let cast: Map<string, Actor>;

before(async () => {
  chain = demoChain();
  node = await startNode(chain.dir);
  app = await createApiServer({ node });
  cast = demoActors(chain.dir);
});
after(async () => {
  await app.close();
  await node.stop();
  chain.cleanup();
});

test('a land transfer tax paid through the payments module is accepted by the land registry', async () => {
  const who = (n: string): Actor => cast.get(n)!;
  const [minh, hoa, son, an, chi] = ['officer-land-minh', 'officer-tax-hoa', 'officer-treasury-son', 'citizen-an', 'citizen-chi'].map(who) as [Actor, Actor, Actor, Actor, Actor];
  const ok = (signers: Actor[], type: string, payload: Record<string, JsonValue>) => sendOk(app, node.chainId, signers, type, payload);
  const raise = async (signer: Actor, payload: Record<string, JsonValue>): Promise<string> => {
    const env = signTxSync({ chain: node.chainId, type: 'payments.raise_invoice', signer: signer.did, nonce: toHex(randomBytes(8)), payload }, [signer]);
    const res = await app.inject({ method: 'POST', url: '/v1/txs?wait=commit', payload: env });
    assert.equal(res.json().status, 'ok', res.body);
    return res.json().txid as string;
  };
  await ok([minh], 'land.register_parcel', { id: 'HN-1', area: 500, landUse: 'residential', geometryDigest: digestOf('hn-1'), owners: [{ holder: an.did, share: '1/1' }] });
  await ok([an, chi], 'land.propose_transfer', { id: 'T-9', parcel: 'HN-1', seller: an.did, buyer: chi.did, share: '1/1', price: 500_000_000 });
  const due = (await app.inject('/v1/land/transfers/T-9')).json().tax as number;
  assert.ok(due > 0);
  const ref = { module: 'land', key: 'transfer/T-9' };
  // The tax department bills the buyer; a citizen cannot raise an invoice; the treasury confirms.
  assert.equal(await send(app, node.chainId, [chi], 'payments.raise_invoice', { payer: chi.did, amount: due, currency: 'VND', purpose: 'land transfer tax', ref }), 'auth.not_officer');
  const invoice = await raise(hoa, { payer: chi.did, amount: due, currency: 'VND', purpose: 'land transfer tax', ref });
  assert.equal(await send(app, node.chainId, [minh], 'land.approve_transfer', { transfer: 'T-9', invoice }), 'invoice.unpaid');
  assert.equal(await send(app, node.chainId, [hoa], 'payments.confirm_payment', { invoice, paymentRef: 'BIDV-77' }), 'auth.missing_role');
  await ok([son], 'payments.confirm_payment', { invoice, paymentRef: 'BIDV-77' });
  await ok([minh], 'land.approve_transfer', { transfer: 'T-9', invoice });
  assert.deepEqual((await app.inject('/v1/land/parcels/HN-1')).json().parcel.owners, [{ holder: chi.did, share: '1/1' }]);
  const acc = (await app.inject(`/v1/payments/accounts/${cast.get('agency-tax')!.did}`)).json() as AgencyAccounts;
  assert.ok(accountsBalance(acc));
  assert.equal(acc.balances.revenue!.credit, due);
});

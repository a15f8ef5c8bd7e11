// Identity, roles and governance (docs/did-gov.md), end to end through the node and API:
// the authorisation matrix, key rotation and recovery with proofs, sign-in, and a
// governance proposal that adds a validator and changes the checkpoint quorum.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  GovchainError,
  didKeyKid,
  didKeyFromPublicKey,
  formatSignedNote,
  formatVerifierKey,
  generateKeyPair,
  loginMessage,
  parseSignedNote,
  randomBytes,
  signEd25519,
  signTxSync,
  smtProofFromJson,
  stateMapKey,
  stateValueHash,
  toBase64,
  toBase64Url,
  toHex,
  verifyAttribute,
  verifyCheckpointNote,
  verifySmtProof,
  type JsonValue,
  type Receipt,
} from '@govchain/core';
import { createApiServer } from '@govchain/api';
import { createClient, createLightClient, createSeedSigner, followValidatorChanges, signIn, validatorSetFromState } from '@govchain/sdk';
import { readDemoIdentities, readKeyFile, type GovchainNode, type LoadedKey } from '@govchain/node';
import type { FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoChain, startNode } from './support/chain.js';

type Outcome = 'ok' | string;

/** A signing identity: a DID and one of its keys. */
interface Actor {
  did: string;
  kid: string;
  seed: Uint8Array;
}

function actorOf(k: LoadedKey): Actor {
  return { did: k.did, kid: k.kid, seed: k.seed };
}

function newPublicKey(): { publicKey: string; seed: Uint8Array } {
  const pair = generateKeyPair();
  return { publicKey: toBase64Url(pair.publicKey), seed: pair.seed };
}

/** The current key of each DID whose key a test rotated. */
const current = new Map<string, Actor>();

/** After a successful rotation by `actor`, remember its newest key. */
function rotated(node: GovchainNode, actor: Actor, seed: Uint8Array): void {
  const rec = (node.stateValue('identity', `did/${actor.did}`) ?? node.stateValue('governance', `agency/${actor.did}`)) as { keys: Array<{ id: string }> };
  current.set(actor.did, { did: actor.did, kid: `${actor.did}#${rec.keys.at(-1)!.id}`, seed });
}

/** Submit a transaction and wait for its receipt; the outcome is 'ok' or the error code. */
async function run(node: GovchainNode, actor: Actor, type: string, payload: Record<string, JsonValue>): Promise<Outcome> {
  const env = signTxSync({ chain: node.chainId, type, signer: actor.did, nonce: toHex(randomBytes(8)), payload }, [actor]);
  let txid: string;
  try {
    txid = (await node.submit(JSON.stringify(env))).txid;
  } catch (e) {
    if (e instanceof GovchainError) return e.code;
    throw e;
  }
  const r: Receipt = await node.waitForCommit(txid, 10_000);
  return r.status === 'ok' ? 'ok' : r.code!;
}

function cast(dir: string): Map<string, { key: LoadedKey; did: string }> {
  return new Map(readDemoIdentities(dir).map((i) => [i.name, { key: readKeyFile(i.keyFile), did: i.did }]));
}

describe('identity and roles', () => {
  let chain: ReturnType<typeof demoChain>;
  let node: GovchainNode;
  let app: FastifyInstance;
  let people: ReturnType<typeof cast>;
  const who = (name: string): Actor => current.get(people.get(name)!.did) ?? actorOf(people.get(name)!.key);

  before(async () => {
    chain = demoChain();
    node = await startNode(chain.dir);
    app = await createApiServer({ node });
    people = cast(chain.dir);
  });
  after(async () => {
    await app.close();
    await node.stop();
    chain.cleanup();
  });

  test('the demo cast is on the ledger: agencies, officers with roles, citizens with commitments only', async () => {
    const ids = readDemoIdentities(chain.dir);
    assert.equal(ids.filter((i) => i.role.startsWith('agency:')).length, 7);
    for (const i of ids) {
      const res = await app.inject(`/v1/dids/${i.did}`);
      assert.equal(res.statusCode, 200, `${i.name}: ${res.body}`);
      const d = res.json();
      assert.equal(d.didDocument.id, i.did);
      assert.equal(d.didDocument.verificationMethod.length, 1);
      if (i.roles !== undefined) assert.deepEqual(d.didDocumentMetadata.roles, [...i.roles].sort());
    }
    // No personal data in clear: the wallet's openings match the recorded commitments.
    const wallet = JSON.parse(readFileSync(join(chain.dir, 'demo', 'wallets', 'citizen-an.json'), 'utf8'));
    const record = (await app.inject(`/v1/dids/${wallet.did}`)).json().didDocumentMetadata;
    for (const o of wallet.openings) {
      assert.ok(verifyAttribute(o, record.commitments[o.attribute]), o.attribute);
      assert.ok(!JSON.stringify(record).includes(o.value), `${o.attribute} value leaked`);
    }
    assert.ok(!verifyAttribute({ ...wallet.openings[1], value: '1988-03-15' }, record.commitments[wallet.openings[1].attribute]));
    const agencies = (await app.inject('/v1/agencies')).json();
    assert.equal(agencies.threshold, 4);
    assert.equal(agencies.agencies.filter((a: { member: boolean }) => a.member).length, 7);
  });

  test('authorisation matrix: every transaction type by every kind of actor', async () => {
    // Extra actors: a did:key stranger, a revoked key, a removed officer.
    const strangerPair = generateKeyPair();
    const stranger: Actor = { did: didKeyFromPublicKey(strangerPair.publicKey), kid: didKeyKid(strangerPair.publicKey), seed: strangerPair.seed };
    const chi = who('citizen-chi');
    const chiNext = newPublicKey();
    assert.equal(await run(node, chi, 'identity.rotate_key', { keyId: 'key-1', publicKey: chiNext.publicKey }), 'ok');
    const revoked = chi; // key-1 of citizen-chi, now rotated away
    const removedKey = newPublicKey();
    assert.equal(await run(node, who('agency-audit'), 'identity.register_officer', { publicKey: removedKey.publicKey, roles: ['auditor'] }), 'ok');
    const removedOfficerDid = readDidOfKey(node, removedKey.publicKey);
    assert.equal(await run(node, who('agency-audit'), 'identity.remove_officer', { officer: removedOfficerDid }), 'ok');
    const removed: Actor = { did: removedOfficerDid, kid: `${removedOfficerDid}#key-1`, seed: removedKey.seed };

    const actors: Record<string, Actor> = {
      'identity agency': who('agency-identity'),
      'land agency': who('agency-land'),
      'identity officer': who('officer-identity-lan'),
      'land registrar (another agency)': who('officer-land-minh'),
      citizen: who('citizen-an'),
      business: who('business-saigon-coffee'),
      'did:key stranger (no role)': stranger,
      'revoked key': revoked,
      'removed officer': removed,
    };
    const lanDid = people.get('officer-identity-lan')!.did;
    const minhDid = people.get('officer-land-minh')!.did;
    const binhDid = people.get('citizen-binh')!.did;
    const proposalByTax = await proposeAs(node, who('agency-tax'), { type: 'set_threshold', threshold: 5 });
    const landDid = people.get('agency-land')!.did;
    assert.equal(await run(node, who('agency-land'), 'services.define_service', { id: 'matrix-service', name: 'Matrix', steps: [{ name: 'check', role: 'service_officer', kind: 'review' }], documents: [], fee: 0, timeLimitDays: 5 }), 'ok');
    const matrixApp = await submitted(node, who('citizen-binh'), 'services.submit', { agency: landDid, service: 'matrix-service', documents: {} });

    // Expected outcome per actor, in the order above; payloads are fresh per call.
    const NA = 'auth.not_agency';
    const NO = 'auth.not_officer';
    const RV = 'identity.key_revoked';
    const DA = 'identity.deactivated';
    type Row = [string, (actor: Actor) => Record<string, JsonValue>, Outcome[]];
    const rotations = new Map<string, Uint8Array>();
    const rotate = (actor: Actor): Record<string, JsonValue> => {
      const k = newPublicKey();
      rotations.set(actor.did, k.seed);
      const fragment = actor.kid.split('#')[1]!;
      return { keyId: /^key-\d+$/.test(fragment) ? fragment : 'key-1', publicKey: k.publicKey };
    };
    const rows: Row[] = [
      ['notary.anchor', () => ({ digest: toHex(randomBytes(32)) }), ['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', RV, DA]],
      ['notary.anchor_batch', () => ({ root: toHex(randomBytes(32)), count: 1000 }), ['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', RV, DA]],
      // Agencies and officers pass authorisation; no network is trusted here, so the proof is refused.
      ['interop.accept', () => ({ network: 'no-such-network', checkpoint: 'x', proof: { type: 'inclusion', leafIndex: 0, leaf: '', hashes: [] } }), ['interop.unknown_network', 'interop.unknown_network', 'interop.unknown_network', 'interop.unknown_network', NO, NO, NO, RV, DA]],
      ['identity.register_officer', () => ({ publicKey: newPublicKey().publicKey, roles: ['identity_officer'] }), ['ok', 'auth.no_authority', NA, NA, NA, NA, NA, RV, DA]],
      ['identity.set_roles', () => ({ officer: lanDid, roles: ['identity_officer'] }), ['ok', 'auth.no_authority', NA, NA, NA, NA, NA, RV, DA]],
      ['identity.register_citizen', () => ({ publicKey: newPublicKey().publicKey, commitments: { name: toHex(randomBytes(32)) } }), [NO, NO, 'ok', 'auth.missing_role', NO, NO, NO, RV, DA]],
      ['identity.register_business', () => ({ publicKey: newPublicKey().publicKey, commitments: { name: toHex(randomBytes(32)) } }), [NO, NO, 'ok', 'auth.missing_role', NO, NO, NO, RV, DA]],
      ['identity.recover', () => ({ did: binhDid, publicKey: newPublicKey().publicKey, evidence: toHex(randomBytes(32)) }), [NO, NO, 'ok', 'auth.missing_role', NO, NO, NO, RV, DA]],
      ['identity.add_key', () => ({ publicKey: newPublicKey().publicKey }), ['identity.use_governance', 'identity.use_governance', 'ok', 'ok', 'ok', 'ok', 'auth.not_registered', RV, DA]],
      ['identity.revoke_key', () => ({ keyId: 'key-2' }), ['identity.use_governance', 'identity.use_governance', 'ok', 'ok', 'ok', 'ok', 'auth.not_registered', RV, DA]],
      ['governance.propose', () => ({ action: { type: 'set_threshold', threshold: 3 }, deadline: inMinutes(60) }), ['ok', 'ok', NA, NA, NA, NA, NA, RV, DA]],
      ['governance.approve', () => ({ proposal: proposalByTax }), ['ok', 'ok', NA, NA, NA, NA, NA, RV, DA]],
      // Services and payments (docs/services.md): an application by citizen-binh, service of the land office.
      ['services.define_service', () => ({ id: 'matrix-service', name: 'Matrix', steps: [{ name: 'check', role: 'service_officer', kind: 'review' }], documents: [], fee: 0, timeLimitDays: 5 }), ['auth.no_authority', 'ok', NA, NA, NA, NA, NA, RV, DA]],
      ['services.submit', () => ({ agency: landDid, service: 'matrix-service', documents: {} }), ['auth.not_registered', 'auth.not_registered', 'auth.not_registered', 'auth.not_registered', 'ok', 'ok', 'auth.not_registered', RV, DA]],
      ['services.accept', () => ({ application: matrixApp }), [NO, NO, 'auth.missing_role', 'ok', NO, NO, NO, RV, DA]],
      ['services.request_info', () => ({ application: matrixApp, reason: 'more' }), [NO, NO, 'auth.missing_role', 'ok', NO, NO, NO, RV, DA]],
      ['services.resubmit', () => ({ application: matrixApp, documents: {} }), ['services.not_applicant', 'services.not_applicant', 'services.not_applicant', 'services.not_applicant', 'services.not_applicant', 'services.not_applicant', 'services.not_applicant', RV, DA]],
      ['services.approve', () => ({ application: matrixApp }), [NO, NO, 'auth.missing_role', 'services.wrong_state', NO, NO, NO, RV, DA]],
      ['services.reject', () => ({ application: matrixApp, reason: 'no' }), [NO, NO, 'auth.missing_role', 'ok', 'services.wrong_state', 'services.wrong_state', 'services.wrong_state', RV, DA]],
      ['services.issue_credential', () => ({ application: matrixApp, digest: toHex(randomBytes(32)), list: 'm', idx: 0 }), ['auth.no_authority', 'services.no_credential', NA, NA, NA, NA, NA, RV, DA]],
      ['services.set_credential_status', () => ({ list: 'm', idx: 0, status: 'revoked' }), ['auth.no_authority', 'services.no_credential', NA, NA, NA, NA, NA, RV, DA]],
      ['services.erase_document', () => ({ application: matrixApp, document: 'plan' }), ['services.unknown_document', 'services.unknown_document', 'services.unknown_document', 'services.unknown_document', 'services.unknown_document', 'services.unknown_document', 'services.unknown_document', RV, DA]],
      ['payments.raise_invoice', () => ({ payer: binhDid, amount: 10, currency: 'VND', purpose: 'matrix', ref: { module: 'notary', key: toHex(randomBytes(32)) } }), [NO, NO, 'auth.missing_role', 'ok', NO, NO, NO, RV, DA]],
      ['payments.confirm_payment', () => ({ invoice: toHex(randomBytes(32)), paymentRef: 'M-1' }), [NO, NO, 'auth.missing_role', 'auth.missing_role', NO, NO, NO, RV, DA]],
      ['payments.refund', () => ({ invoice: toHex(randomBytes(32)) }), [NO, NO, 'auth.missing_role', 'auth.missing_role', NO, NO, NO, RV, DA]],
      ['payments.cancel_invoice', () => ({ invoice: toHex(randomBytes(32)) }), [NO, NO, 'auth.missing_role', 'payments.no_invoice', NO, NO, NO, RV, DA]],
      // The land agency removes its registrar; afterwards the registrar's own key is dead.
      ['identity.remove_officer', () => ({ officer: minhDid }), ['auth.other_agency', 'ok', NA, DA, NA, NA, NA, RV, DA]],
      // Last: these change the actors' own keys.
      ['identity.rotate_key', rotate, ['identity.use_governance', 'identity.use_governance', 'ok', DA, 'ok', 'ok', 'auth.not_registered', RV, DA]],
      ['governance.rotate_agency_key', rotate, ['ok', 'ok', NA, DA, NA, NA, NA, RV, DA]],
    ];
    const names = Object.keys(actors);
    const table: string[] = [];
    const mismatches: string[] = [];
    for (const [type, payload, expected] of rows) {
      const got: Outcome[] = [];
      for (const name of names) {
        const actor = current.get(actors[name]!.did) ?? actors[name]!;
        const outcome = await run(node, actor, type, payload(actor));
        if (outcome === 'ok' && rotations.has(actor.did)) rotated(node, actor, rotations.get(actor.did)!);
        rotations.delete(actor.did);
        got.push(outcome);
      }
      table.push(`${type.padEnd(30)} ${got.join(' | ')}`);
      got.forEach((g, i) => {
        if (g !== expected[i]) mismatches.push(`${type} by ${names[i]}: expected ${expected[i]}, got ${g}`);
      });
    }
    assert.deepEqual(mismatches, [], table.join('\n'));
    // Every identity, governance, notary, services and payments transaction type is covered
    // (the registries have their own refusal tests: test/registries.test.ts).
    const covered = new Set(rows.map((r) => r[0]));
    for (const m of node.registry.modules.filter((x) => ['governance', 'identity', 'notary', 'services', 'payments'].includes(x.name))) {
      for (const action of Object.keys(m.txTypes)) assert.ok(covered.has(`${m.name}.${action}`), `${m.name}.${action} missing from the matrix`);
    }
  });

  test('key rotation: the old key is refused, the document shows the history, a light client checks the current key from a checkpoint', async () => {
    const an = who('citizen-an');
    const before = (await app.inject(`/v1/dids/${an.did}`)).json().didDocumentMetadata.keyHistory.length;
    const next = newPublicKey();
    const current = (await app.inject(`/v1/dids/${an.did}`)).json().didDocument.verificationMethod[0].id as string;
    assert.equal(an.kid, current);
    const oldActor = an;
    assert.equal(await run(node, oldActor, 'identity.rotate_key', { keyId: current.split('#')[1]!, publicKey: next.publicKey }), 'ok');
    const newKid = `${an.did}#key-${before + 1}`;
    assert.equal(await run(node, oldActor, 'notary.anchor', { digest: toHex(randomBytes(32)) }), 'identity.key_revoked');
    assert.equal(await run(node, { did: an.did, kid: newKid, seed: next.seed }, 'notary.anchor', { digest: toHex(randomBytes(32)) }), 'ok');

    const res = (await app.inject(`/v1/dids/${an.did}?proof=1`)).json();
    const history = res.didDocumentMetadata.keyHistory as Array<{ id: string; revoked?: number; revokedReason?: string }>;
    assert.equal(history.find((h) => h.id === current)?.revokedReason, 'rotated');
    assert.deepEqual(res.didDocument.verificationMethod.map((v: { id: string }) => v.id), [newKid]);
    // Light-client check: the record is in the state root of a quorum-signed checkpoint.
    const v = (await app.inject('/v1/validators')).json();
    const { checkpoint } = verifyCheckpointNote(res.checkpoint, v.vkeys, v.quorum);
    const record = node.stateValue(res.stateKey.module, res.stateKey.key)!;
    assert.ok(verifySmtProof(checkpoint.stateRoot, stateMapKey(res.stateKey.module, res.stateKey.key), stateValueHash(record), smtProofFromJson(res.proof)));
    const forged = { ...(record as object), keys: [] } as JsonValue;
    assert.ok(!verifySmtProof(checkpoint.stateRoot, stateMapKey(res.stateKey.module, res.stateKey.key), stateValueHash(forged), smtProofFromJson(res.proof)));
  });

  test('a signature by a key revoked earlier in the same block fails at execution; one from before stays valid', async () => {
    const b = who('business-hanoi-build');
    const next = newPublicKey();
    const mk = (type: string, payload: Record<string, JsonValue>) => JSON.stringify(signTxSync({ chain: node.chainId, type, signer: b.did, nonce: toHex(randomBytes(8)), payload }, [b]));
    const early = await node.submit(mk('notary.anchor', { digest: toHex(randomBytes(32)) }));
    const earlyReceipt = await node.waitForCommit(early.txid);
    // Both admitted before either commits (admission sees key-1 valid); order decides.
    const [rot, late] = await Promise.all([node.submit(mk('identity.rotate_key', { keyId: 'key-1', publicKey: next.publicKey })), node.submit(mk('notary.anchor', { digest: toHex(randomBytes(32)) }))]);
    const rr = await node.waitForCommit(rot.txid);
    const lr = await node.waitForCommit(late.txid);
    assert.equal(rr.status, 'ok');
    assert.equal(lr.status, 'failed');
    assert.equal(lr.code, 'identity.key_revoked');
    assert.ok(lr.height > rr.height || (lr.height === rr.height && lr.index > rr.index));
    assert.equal(earlyReceipt.status, 'ok');
    assert.equal(node.getTx(early.txid)!.receipt.status, 'ok');
  });

  test('recovery by the identity authority is a public signed transaction; the lost key stops working', async () => {
    const binh = people.get('citizen-binh')!;
    const fresh = newPublicKey();
    const evidence = toHex(randomBytes(32));
    const res = await run(node, who('officer-identity-lan'), 'identity.recover', { did: binh.did, publicKey: fresh.publicKey, evidence });
    assert.equal(res, 'ok');
    const doc = (await app.inject(`/v1/dids/${binh.did}`)).json();
    const newest = doc.didDocument.verificationMethod[0].id as string;
    assert.ok(doc.didDocumentMetadata.keyHistory.filter((h: { revokedReason?: string }) => h.revokedReason === 'recovered').length >= 1);
    assert.equal(await run(node, actorOf(binh.key), 'notary.anchor', { digest: toHex(randomBytes(32)) }), 'identity.key_revoked');
    assert.equal(await run(node, { did: binh.did, kid: newest, seed: fresh.seed }, 'notary.anchor', { digest: toHex(randomBytes(32)) }), 'ok');
    // The recovery is in the log, naming the officer and the evidence digest.
    const events = [];
    for (let i = node.head()!.logSize - 1; i >= 0 && events.length === 0; i--) {
      const r = node.store.receipt(i)!;
      for (const e of r.events ?? []) if (e.type === 'identity.recovered' && e.data.did === binh.did) events.push(e);
    }
    assert.equal(events[0]?.data.evidence, evidence);
  });

  test('sign-in: a signed challenge yields a short-lived token; bad signatures and reused challenges are refused', async () => {
    const lan = who('officer-identity-lan');
    const login = async (actor: Actor, tamper = false) => {
      const c = (await app.inject({ method: 'POST', url: '/v1/auth/challenge', payload: { did: actor.did } })).json();
      const sig = signEd25519(actor.seed, loginMessage(c.chain, actor.did, c.nonce, c.expires));
      if (tamper) sig[0] ^= 1;
      const body = { did: actor.did, kid: actor.kid, nonce: c.nonce, expires: c.expires, sig: toBase64Url(sig) };
      return { res: await app.inject({ method: 'POST', url: '/v1/auth/login', payload: body }), body };
    };
    const ok = await login(lan);
    assert.equal(ok.res.statusCode, 200, ok.res.body);
    const t = ok.res.json();
    assert.deepEqual(t.roles, ['identity_officer']);
    const me = await app.inject({ url: '/v1/auth/me', headers: { authorization: `Bearer ${t.token}` } });
    assert.equal(me.json().did, lan.did);
    assert.equal((await app.inject({ method: 'POST', url: '/v1/auth/login', payload: ok.body })).json().code, 'auth.challenge_unknown');
    const bad = await login(lan, true);
    assert.equal(bad.res.statusCode, 401);
    assert.equal(bad.res.json().code, 'auth.bad_signature');
    assert.equal((await app.inject({ url: '/v1/auth/me', headers: { authorization: `Bearer ${t.token}x` } })).statusCode, 401);
    // The SDK does the same over HTTP with any Signer.
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const session = await signIn(createClient({ url: base }), createSeedSigner(lan.seed, lan.did, lan.kid));
    assert.equal(session.did, lan.did);
    assert.deepEqual(session.roles, ['identity_officer']);
    // A token is not a signature: submitting a transaction still needs one.
    const unsigned = { body: { chain: node.chainId, type: 'notary.anchor', signer: lan.did, nonce: 'n', payload: { digest: toHex(randomBytes(32)) } }, signatures: [] };
    const res = await app.inject({ method: 'POST', url: '/v1/txs', payload: unsigned, headers: { authorization: `Bearer ${t.token}` } });
    assert.equal(res.statusCode, 400);
  });
});

/** Submit a transaction that must succeed; its txid. */
async function submitted(node: GovchainNode, actor: Actor, type: string, payload: Record<string, JsonValue>): Promise<string> {
  const env = signTxSync({ chain: node.chainId, type, signer: actor.did, nonce: toHex(randomBytes(8)), payload }, [actor]);
  const { txid } = await node.submit(JSON.stringify(env));
  const r = await node.waitForCommit(txid, 10_000);
  assert.equal(r.status, 'ok', r.code);
  return txid;
}

function inMinutes(m: number): string {
  return new Date(Date.now() + m * 60_000).toISOString();
}

async function proposeAs(node: GovchainNode, agency: Actor, action: Record<string, JsonValue>, deadline = inMinutes(60)): Promise<string> {
  const env = signTxSync({ chain: node.chainId, type: 'governance.propose', signer: agency.did, nonce: toHex(randomBytes(8)), payload: { action, deadline } }, [agency]);
  const { txid } = await node.submit(JSON.stringify(env));
  const r = await node.waitForCommit(txid);
  assert.equal(r.status, 'ok', r.code);
  return txid;
}

function readDidOfKey(node: GovchainNode, publicKey: string): string {
  for (const e of node.store.stateEntries('identity')) {
    if (!e.key.startsWith('did/')) continue;
    const r = JSON.parse(e.value) as { did: string; keys: Array<{ publicKey: string }> };
    if (r.keys.some((k) => k.publicKey === publicKey)) return r.did;
  }
  throw new Error('no DID for that key');
}

describe('governance', () => {
  let chain: ReturnType<typeof demoChain>;
  let node: GovchainNode;
  let app: FastifyInstance;
  let people: ReturnType<typeof cast>;
  const who = (name: string): Actor => actorOf(people.get(name)!.key);

  before(async () => {
    chain = demoChain({ validators: 4 });
    node = await startNode(chain.dir);
    app = await createApiServer({ node });
    people = cast(chain.dir);
  });
  after(async () => {
    await app.close();
    await node.stop();
    chain.cleanup();
  });

  test('adding a fifth validator: too few approvals do nothing, enough execute it, and from the next height the quorum is 4', async () => {
    const v0 = (await app.inject('/v1/validators')).json();
    assert.equal(v0.vkeys.length, 4);
    assert.equal(v0.quorum, 3);
    const fifth = generateKeyPair();
    const action = { type: 'add_validator', name: 'govchain-dev-validator-5', publicKey: toBase64(fifth.publicKey) };
    const id = await proposeAs(node, who('agency-identity'), action);
    for (const a of ['agency-land', 'agency-tax']) assert.equal(await run(node, who(a), 'governance.approve', { proposal: id }), 'ok');
    assert.equal(await run(node, who('citizen-an'), 'governance.approve', { proposal: id }), 'auth.not_agency');
    assert.equal(await run(node, who('agency-land'), 'governance.approve', { proposal: id }), 'governance.already_approved');
    // 3 of 7 approvals: threshold 4 not reached.
    assert.equal((await app.inject(`/v1/governance/proposals/${id}`)).json().status, 'open');
    assert.equal((await app.inject('/v1/validators')).json().vkeys.length, 4);

    assert.equal(await run(node, who('agency-health'), 'governance.approve', { proposal: id }), 'ok');
    const p = (await app.inject(`/v1/governance/proposals/${id}`)).json();
    assert.equal(p.status, 'executed');
    const v1 = (await app.inject('/v1/validators')).json();
    assert.equal(v1.vkeys.length, 5);
    assert.equal(v1.quorum, 4);

    // The checkpoint of the executing block was signed under the old set (quorum 3) ...
    const execHeight = p.executed as number;
    const execBlock = node.getBlock(execHeight)!;
    const oldNote = node.checkpointAt(execBlock.header.logSize)!.note;
    verifyCheckpointNote(oldNote, v0.vkeys, 3);
    // ... and the next ones need 4 of the 5: the node's four keys reach it, three do not.
    assert.equal(await run(node, who('citizen-an'), 'notary.anchor', { digest: toHex(randomBytes(32)) }), 'ok');
    const note = (await app.inject('/v1/checkpoint')).body;
    const { checkpoint } = verifyCheckpointNote(note, v1.vkeys, v1.quorum);
    assert.ok(checkpoint.height > execHeight);
    const parsed = parseSignedNote(note);
    assert.equal(parsed.signatures.length, 4);
    const three = formatSignedNote(parsed.text, parsed.signatures.slice(0, 3));
    assert.throws(() => verifyCheckpointNote(three, v1.vkeys, v1.quorum), (e) => e instanceof GovchainError && e.code === 'checkpoint.no_quorum');
    verifyCheckpointNote(three, v0.vkeys, 3); // would have sufficed under the old rule
    // The validator set is provable from the checkpoint (a light client follows it).
    const s = (await app.inject('/v1/state/governance/validators?proof=1')).json();
    const cp = verifyCheckpointNote(s.checkpoint, v1.vkeys, v1.quorum).checkpoint;
    assert.ok(verifySmtProof(cp.stateRoot, stateMapKey('governance', 'validators'), stateValueHash(s.value), smtProofFromJson(s.proof)));
    assert.equal(s.value.length, 5);
    assert.ok(s.value.some((x: { publicKey: string }) => x.publicKey === toBase64(fifth.publicKey)));
    void formatVerifierKey;
  });

  test('a light client trusting the genesis set follows the change by proof, and refuses a forged one', async () => {
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const client = createClient({ url: base });
    const genesisSet = { quorum: 3, vkeys: readGenesisVkeys(chain.dir) };
    const lc = await createLightClient({ client, chainId: node.chainId, trust: genesisSet });
    const adopted = await followValidatorChanges(lc, client);
    assert.equal(adopted.length, 1);
    assert.equal(lc.validators().vkeys.length, 5);
    assert.equal(lc.validators().quorum, 4);
    const proven = await lc.verified.state('governance', 'validators');
    assert.equal((proven.value as unknown[]).length, 5);
    // A forged set (one more validator) with the real checkpoint and proof is refused.
    const lc2 = await createLightClient({ client, chainId: node.chainId, trust: genesisSet });
    const h = (node.stateValue('governance', 'validator_changes') as number[])[0]!;
    const size = node.getBlock(h)!.header.logSize;
    const res = await client.state('governance', 'validators', { proof: true, size });
    const forgedValue = [...(res.value as Array<{ name: string; publicKey: string }>), { name: 'intruder', publicKey: toBase64(generateKeyPair().publicKey) }];
    await assert.rejects(
      lc2.updateValidators(validatorSetFromState(forgedValue), { checkpoint: res.checkpoint, value: forgedValue, proof: res.proof }),
      (e) => e instanceof GovchainError && e.code === 'light.validator_update_rejected',
    );
    assert.equal(lc2.validators().vkeys.length, 4);
  });

  test('a proposal cannot execute after its deadline', async () => {
    const id = await proposeAs(node, who('agency-identity'), { type: 'set_threshold', threshold: 3 }, new Date(Date.now() + 1500).toISOString());
    await new Promise((r) => setTimeout(r, 1700));
    for (const a of ['agency-land', 'agency-tax', 'agency-health']) assert.equal(await run(node, who(a), 'governance.approve', { proposal: id }), 'governance.expired');
    assert.equal((await app.inject('/v1/governance')).json().threshold, 4);
  });

  test('the audit re-executes identity and governance history and passes', async () => {
    const { verifyStore, readGenesis, dataPaths } = await import('@govchain/node');
    const report = verifyStore(node.store, readGenesis(dataPaths(chain.dir).genesis), { mode: 'full' });
    assert.equal(report.ok, true, report.reason);
    assert.ok(report.transactions > 15);
  });
});

function readGenesisVkeys(dir: string): string[] {
  const g = JSON.parse(readFileSync(join(dir, 'genesis.json'), 'utf8')) as { validators: Array<{ name: string; publicKey: string }> };
  return g.validators.map((v) => formatVerifierKey(v.name, Buffer.from(v.publicKey, 'base64')));
}

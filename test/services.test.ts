// Public services end to end through the API (issue 6): a service is defined, a citizen
// applies with a private document, the officer asks for more, the citizen resubmits, the
// officer approves, the treasury confirms the fee, the agency issues an SD-JWT VC, the
// holder shows it as a QR payload that verifies offline and online, the agency revokes it
// and it is refused. Then who sees what of one application, and erasure of a document.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loginMessage, randomBytes, signEd25519, signTxSync, smtProofFromJson, stateMapKey, stateValueHash, toBase64, toBase64Url, toHex, verifyCheckpointNote, verifySmtProof, type JsonValue, type Receipt } from '@govchain/core';
import { createApiServer } from '@govchain/api';
import { bootstrapDemo, dataPaths, exportChain, GovchainNode, readDemoIdentities, readGenesis, readKeyFile, verifyStore, type LoadedKey } from '@govchain/node';
import { credentialDigest, decodeCredentialQr, encodeCredentialQr, issueCredential, presentCredential, trustFromSnapshot, verifyCredential, type CredentialTrustSnapshot } from '@govchain/sdk/credentials';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { demoChain } from './support/chain.js';

const root = new URL('../..', import.meta.url).pathname;
const VCT = 'urn:govchain:vct:construction-permit';

describe('public services through the API', () => {
  let chain: ReturnType<typeof demoChain>;
  let node: GovchainNode;
  let app: FastifyInstance;
  let logFile: string;
  const responses: string[] = [];
  let cast: Map<string, LoadedKey>;
  const key = (name: string): LoadedKey => cast.get(name)!;

  /** Every API call goes through here, so the erasure test can grep what the API returned. */
  async function call(method: 'GET' | 'POST', url: string, opts: { payload?: unknown; token?: string } = {}): Promise<{ status: number; body: any; text: string }> {
    const res = await app.inject({ method, url, ...(opts.payload === undefined ? {} : { payload: opts.payload as object }), ...(opts.token === undefined ? {} : { headers: { authorization: `Bearer ${opts.token}` } }) });
    responses.push(res.body);
    let body: unknown;
    try {
      body = res.json();
    } catch {
      body = res.body;
    }
    return { status: res.statusCode, body, text: res.body };
  }

  /** Sign and submit through POST /v1/txs?wait=commit; the receipt. */
  async function tx(signer: LoadedKey, type: string, payload: Record<string, JsonValue>): Promise<Receipt> {
    const env = signTxSync({ chain: node.chainId, type, signer: signer.did, nonce: toHex(randomBytes(8)), payload }, [signer]);
    const r = await call('POST', '/v1/txs?wait=commit', { payload: env });
    assert.equal(r.status, 200, r.text);
    return r.body as Receipt;
  }
  async function ok(signer: LoadedKey, type: string, payload: Record<string, JsonValue>): Promise<Receipt> {
    const r = await tx(signer, type, payload);
    assert.equal(r.status, 'ok', `${type}: ${r.code}`);
    return r;
  }
  async function signIn(k: LoadedKey): Promise<string> {
    const c = (await call('POST', '/v1/auth/challenge', { payload: { did: k.did } })).body;
    const sig = toBase64Url(signEd25519(k.seed, loginMessage(c.chain, k.did, c.nonce, c.expires)));
    const r = await call('POST', '/v1/auth/login', { payload: { did: k.did, kid: k.kid, nonce: c.nonce, expires: c.expires, sig } });
    assert.equal(r.status, 200, r.text);
    return r.body.token as string;
  }
  async function upload(token: string, text: string): Promise<string> {
    const r = await call('POST', '/v1/documents', { token, payload: { content: toBase64(new TextEncoder().encode(text)), mediaType: 'text/plain' } });
    assert.equal(r.status, 201, r.text);
    return r.body.digest as string;
  }

  before(async () => {
    chain = demoChain();
    logFile = join(chain.dir, '..', `${chain.dir.split('/').pop()}.log`);
    // The node and the API log to a file, so the erasure test can grep the logs.
    const logger = pino({ level: 'debug' }, pino.destination({ dest: logFile, sync: true }));
    node = await GovchainNode.open({ dataDir: chain.dir, blockIntervalMs: 10, verifierWorkers: 1, logger });
    await node.start();
    const boot = await bootstrapDemo(node, chain.dir);
    assert.equal(boot.failed, 0);
    app = await createApiServer({ node, logger: { level: 'info', file: logFile } });
    cast = new Map(readDemoIdentities(chain.dir).map((i) => [i.name, readKeyFile(i.keyFile)]));
  });
  after(async () => {
    await app.close();
    await node.stop();
    chain.cleanup();
    if (!process.env.KEEP_LOG) spawnSync('rm', ['-f', logFile]);
  });

  const plaintext = `Site plan of lot 42, owner Nguyen Van An, secret-${toHex(randomBytes(8))}`;
  const story: { app?: string; sdJwt?: string; qr?: string; digest?: string; planDigest?: string; extraDigest?: string } = {};

  test('end to end: define, apply with a document, request info, resubmit, approve, pay, credential, verify offline, revoke, refused', async () => {
    const land = key('agency-land');
    const minh = key('officer-land-minh');
    const son = key('officer-treasury-son');
    const an = key('citizen-an');

    // 1. The land office publishes a service.
    await ok(land, 'services.define_service', {
      id: 'construction-permit',
      name: 'Construction permit',
      steps: [
        { name: 'review', role: 'service_officer', kind: 'review' },
        { name: 'fee', role: 'treasury_officer', kind: 'payment' },
      ],
      documents: [{ name: 'site_plan' }],
      fee: 500000,
      timeLimitDays: 15,
      credential: VCT,
    });
    const catalogue = (await call('GET', '/v1/services')).body.services;
    assert.ok(catalogue.some((s: { id: string; version: number }) => s.id === 'construction-permit' && s.version === 1));

    // 2. The citizen signs in, stores the document (encrypted off-ledger) and applies with its digest.
    const anToken = await signIn(an);
    story.planDigest = await upload(anToken, plaintext);
    const submit = await ok(an, 'services.submit', { agency: land.did, service: 'construction-permit', documents: { site_plan: story.planDigest } });
    const id = submit.txid;
    story.app = id;
    const view = async (): Promise<any> => (await call('GET', `/v1/applications/${id}`, { token: anToken })).body;
    assert.equal((await view()).status, 'submitted');
    assert.equal(Date.parse((await view()).deadline) - Date.parse((await view()).submitted), 15 * 86_400_000, 'deadline from ledger time');

    // 3. The officer accepts and asks for more; the citizen resubmits; the officer approves.
    await ok(minh, 'services.accept', { application: id });
    assert.equal((await tx(minh, 'services.approve', { application: id })).status, 'ok');
    // (Approving moved it to the payment step; a new application walks the full path.)
    const second = await ok(an, 'services.submit', { agency: land.did, service: 'construction-permit', documents: { site_plan: story.planDigest } });
    const app2 = second.txid;
    await ok(minh, 'services.accept', { application: app2 });
    await ok(minh, 'services.request_info', { application: app2, reason: 'the site plan lacks the boundary measurements' });
    assert.equal((await call('GET', `/v1/applications/${app2}`, { token: anToken })).body.status, 'info_requested');
    assert.equal((await tx(minh, 'services.approve', { application: app2 })).code, 'services.wrong_state', 'cannot approve while waiting for the applicant');
    assert.equal((await tx(minh, 'services.resubmit', { application: app2, documents: { site_plan: story.planDigest } })).code, 'services.not_applicant');
    story.extraDigest = await upload(anToken, `${plaintext} with measurements`);
    await ok(an, 'services.resubmit', { application: app2, documents: { site_plan: story.extraDigest } });
    await ok(minh, 'services.approve', { application: app2 });
    const awaiting = (await call('GET', `/v1/applications/${app2}`, { token: anToken })).body;
    assert.equal(awaiting.status, 'awaiting_payment');
    assert.deepEqual(awaiting.history.map((h: { action: string }) => h.action), ['submit', 'accept', 'request_info', 'resubmit', 'approve']);
    story.app = app2;
    // Work lists (GET /v1/applications): the applicant's own, the case officer's, the treasury's (awaiting payment), nobody else's.
    const list = async (k: LoadedKey): Promise<Array<{ id: string; relation: string; status: string }>> => (await call('GET', '/v1/applications', { token: await signIn(k) })).body.applications;
    assert.deepEqual((await list(an)).filter((a) => a.id === app2).map((a) => a.relation), ['applicant']);
    assert.deepEqual((await list(minh)).filter((a) => a.id === app2).map((a) => [a.relation, a.status]), [['officer', 'awaiting_payment']]);
    assert.deepEqual((await list(son)).filter((a) => a.id === app2).map((a) => a.relation), ['treasury']);
    assert.deepEqual((await list(land)).filter((a) => a.id === app2).map((a) => a.relation), ['agency']);
    assert.equal((await list(key('citizen-binh'))).length, 0, "another citizen sees none of An's applications");
    assert.equal((await list(key('officer-tax-hoa'))).filter((a) => a.id === app2).length, 0, 'an officer of another agency does not see it');
    assert.equal((await call('GET', '/v1/applications')).status, 401);

    // 4. The fee: the officer invoices, the treasury confirms; the application proceeds by itself.
    assert.equal((await tx(minh, 'payments.raise_invoice', { payer: an.did, amount: 1000, currency: 'VND', purpose: 'construction permit fee', ref: { module: 'services', key: `application/${app2}` } })).code, 'payments.bad_amount');
    const inv = await ok(minh, 'payments.raise_invoice', { payer: an.did, amount: 500000, currency: 'VND', purpose: 'construction permit fee', ref: { module: 'services', key: `application/${app2}` } });
    assert.equal((await tx(minh, 'payments.confirm_payment', { invoice: inv.txid, paymentRef: 'VCB-2026-0001' })).code, 'auth.missing_role');
    await ok(son, 'payments.confirm_payment', { invoice: inv.txid, paymentRef: 'VCB-2026-0001' });
    const invoice = (await call('GET', `/v1/payments/invoices/${inv.txid}`)).body;
    assert.equal(invoice.status, 'paid');
    assert.equal(invoice.paymentRef, 'VCB-2026-0001');
    const paid = (await call('GET', `/v1/applications/${app2}`, { token: anToken })).body;
    assert.equal(paid.status, 'approved', 'the paid application proceeded without another transaction');
    // The same bank reference cannot pay another invoice.
    const inv1 = await ok(minh, 'payments.raise_invoice', { payer: an.did, amount: 500000, currency: 'VND', purpose: 'construction permit fee', ref: { module: 'services', key: `application/${id}` } });
    assert.equal((await tx(son, 'payments.confirm_payment', { invoice: inv1.txid, paymentRef: 'VCB-2026-0001' })).code, 'payments.reference_used');
    const accounts = (await call('GET', `/v1/payments/accounts/${land.did}`)).body;
    assert.deepEqual(accounts.balances, { cash: { debit: 500000, credit: 0 }, revenue: { debit: 0, credit: 500000 } });

    // 5. The agency issues the credential off-ledger and records its digest and status entry.
    const { sdJwt, digest } = await issueCredential({
      issuer: land,
      vct: VCT,
      subject: an.did,
      claims: { permitNumber: 'CP-2026-0042', lot: '42', ownerName: 'Nguyen Van An', validUntil: '2028-12-31' },
      disclosable: ['permitNumber', 'lot', 'ownerName', 'validUntil'],
      status: { list: 'permits-2026', idx: 7 },
      application: app2,
    });
    assert.equal((await tx(land, 'services.issue_credential', { application: id, digest, list: 'permits-2026', idx: 7 })).code, 'services.wrong_state', 'not for an unpaid application');
    await ok(land, 'services.issue_credential', { application: app2, digest, list: 'permits-2026', idx: 7 });
    story.sdJwt = sdJwt;
    story.digest = digest;
    // The agency delivers it to the holder through the private store; the holder finds it in their documents.
    const landToken = await signIn(land);
    const delivered = await call('POST', '/v1/documents', { token: landToken, payload: { content: toBase64(new TextEncoder().encode(sdJwt)), mediaType: 'application/dc+sd-jwt', application: app2 } });
    assert.equal(delivered.status, 201, delivered.text);
    assert.equal(delivered.body.owner, an.did);
    const hoaDeliver = await call('POST', '/v1/documents', { token: await signIn(key('officer-tax-hoa')), payload: { content: toBase64(new TextEncoder().encode('x')), mediaType: 'text/plain', application: app2 } });
    assert.equal(hoaDeliver.body.code, 'documents.forbidden');
    const inbox = (await call('GET', '/v1/documents', { token: anToken })).body.documents as Array<{ digest: string; mediaType: string; application?: string }>;
    const mine = inbox.find((d) => d.mediaType === 'application/dc+sd-jwt' && d.application === app2)!;
    const received = Buffer.from((await call('GET', `/v1/documents/${mine.digest}`, { token: anToken })).body.content, 'base64').toString('utf8');
    assert.equal(received, sdJwt);
    assert.equal(credentialDigest(received), (await call('GET', `/v1/applications/${app2}`, { token: anToken })).body.credential.digest, 'the received credential is the one on the ledger');
    assert.equal((await call('GET', `/v1/state/services/credential/${digest}`)).body.value.application, app2);
    assert.ok(!JSON.stringify((await call('GET', `/v1/state/services/credential/${digest}`)).body).includes('Nguyen'), 'no claims on the ledger');

    // 6. The holder shows only the permit number and lot, as a QR payload; it verifies offline.
    const presentation = await presentCredential(sdJwt, ['permitNumber', 'lot']);
    const qr = encodeCredentialQr(presentation);
    story.qr = qr;
    assert.equal(decodeCredentialQr(qr), presentation);
    const snapshot = (await call('GET', '/v1/credentials/trust')).body as CredentialTrustSnapshot;
    const validators = (await call('GET', '/v1/validators')).body;
    const offline = await verifyCredential(qr, trustFromSnapshot(snapshot, validators));
    assert.equal(offline.valid, true, offline.reason);
    assert.equal(offline.claims!.permitNumber, 'CP-2026-0042');
    assert.equal(offline.claims!.ownerName, undefined, 'undisclosed claim stays hidden');
    assert.equal(offline.issuer, land.did);
    // A tampered snapshot does not verify; a forged credential (another key) is refused.
    const tampered = structuredClone(snapshot);
    const entry = tampered.entries.find((e) => e.key.startsWith('statuslist/'))!;
    (entry.value as { bits: string }).bits = toBase64(new Uint8Array(1024).fill(0x55));
    assert.throws(() => trustFromSnapshot(tampered, validators), /does not verify/);
    const forged = await issueCredential({ issuer: { ...land, seed: randomBytes(32) }, vct: VCT, subject: an.did, claims: { permitNumber: 'X' }, disclosable: [], status: { list: 'permits-2026', idx: 7 } });
    assert.equal((await verifyCredential(forged.sdJwt, trustFromSnapshot(snapshot, validators))).code, 'vc.bad_signature');
    // A credential signed by an agency without the services authority is not trusted.
    const health = key('agency-health');
    const rogue = await issueCredential({ issuer: health, vct: VCT, subject: an.did, claims: { permitNumber: 'Y' }, disclosable: [], status: { list: 'x', idx: 0 } });
    assert.equal((await verifyCredential(rogue.sdJwt, trustFromSnapshot(snapshot, validators))).code, 'vc.untrusted_issuer');
    // The CLI verifies the same QR payload offline (exit 0), from the snapshot file.
    const snapFile = join(chain.dir, 'vc-trust.json');
    const trustFile = join(chain.dir, 'validators.json');
    writeFileSync(snapFile, JSON.stringify(snapshot));
    writeFileSync(trustFile, JSON.stringify(validators));
    const cli = join(root, 'packages/cli/dist/main.js');
    const out = execFileSync(process.execPath, [cli, 'vc', 'verify', qr, '--snapshot', snapFile, '--trust', trustFile, '--json'], { encoding: 'utf8' });
    assert.equal(JSON.parse(out).valid, true);

    // Online, against certified state.
    const online = await call('POST', '/v1/credentials/verify', { payload: { presentation: qr } });
    assert.equal(online.body.valid, true, online.text);

    // 7. The agency revokes; the credential is refused online, offline with a fresh snapshot, and by the CLI.
    assert.equal((await tx(key('agency-tax'), 'services.set_credential_status', { list: 'permits-2026', idx: 7, status: 'revoked' })).code, 'services.no_credential');
    await ok(land, 'services.set_credential_status', { list: 'permits-2026', idx: 7, status: 'revoked' });
    const refused = await call('POST', '/v1/credentials/verify', { payload: { presentation: qr } });
    assert.equal(refused.body.valid, false);
    assert.equal(refused.body.code, 'vc.revoked');
    const fresh = (await call('GET', '/v1/credentials/trust')).body as CredentialTrustSnapshot;
    assert.equal((await verifyCredential(qr, trustFromSnapshot(fresh, validators))).code, 'vc.revoked');
    writeFileSync(snapFile, JSON.stringify(fresh));
    const r = spawnSync(process.execPath, [cli, 'vc', 'verify', qr, '--snapshot', snapFile, '--trust', trustFile], { encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /REFUSED: .*revoked/);
    assert.equal((await tx(land, 'services.set_credential_status', { list: 'permits-2026', idx: 7, status: 'valid' })).code, 'services.credential_revoked');
    // The CLI online (--node) refuses it too, and its snapshot command fetches a snapshot that refuses it offline.
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const onlineCli = await runCli([cli, 'vc', 'verify', qr, '--node', url]);
    assert.equal(onlineCli.code, 1, onlineCli.stderr);
    assert.match(onlineCli.stderr, /REFUSED: .*\[vc\.revoked\]/);
    const snapCli = await runCli([cli, 'vc', 'snapshot', '--node', url, '--out', snapFile, '--json']);
    assert.equal(snapCli.code, 0, snapCli.stderr);
    const offlineCli = await runCli([cli, 'vc', 'verify', qr, '--snapshot', snapFile, '--trust', trustFile, '--json']);
    assert.equal(offlineCli.code, 1);
    assert.equal(JSON.parse(offlineCli.stdout).code, 'vc.revoked');

    // 8. Accountability: public counts, no personal data.
    const acc = (await call('GET', `/v1/accountability?agency=${encodeURIComponent(land.did)}`)).body;
    const s = acc.services.find((x: { service: string }) => x.service === 'construction-permit');
    assert.equal(s.submitted, 2);
    assert.equal(s.approved, 1);
    assert.equal(s.open, 1);
    assert.equal(s.overdue.length, 0);
    assert.ok(!JSON.stringify(acc).includes(an.did), 'no applicant in the accountability view');
  });

  test('visibility: the public, an officer of another agency and the applicant see what they should of one application', async () => {
    const id = story.app!;
    const anToken = await signIn(key('citizen-an'));
    const hoaToken = await signIn(key('officer-tax-hoa')); // a service officer, of the tax department
    const minhToken = await signIn(key('officer-land-minh'));
    const pub = (await call('GET', `/v1/applications/${id}`)).body;
    const other = (await call('GET', `/v1/applications/${id}`, { token: hoaToken })).body;
    const mine = (await call('GET', `/v1/applications/${id}`, { token: anToken })).body;
    const caseOfficer = (await call('GET', `/v1/applications/${id}`, { token: minhToken })).body;
    assert.equal(pub.viewer, 'public');
    assert.equal(other.viewer, 'public');
    assert.deepEqual(other, pub, 'another agency sees exactly the public view');
    for (const field of ['applicant', 'documents']) assert.equal(pub[field], undefined, `public view has no ${field}`);
    assert.ok(!JSON.stringify(pub).includes(key('citizen-an').did));
    assert.ok(!JSON.stringify(pub).includes('boundary measurements'), 'reasons are for the parties');
    assert.equal(pub.status, 'approved');
    assert.equal(mine.viewer, 'applicant');
    assert.equal(mine.applicant, key('citizen-an').did);
    assert.equal(mine.documents.site_plan.digest, story.extraDigest);
    assert.equal(caseOfficer.viewer, 'agency');
    assert.equal(caseOfficer.documents.site_plan.digest, story.extraDigest);
    // Documents: the owner and the case officer read them; the other agency and the public do not.
    const doc = `/v1/documents/${story.extraDigest}`;
    assert.equal((await call('GET', doc, { token: anToken })).status, 200);
    const asOfficer = await call('GET', `${doc}?application=${id}`, { token: minhToken });
    assert.equal(asOfficer.status, 200);
    assert.equal(Buffer.from(asOfficer.body.content, 'base64').toString('utf8'), `${plaintext} with measurements`);
    assert.equal((await call('GET', doc, { token: minhToken })).status, 403, 'officers name the application they work on');
    assert.equal((await call('GET', `${doc}?application=${id}`, { token: hoaToken })).body.code, 'documents.forbidden');
    assert.equal((await call('GET', doc)).status, 401);
    // A citizen cannot act as an officer on their own application; another agency's officer cannot act on it.
    const fresh = await ok(key('citizen-an'), 'services.submit', { agency: key('agency-land').did, service: 'construction-permit', documents: { site_plan: story.planDigest! } });
    assert.equal((await tx(key('citizen-an'), 'services.accept', { application: fresh.txid })).code, 'services.self_action');
    assert.equal((await tx(key('officer-tax-hoa'), 'services.accept', { application: fresh.txid })).code, 'auth.other_agency');
  });

  test('erasure: the key is destroyed, a signed record is on the ledger, the plaintext is nowhere, and the audit passes', async () => {
    const an = key('citizen-an');
    const anToken = await signIn(an);
    const minhToken = await signIn(key('officer-land-minh'));
    // Before: the plaintext is readable (and not stored in clear anywhere).
    assert.equal((await call('GET', `/v1/documents/${story.planDigest}`, { token: anToken })).status, 200);
    assert.equal((await tx(key('officer-tax-hoa'), 'services.erase_document', { application: story.app!, document: 'site_plan' })).code, 'auth.other_agency');
    const first = (await call('GET', `/v1/applications/${story.app}`, { token: anToken })).body.history[0];
    void first;
    // Erase both versions of the site plan: the original (first application) and the resubmitted one.
    const apps = [...node.store.stateEntries('services')].filter((e) => e.key.startsWith('application/')).map((e) => JSON.parse(e.value) as { id: string; documents: Record<string, string> });
    const holders = new Map<string, string>();
    for (const a of apps) for (const d of Object.values(a.documents)) if (!holders.has(d)) holders.set(d, a.id);
    const erase = await ok(an, 'services.erase_document', { application: holders.get(story.planDigest!)!, document: 'site_plan', reason: 'data subject request' });
    await ok(key('officer-land-minh'), 'services.erase_document', { application: story.app!, document: 'site_plan' });
    assert.equal((await tx(an, 'services.erase_document', { application: holders.get(story.planDigest!)!, document: 'site_plan' })).code, 'services.already_erased');

    // After: reads are refused as gone; anyone can check the erasure, with a proof.
    const gone = await call('GET', `/v1/documents/${story.planDigest}`, { token: anToken });
    assert.equal(gone.status, 410);
    assert.equal(gone.body.code, 'documents.erased');
    assert.equal((await call('GET', `/v1/documents/${story.extraDigest}?application=${story.app}`, { token: minhToken })).status, 410);
    const check = (await call('GET', `/v1/documents/${story.planDigest}/erasure`)).body;
    assert.equal(check.erased, true);
    assert.equal(check.keyDestroyed, true);
    assert.equal(check.record.txid, erase.txid);
    const validators = (await call('GET', '/v1/validators')).body;
    const cp = verifyCheckpointNote(check.checkpoint, validators.vkeys, validators.quorum).checkpoint;
    assert.ok(verifySmtProof(cp.stateRoot, stateMapKey('services', `erasure/${story.planDigest}`), stateValueHash(check.record), smtProofFromJson(check.proof)));
    for (const url of [`/v1/applications/${story.app}`, `/v1/state/services/application/${story.app}`, `/v1/txs/${erase.txid}`, '/v1/credentials/trust']) await call('GET', url, { token: anToken });

    // The plaintext is nowhere: not in any file of the data folder, any API response, any log line.
    const needles = [plaintext, 'secret-' + plaintext.split('secret-')[1], toBase64(new TextEncoder().encode(plaintext)).slice(0, 40)];
    // A backup export of the chain (govchain export) is checked too.
    const exportDir = join(chain.dir, 'export-after-erasure');
    await exportChain(chain.dir, exportDir);
    const files = walk(chain.dir);
    assert.ok(files.some((f) => f.startsWith(exportDir)), 'the export was written');
    assert.ok(files.some((f) => f.includes('/documents/')), 'the document store lives in the data folder');
    for (const f of files) {
      const bytes = readFileSync(f);
      for (const n of needles) assert.equal(bytes.indexOf(n), -1, `${f} contains the plaintext`);
    }
    const afterErasure = responses.slice(-6).join('\n');
    for (const n of needles) assert.ok(!afterErasure.includes(n), 'an API response contains the plaintext');
    const logs = readFileSync(logFile, 'utf8');
    assert.match(logs, /\/v1\/documents/, 'the API request log was captured');
    for (const n of needles) assert.ok(!logs.includes(n), 'a log line contains the plaintext');
    assert.ok(!JSON.stringify([...node.store.stateEntries()]).includes('secret-'), 'state holds no plaintext');

    // The chain stays verifiable from genesis.
    const report = verifyStore(node.store, readGenesis(dataPaths(chain.dir).genesis), { mode: 'full' });
    assert.equal(report.ok, true, report.reason);
  });
});

/** Run the CLI without blocking the event loop (the API under test serves it). */
function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { encoding: 'utf8', timeout: 30_000 }, (err, stdout, stderr) => resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr }));
  });
}

function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

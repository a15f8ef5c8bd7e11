#!/usr/bin/env node
// Regenerates the portal screenshots in docs/screenshots/ (linked from docs/portal.md):
// a temporary demo chain with 3 validators, a real node process, a few notarised
// documents, a service with an application taken through every step and its credential
// (signed by the script with the demo keys), and Debian's headless Chromium (/usr/bin/chromium) via playwright-core.
//   npm run build && node scripts/portal-screenshots.mjs
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { fromBase64, loginMessage, randomBytes, signEd25519, signTxSync, toBase64, toBase64Url, toHex } from '@govchain/core';
import { issueCredential } from '@govchain/sdk/credentials';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'packages/cli/dist/main.js');
const out = join(root, 'docs/screenshots');
const dir = mkdtempSync(join(tmpdir(), 'govchain-shots-'));
const data = join(dir, 'chain');
const run = (args, env = {}) => {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, GOVCHAIN_LOG_LEVEL: 'warn', ...env } });
  if (r.status !== 0) throw new Error(`govchain ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const port = await new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port: p } = s.address();
    s.close(() => resolve(p));
  });
});
const url = `http://127.0.0.1:${port}`;
run(['init', '--demo', '--validators', '3', '--data', data, '--json']);
const node = spawn(process.execPath, [cli, 'start', '--data', data, '--http', `127.0.0.1:${port}`], { stdio: 'ignore', env: { ...process.env, GOVCHAIN_LOG_LEVEL: 'warn' } });
let browser;
try {
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch {}
    if (i > 300) throw new Error('the node did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  const env = { GOVCHAIN_DATA: data, GOVCHAIN_NODE: url };
  let doc;
  for (let i = 1; i <= 6; i++) {
    doc = join(dir, `decision-${i}.pdf`);
    writeFileSync(doc, `%PDF-1.7 decision ${i}\n`.repeat(200 * i));
    run(['notarize', doc, '--json'], env);
  }
  const { txids } = await (await fetch(`${url}/v1/blocks/1`)).json();
  await registryData(url, data);
  // A service, an application that went through every step, and its credential, for the citizen and officer pages.
  const ids = JSON.parse(readFileSync(join(data, 'demo', 'identities.json'), 'utf8'));
  const keyFile = (name) => ids.find((i) => i.name === name).keyFile;
  const key = (name) => {
    const k = JSON.parse(readFileSync(keyFile(name), 'utf8'));
    return { did: k.did, kid: k.kid, seed: fromBase64(k.seed) };
  };
  const { chainId } = await (await fetch(`${url}/v1/status`)).json();
  const post = async (path, body, token) => {
    const res = await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
    const json = await res.json();
    if (!res.ok || json.status === 'failed') throw new Error(`${path}: ${JSON.stringify(json)}`);
    return json;
  };
  const tx = (k, type, payload) => post('/v1/txs?wait=commit', signTxSync({ chain: chainId, type, signer: k.did, nonce: toHex(randomBytes(8)), payload }, [k]));
  const signInToken = async (k) => {
    const c = await post('/v1/auth/challenge', { did: k.did });
    return (await post('/v1/auth/login', { did: k.did, kid: k.kid, nonce: c.nonce, expires: c.expires, sig: toBase64Url(signEd25519(k.seed, loginMessage(c.chain, k.did, c.nonce, c.expires))) })).token;
  };
  const land = key('agency-land');
  const an = key('citizen-an');
  const minh = key('officer-land-minh');
  const VCT = 'urn:govchain:vct:construction-permit';
  await tx(land, 'services.define_service', { id: 'construction-permit', name: 'Construction permit', steps: [{ name: 'review', role: 'service_officer', kind: 'review' }, { name: 'fee', role: 'treasury_officer', kind: 'payment' }], documents: [{ name: 'site_plan' }], fee: 500000, timeLimitDays: 15, credential: VCT });
  await tx(land, 'services.define_service', { id: 'house-number', name: 'House number certificate', steps: [{ name: 'review', role: 'service_officer', kind: 'review' }], documents: [{ name: 'deed' }], fee: 0, timeLimitDays: 7 });
  const anToken = await signInToken(an);
  const plan = (await post('/v1/documents', { content: toBase64(new TextEncoder().encode('Site plan of lot 42')), mediaType: 'text/plain' }, anToken)).digest;
  const app = (await tx(an, 'services.submit', { agency: land.did, service: 'construction-permit', documents: { site_plan: plan } })).txid;
  await tx(an, 'services.submit', { agency: land.did, service: 'house-number', documents: { deed: plan } });
  await tx(minh, 'services.accept', { application: app });
  await tx(minh, 'services.approve', { application: app });
  const inv = (await tx(minh, 'payments.raise_invoice', { payer: an.did, amount: 500000, currency: 'VND', purpose: 'Construction permit fee', ref: { module: 'services', key: `application/${app}` } })).txid;
  await tx(key('officer-treasury-son'), 'payments.confirm_payment', { invoice: inv, paymentRef: 'VCB-2026-0042' });
  const { sdJwt, digest } = await issueCredential({ issuer: land, vct: VCT, subject: an.did, claims: { number: 'CP-2026-042', owner: 'Nguyễn Văn An', lot: '42' }, disclosable: ['number', 'owner', 'lot'], status: { list: 'construction-permit', idx: 0 }, application: app });
  await tx(land, 'services.issue_credential', { application: app, digest, list: 'construction-permit', idx: 0 });
  await post('/v1/documents', { content: toBase64(new TextEncoder().encode(sdJwt)), mediaType: 'application/dc+sd-jwt', application: app }, await signInToken(land));
  const qrPayload = `GCVC1:${sdJwt}`;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true });
  mkdirSync(out, { recursive: true });
  const shots = [
    ['explorer-en.png', '/', 'en-US', { width: 1100, height: 900 }],
    ['checkpoint-en.png', '/checkpoint', 'en-US', { width: 1100, height: 900 }],
    ['verify-en.png', '/verify', 'en-US', { width: 1100, height: 900 }],
    ['tx-en.png', `/txs/${txids[0]}`, 'en-US', { width: 1100, height: 900 }],
    ['tender-en.png', '/tenders/TD-2026-07', 'en-US', { width: 1100, height: 900 }],
    ['accountability-en.png', '/accountability', 'en-US', { width: 1100, height: 900 }],
    ['tax-en.png', '/tax', 'en-US', { width: 1100, height: 900 }],
    ['product-recalled-en.png', '/product/PACK-1', 'en-US', { width: 1100, height: 900 }],
    ['product-recalled-vi-360.png', '/product/PACK-1', 'vi-VN', { width: 360, height: 740 }],
    ['explorer-vi-360.png', '/', 'vi-VN', { width: 360, height: 740 }],
    ['verify-vi-360.png', '/verify', 'vi-VN', { width: 360, height: 740 }],
    ['sign-in-en.png', '/sign-in', 'en-US', { width: 1100, height: 900 }, 'citizen-an'],
    ['services-en.png', '/services', 'en-US', { width: 1100, height: 900 }, 'citizen-an'],
    ['application-en.png', `/applications/${app}`, 'en-US', { width: 1100, height: 900 }, 'citizen-an'],
    ['credentials-en.png', '/credentials', 'en-US', { width: 1100, height: 900 }, 'citizen-an'],
    ['officer-queue-en.png', '/officer', 'en-US', { width: 1100, height: 900 }, 'officer-land-minh'],
    ['verify-credential-en.png', '/verify-credential', 'en-US', { width: 1100, height: 900 }],
    ['credentials-vi-360.png', '/credentials', 'vi-VN', { width: 360, height: 740 }, 'citizen-an'],
    ['help-vi-360.png', '/help', 'vi-VN', { width: 360, height: 740 }],
  ];
  for (const [name, path, locale, viewport, who] of shots) {
    const context = await browser.newContext({ locale, viewport, timezoneId: 'Asia/Ho_Chi_Minh' });
    const page = await context.newPage();
    if (who !== undefined) {
      await page.goto(`${url}/sign-in`);
      await page.setInputFiles('#key-file', keyFile(who));
      await page.locator('[data-testid=signed-in]').waitFor();
    }
    await page.goto(url + path);
    await page.locator('main h1').waitFor();
    await page.waitForFunction(() => document.querySelector('main [aria-busy=true]') === null);
    if (path === '/verify') {
      await page.setInputFiles('#doc-file', doc);
      await page.locator('[data-testid=verdict]').waitFor();
    }
    if (path === '/verify-credential') {
      await page.fill('#vc-payload', qrPayload);
      await page.getByRole('button', { name: 'Verify', exact: true }).click();
      await page.locator('[data-testid=vc-verdict]').waitFor();
    }
    if (path === '/credentials') await page.locator('[data-testid=qr] svg').waitFor();
    if (path === '/sign-in') await page.evaluate(() => document.querySelector('main')?.scrollIntoView());
    await page.waitForFunction(() => document.querySelector('main [aria-busy=true]') === null);
    await page.screenshot({ path: join(out, name), fullPage: true });
    await context.close();
    console.log(`docs/screenshots/${name}`);
  }
} finally {
  await browser?.close();
  node.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Registry data for the registry pages' screenshots, recorded with signed transactions of
 * the demo cast: a tender taken to award, e-invoices, a service with applications, supply
 * batches with a recall.
 */
async function registryData(url, data) {
  const { readDemoIdentities, readKeyFile } = await import('@govchain/node');
  const { signTxSync, randomBytes, toHex, toBase64Url, sha256, utf8 } = await import('@govchain/core');
  const { bidCommitment } = await import('@govchain/modules');
  const cast = new Map(readDemoIdentities(data).map((i) => [i.name, readKeyFile(i.keyFile)]));
  const who = (n) => cast.get(n);
  const { chainId } = await (await fetch(`${url}/v1/status`)).json();
  const digest = (s) => toHex(sha256(utf8(s)));
  const tx = async (signers, type, payload) => {
    const env = signTxSync({ chain: chainId, type, signer: signers[0].did, nonce: toHex(randomBytes(8)), payload }, signers);
    const r = await (await fetch(`${url}/v1/txs?wait=commit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(env) })).json();
    if (r.status !== 'ok') throw new Error(`${type}: ${r.code ?? r.detail}`);
  };
  const ledgerPast = async (iso) => {
    for (let i = 0; i < 100; i++) {
      await new Promise((r) => setTimeout(r, 200));
      await tx([who('citizen-binh')], 'notary.anchor', { digest: toHex(randomBytes(32)) });
      const time = /\ntime (\S+)\n/.exec(await (await fetch(`${url}/v1/checkpoint`)).text())?.[1];
      if (time !== undefined && Date.parse(time) > Date.parse(iso)) return;
    }
    throw new Error('ledger time did not move');
  };
  for (let i = 0; i < 100 && (await fetch(`${url}/v1/dids/${who('business-hanoi-build').did}`)).status !== 200; i++) await new Promise((r) => setTimeout(r, 100));
  const [quang, vy, coffee, build, hoa, land, an, binh] = ['officer-procurement-quang', 'officer-audit-vy', 'business-saigon-coffee', 'business-hanoi-build', 'officer-tax-hoa', 'agency-land', 'citizen-an', 'citizen-binh'].map(who);
  const deadline = new Date(Date.now() + 5000).toISOString();
  const revealUntil = new Date(Date.parse(deadline) + 3000).toISOString();
  await tx([quang], 'procurement.publish_tender', { id: 'TD-2026-07', title: 'Bridge lighting, District 7', documents: [digest('docs')], criteria: [{ name: 'price', weight: 60 }, { name: 'quality', weight: 40 }], deadline, revealUntil, committee: [quang.did, vy.did] });
  const bids = new Map([
    [coffee.did, { price: 1_250_000_000, document: digest('offer-coffee'), salt: toBase64Url(randomBytes(16)) }],
    [build.did, { price: 980_000_000, document: digest('offer-build'), salt: toBase64Url(randomBytes(16)) }],
  ]);
  for (const b of [coffee, build]) {
    await tx([b], 'procurement.register_bidder', { tender: 'TD-2026-07' });
    await tx([b], 'procurement.commit_bid', { tender: 'TD-2026-07', commitment: bidCommitment({ tender: 'TD-2026-07', bidder: b.did, ...bids.get(b.did) }) });
  }
  await tx([hoa], 'tax.register_taxpayer', { business: coffee.did });
  const issued = new Date().toISOString().slice(0, 10);
  await tx([coffee], 'tax.record_invoice', { digest: digest('inv-1'), issued, amount: 1_000_000, vat: 100_000 });
  await tx([coffee], 'tax.record_invoice', { digest: digest('inv-2'), issued, amount: 2_500_000, vat: 250_000 });
  await tx([land], 'services.define_service', { id: 'land-use-certificate', name: 'Land-use right certificate', steps: [{ name: 'review', role: 'service_officer', kind: 'review' }], documents: [{ name: 'site_plan' }], fee: 0, timeLimitDays: 30 });
  for (const c of [an, binh]) await tx([c], 'services.submit', { agency: land.did, service: 'land-use-certificate', documents: { site_plan: digest(`plan-${c.did}`) } });
  await tx([coffee], 'supply.create_batch', { id: 'BEAN-1', product: 'GTIN-0893000000011', quantity: 1000, unit: 'kg' });
  await tx([coffee], 'supply.create_batch', { id: 'ROAST-1', product: 'GTIN-0893000000028', quantity: 500, unit: 'kg', inputs: [{ batch: 'BEAN-1', quantity: 600 }] });
  await tx([coffee], 'supply.create_batch', { id: 'PACK-1', product: 'GTIN-0893000000035', quantity: 400, unit: 'pack', inputs: [{ batch: 'ROAST-1', quantity: 100 }] });
  await tx([vy], 'supply.certify', { batch: 'PACK-1', standard: 'VietGAP', certificate: digest('cert'), until: new Date(Date.now() + 86_400_000).toISOString() });
  await tx([coffee], 'supply.recall', { batch: 'BEAN-1', reason: digest('aflatoxin') });
  await ledgerPast(deadline);
  for (const b of [coffee, build]) await tx([b], 'procurement.reveal_bid', { tender: 'TD-2026-07', ...bids.get(b.did) });
  await ledgerPast(revealUntil);
  await tx([quang], 'procurement.score', { tender: 'TD-2026-07', bidder: coffee.did, scores: { price: 60, quality: 90 } });
  await tx([vy], 'procurement.score', { tender: 'TD-2026-07', bidder: coffee.did, scores: { price: 60, quality: 80 } });
  await tx([quang], 'procurement.score', { tender: 'TD-2026-07', bidder: build.did, scores: { price: 90, quality: 80 } });
  await tx([vy], 'procurement.score', { tender: 'TD-2026-07', bidder: build.did, scores: { price: 90, quality: 70 } });
  await tx([quang], 'procurement.award', { tender: 'TD-2026-07', bidder: build.did });
}

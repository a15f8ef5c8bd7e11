// The portal's registry and transparency pages in a real browser: Debian's headless
// Chromium (playwright-core) against a real node process (3 validators, demo chain) on
// which this file records real registry data with signed transactions: a sealed-bid
// tender taken from publication to award, supply-chain batches with a recall, e-invoices,
// a public service with applications. Each page must show that data, proven in the
// browser against a quorum-verified checkpoint; tampered answers must show the red
// warning, never a tick; every page passes axe-core and fits 360 px.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page, type Route } from 'playwright-core';
import { encodeQR } from 'qr';
import { randomBytes, signTxSync, toBase64Url, toHex, type JsonValue } from '@govchain/core';
import { bidCommitment } from '@govchain/modules';
import { readDemoIdentities } from '@govchain/node';
import { demoActors, digestOf, fromNow, sleep, type Actor } from './support/actors.js';
import { assertAccessible, assertNoHorizontalScroll } from './support/portal-a11y.js';
import { freePort, tempDir } from './support/chain.js';
import { govchain, startNodeProcess, type NodeProcess } from './support/processes.js';

const CHROMIUM = '/usr/bin/chromium';

let t: ReturnType<typeof tempDir>;
let node: NodeProcess;
let browser: Browser;
let base: string;
let chainId: string;
let cast: Map<string, Actor>;
let dataDir: string;
const who = (name: string): Actor => cast.get(name)!;

/** Submit a transaction signed by `signers` (the first signs the body) and wait for commit; returns 'ok' or the error code. */
async function send(signers: Actor[], type: string, payload: Record<string, JsonValue>): Promise<string> {
  const env = signTxSync({ chain: chainId, type, signer: signers[0]!.did, nonce: toHex(randomBytes(8)), payload }, signers);
  const res = await fetch(`${base}/v1/txs?wait=commit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(env) });
  const body = (await res.json()) as { status?: string; code?: string };
  if (res.status !== 200) return body.code ?? `HTTP ${res.status}`;
  return body.status === 'ok' ? 'ok' : body.code!;
}
async function ok(signers: Actor[], type: string, payload: Record<string, JsonValue>): Promise<void> {
  assert.equal(await send(signers, type, payload), 'ok', type);
}

/** Wait until the latest certified checkpoint's block time is after `iso` (the ledger's clock). */
async function ledgerPast(iso: string): Promise<void> {
  await sleep(Math.max(0, Math.min(120_000, Date.parse(iso) - Date.now())));
  for (let i = 0; i < 100; i++) {
    await sleep(200);
    // a harmless transaction makes a block, so ledger time moves on
    await send([who('citizen-binh')], 'notary.anchor', { digest: toHex(randomBytes(32)) });
    const cp = await (await fetch(`${base}/v1/checkpoint`)).text();
    const time = /\ntime (\S+)\n/.exec(cp)?.[1];
    if (time !== undefined && Date.parse(time) > Date.parse(iso)) return;
  }
  throw new Error(`ledger time did not pass ${iso}`);
}

const TENDER = 'TD-2026-07';
const bids = new Map<string, { price: number; document: string; salt: string }>();

before(async () => {
  t = tempDir('govchain-portal-reg-');
  const data = join(t.dir, 'chain');
  const init = govchain(['init', '--demo', '--validators', '3', '--data', data, '--json']);
  assert.equal(init.code, 0, init.stderr);
  node = await startNodeProcess(data, await freePort(), ['--block-interval', '20']);
  base = node.url;
  chainId = ((await (await fetch(`${base}/v1/status`)).json()) as { chainId: string }).chainId;
  cast = demoActors(data);
  dataDir = data;
  // wait for the demo cast to be registered (first start submits their registrations)
  for (let i = 0; i < 100 && (await fetch(`${base}/v1/dids/${who('business-hanoi-build').did}`)).status !== 200; i++) await sleep(100);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
});

after(async () => {
  await browser?.close();
  await node?.kill('SIGKILL');
  t?.cleanup();
});

async function open(path: string, opts: BrowserContextOptions = {}): Promise<{ page: Page; close(): Promise<void> }> {
  const context = await browser.newContext({ locale: 'en-US', timezoneId: 'Asia/Ho_Chi_Minh', ...opts });
  const page = await context.newPage();
  await page.goto(base + path);
  return { page, close: () => context.close() };
}
const verdict = async (page: Page): Promise<{ kind: string | null; text: string }> => {
  const v = page.locator('main [data-testid=verdict]').first();
  await v.waitFor({ timeout: 20_000 });
  return { kind: await v.getAttribute('data-verdict'), text: await v.innerText() };
};

/** A browser tab signed in with a demo identity's key file (imported into WebCrypto, non-extractable). */
async function signedIn(name: string): Promise<{ page: Page; close(): Promise<void> }> {
  const keyFile = readDemoIdentities(dataDir).find((i) => i.name === name)!.keyFile;
  const tab = await open('/sign-in');
  await tab.page.setInputFiles('#key-file', keyFile);
  await tab.page.getByTestId('signed-in').waitFor({ timeout: 20_000 });
  return tab;
}


describe('a sealed-bid tender from publication to award, as the public sees it', () => {
  test('published with sealed bids: counts only, no price; then revealed, scored and awarded, with its timeline', async () => {
    const [quang, vy, coffee, build] = ['officer-procurement-quang', 'officer-audit-vy', 'business-saigon-coffee', 'business-hanoi-build'].map(who) as [Actor, Actor, Actor, Actor];
    const deadline = fromNow(6000);
    const revealUntil = new Date(Date.parse(deadline) + 3000).toISOString();
    await ok([quang], 'procurement.publish_tender', {
      id: TENDER,
      title: 'Bridge lighting, District 7',
      documents: [digestOf('tender-docs')],
      criteria: [{ name: 'price', weight: 60 }, { name: 'quality', weight: 40 }],
      deadline,
      revealUntil,
      committee: [quang.did, vy.did],
    });
    bids.set(coffee.did, { price: 1_250_000_000, document: digestOf('offer-coffee'), salt: toBase64Url(randomBytes(16)) });
    bids.set(build.did, { price: 980_000_000, document: digestOf('offer-build'), salt: toBase64Url(randomBytes(16)) });
    for (const b of [coffee, build]) {
      await ok([b], 'procurement.register_bidder', { tender: TENDER });
      await ok([b], 'procurement.commit_bid', { tender: TENDER, commitment: bidCommitment({ tender: TENDER, bidder: b.did, ...bids.get(b.did)! }) });
    }

    let { page, close } = await open('/tenders');
    assert.equal((await verdict(page)).kind, 'ok');
    assert.match(await page.getByTestId('tenders').innerText(), /Bridge lighting, District 7[\s\S]*Open for sealed bids/);
    await page.getByRole('link', { name: 'Bridge lighting, District 7' }).click();
    await page.getByRole('heading', { level: 1, name: 'Bridge lighting, District 7' }).waitFor();
    assert.equal((await verdict(page)).kind, 'ok');
    assert.match(await page.getByTestId('bid-counts').innerText(), /2 bidders registered, 2 sealed bids committed, 0 revealed/);
    const sealed = await page.locator('main').innerText();
    assert.ok(!sealed.includes('1,250,000,000') && !sealed.includes('980,000,000'), 'no price before the deadline');
    assert.match(await page.getByTestId('bids').innerText(), /Sealed[\s\S]*Sealed/);
    await close();

    await ledgerPast(deadline);
    for (const b of [coffee, build]) await ok([b], 'procurement.reveal_bid', { tender: TENDER, ...bids.get(b.did)! });
    await ledgerPast(revealUntil);
    await ok([quang], 'procurement.score', { tender: TENDER, bidder: coffee.did, scores: { price: 60, quality: 90 } });
    await ok([vy], 'procurement.score', { tender: TENDER, bidder: coffee.did, scores: { price: 60, quality: 80 } });
    await ok([quang], 'procurement.score', { tender: TENDER, bidder: build.did, scores: { price: 90, quality: 80 } });
    await ok([vy], 'procurement.score', { tender: TENDER, bidder: build.did, scores: { price: 90, quality: 70 } });
    await ok([quang], 'procurement.award', { tender: TENDER, bidder: build.did });

    ({ page, close } = await open(`/tenders/${TENDER}`));
    assert.equal((await verdict(page)).kind, 'ok');
    assert.match(await page.getByTestId('bid-counts').innerText(), /2 bidders registered, 2 sealed bids committed, 2 revealed/);
    const table = await page.getByTestId('bids').innerText();
    assert.match(table, /₫1,250,000,000/);
    assert.match(table, /₫980,000,000/);
    // weighted totals: build (90*60+80*40)+(90*60+70*40) = 16,800; coffee 7,200+6,800 = 14,000
    assert.match(table, /16,800 \(by 2 members\)/);
    assert.match(table, /14,000 \(by 2 members\)/);
    assert.match(table, /Winner/);
    assert.match(await page.getByTestId('award').innerText(), new RegExp(`Awarded to ${build.did} for ₫980,000,000, total score 16,800`));
    const timeline = await page.getByTestId('timeline').locator('li').evaluateAll((els) => els.map((e) => e.className));
    assert.deepEqual(timeline, ['done', 'done', 'done', 'done']);
    await close();

    // the same page in Vietnamese: vi-VN currency and numbers
    ({ page, close } = await open(`/tenders/${TENDER}`, { locale: 'vi-VN' }));
    await verdict(page);
    assert.match(await page.getByTestId('award').innerText(), /Trao thầu cho .* với giá 980\.000\.000\s₫, tổng điểm 16\.800/);
    await close();
  });
});

describe('a sealed-bid tender done in the portal', () => {
  test('the officer publishes, each bidder seals a bid in the browser and reveals it, the committee scores, the officer awards', async () => {
    const [quang, vy, coffee, build] = ['officer-procurement-quang', 'officer-audit-vy', 'business-saigon-coffee', 'business-hanoi-build'].map(who) as [Actor, Actor, Actor, Actor];
    const id = 'TD-2026-P1';
    // datetime-local fields are in the browser's time zone (Asia/Ho_Chi_Minh, UTC+7)
    const local = (ms: number): string => new Date(ms + 7 * 3_600_000).toISOString().slice(0, 19);
    const deadline = Date.now() + 40_000;
    const revealUntil = deadline + 15_000;
    const officer = await signedIn('officer-procurement-quang');
    await officer.page.goto(`${base}/officer/tenders`);
    await officer.page.getByLabel('Tender id').fill(id);
    await officer.page.getByLabel('Title').fill('School solar panels');
    const docs = join(t.dir, 'tender-docs.pdf');
    writeFileSync(docs, '%PDF-1.7 tender documents\n');
    await officer.page.setInputFiles('#tp-docs', docs);
    await officer.page.getByLabel('Bid deadline').fill(local(deadline));
    await officer.page.getByLabel('Reveal window closes').fill(local(revealUntil));
    await officer.page.getByLabel('Committee members (DIDs)').fill(`${quang.did} ${vy.did}`);
    await officer.page.getByRole('button', { name: 'Publish the tender' }).click();
    await officer.page.getByRole('heading', { level: 1, name: 'School solar panels' }).waitFor({ timeout: 30_000 });
    const published = ((await (await fetch(`${base}/v1/procurement/tenders/${id}`)).json()) as { tender: { deadline: string; committee: string[] } }).tender;
    assert.equal(Date.parse(published.deadline), Math.floor(deadline / 1000) * 1000);
    assert.deepEqual(published.committee, [quang.did, vy.did]);

    const prices = new Map([[coffee.did, '1500000000'], [build.did, '1200000000']]);
    const bidders = [];
    for (const [name, b] of [['business-saigon-coffee', coffee], ['business-hanoi-build', build]] as const) {
      const tab = await signedIn(name);
      await tab.page.goto(`${base}/tenders/${id}`);
      await tab.page.getByRole('button', { name: 'Register as a bidder' }).click();
      await tab.page.getByLabel('Your price (VND)').fill(prices.get(b.did)!);
      const offer = join(t.dir, `offer-${b.did.slice(-6)}.pdf`);
      writeFileSync(offer, `offer of ${b.did}\n`);
      await tab.page.setInputFiles('#bid-doc', offer);
      await tab.page.getByRole('button', { name: 'Seal and commit the bid' }).click();
      await tab.page.getByTestId('bid-committed').waitFor({ timeout: 30_000 });
      // the commitment on the ledger is the one of the secret kept in the browser, and nothing else of the bid is on it
      const secret = JSON.parse((await tab.page.evaluate((k) => localStorage.getItem(k), `govchain.bid.${id}.${b.did}`))!);
      assert.equal(secret.price, Number(prices.get(b.did)));
      const bid = (await (await fetch(`${base}/v1/state/procurement/bid/${id}/${b.did}`)).json()) as { value: Record<string, unknown> };
      assert.equal(bid.value.commitment, bidCommitment(secret));
      assert.deepEqual(Object.keys(bid.value).sort(), ['bidder', 'commitment', 'committed', 'status', 'tender']);
      bidders.push(tab);
    }
    await ledgerPast(new Date(deadline).toISOString());
    for (const tab of bidders) {
      await tab.page.reload();
      await tab.page.getByRole('button', { name: 'Reveal my bid' }).click();
      await tab.page.getByRole('button', { name: 'Reveal my bid' }).waitFor({ state: 'detached', timeout: 30_000 });
    }
    assert.match(await bidders[1]!.page.getByTestId('bid-counts').innerText(), /2 revealed/);
    for (const tab of bidders) await tab.close();
    await ledgerPast(new Date(revealUntil).toISOString());

    const member = await signedIn('officer-audit-vy');
    const scores: [typeof officer, Record<string, [string, string]>][] = [
      [officer, { [coffee.did]: ['60', '90'], [build.did]: ['90', '80'] }],
      [member, { [coffee.did]: ['60', '80'], [build.did]: ['90', '70'] }],
    ];
    for (const [tab, mine] of scores) {
      await tab.page.goto(`${base}/tenders/${id}`);
      for (let i = 0; i < 2; i++) {
        const form = tab.page.getByTestId('score-form').first();
        await form.waitFor({ timeout: 20_000 });
        const bidder = (await form.locator('code').innerText()).trim();
        await form.getByLabel('price (0–100)').fill(mine[bidder]![0]);
        await form.getByLabel('quality (0–100)').fill(mine[bidder]![1]);
        await form.getByRole('button', { name: 'Record my scores' }).click();
        await tab.page.getByTestId('score-form').filter({ hasText: bidder }).waitFor({ state: 'detached', timeout: 30_000 });
      }
      await tab.page.getByTestId('scored').waitFor();
    }
    await member.close();
    await officer.page.reload();
    await officer.page.getByRole('button', { name: /Award to the best bid \(total score 16,800\)/ }).click();
    await officer.page.getByTestId('award').waitFor({ timeout: 30_000 });
    assert.match(await officer.page.getByTestId('award').innerText(), new RegExp(`Awarded to ${build.did} for ₫1,200,000,000, total score 16,800`));
    assert.equal((await verdict(officer.page)).kind, 'ok');
    await officer.close();
  });
});

describe('health consents in the portal', () => {
  test('the citizen grants a consent, sees who accessed the records (break-glass flagged) and revokes it', async () => {
    const [chi, thu] = ['citizen-chi', 'officer-health-thu'].map(who) as [Actor, Actor];
    const tab = await signedIn('citizen-chi');
    await tab.page.goto(`${base}/health`);
    await tab.page.getByText('You have given no consent.').waitFor({ timeout: 20_000 });
    await tab.page.getByLabel('Health provider or health agency (DID)').fill(thu.did);
    await tab.page.getByLabel('Laboratory results').check();
    await tab.page.getByLabel('In force until (inclusive)').fill(new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10));
    await tab.page.getByRole('button', { name: 'Sign and give the consent' }).click();
    await tab.page.getByTestId('consents').waitFor({ timeout: 30_000 });
    assert.match(await tab.page.getByTestId('consents').innerText(), /General, Laboratory results[\s\S]*In force/);
    const consent = ((await (await fetch(`${base}/v1/health/patients/${chi.did}/consents`)).json()) as { consents: { id: string }[] }).consents[0]!.id;
    await ok([thu], 'health.record_access', { patient: chi.did, consent, category: 'laboratory', digest: digestOf('lab-1') });
    await ok([thu], 'health.break_glass', { patient: chi.did, category: 'imaging', digest: digestOf('er-scan'), reason: digestOf('unconscious') });
    await tab.page.reload();
    await tab.page.getByTestId('accesses').waitFor({ timeout: 20_000 });
    assert.equal((await verdict(tab.page)).kind, 'ok');
    assert.match(await tab.page.getByTestId('access-counts').innerText(), /2 recorded accesses, 1 of them emergency/);
    const items = await tab.page.getByTestId('accesses').locator('li').allInnerTexts();
    assert.ok(!items[0]!.includes('Emergency') && items[1]!.startsWith('Emergency access (break-glass)'), items.join(' | '));
    await tab.page.getByRole('button', { name: `Revoke the consent of ${thu.did}` }).click();
    await tab.page.getByTestId('consents').getByText('Revoked').waitFor({ timeout: 30_000 });
    assert.equal(await send([thu], 'health.record_access', { patient: chi.did, consent, category: 'laboratory', digest: digestOf('lab-2') }), 'health.consent_revoked');
    await tab.close();
  });
});

describe('verify a product', () => {
  before(async () => {
    const [coffee, build, vy] = ['business-saigon-coffee', 'business-hanoi-build', 'officer-audit-vy'].map(who) as [Actor, Actor, Actor];
    await ok([coffee], 'supply.create_batch', { id: 'BEAN-1', product: 'GTIN-0893000000011', quantity: 1000, unit: 'kg' });
    await ok([coffee], 'supply.create_batch', { id: 'ROAST-1', product: 'GTIN-0893000000028', quantity: 500, unit: 'kg', inputs: [{ batch: 'BEAN-1', quantity: 600 }] });
    await ok([coffee], 'supply.create_batch', { id: 'PACK-1', product: 'GTIN-0893000000035', quantity: 400, unit: 'pack', inputs: [{ batch: 'ROAST-1', quantity: 100 }] });
    await ok([coffee], 'supply.create_batch', { id: 'TEA-1', product: 'GTIN-0893000000042', quantity: 200, unit: 'kg' });
    await ok([coffee], 'supply.transfer', { batch: 'TEA-1', to: build.did });
    await ok([vy], 'supply.certify', { batch: 'TEA-1', standard: 'VietGAP', certificate: digestOf('cert-tea'), until: fromNow(86_400_000) });
    await ok([coffee], 'supply.recall', { batch: 'BEAN-1', reason: digestOf('aflatoxin') });
  });

  test('a certified batch: producer, custody chain, certification; no recall warning', async () => {
    const { page, close } = await open('/product/TEA-1');
    assert.equal((await verdict(page)).kind, 'ok');
    assert.match(await page.getByTestId('product-status').innerText(), /Certified/);
    assert.match(await page.getByTestId('certs').innerText(), /VietGAP valid/);
    const custody = await page.getByTestId('custody').locator('li').allInnerTexts();
    assert.equal(custody.length, 2);
    assert.ok(custody[0]!.includes(who('business-saigon-coffee').did) && custody[1]!.includes(who('business-hanoi-build').did));
    assert.equal(await page.getByTestId('recall').count(), 0);
    await close();
  });

  test('a recalled batch (made from a recalled batch) shows the prominent recall warning and its origin', async () => {
    const { page, close } = await open('/product/PACK-1');
    await page.getByTestId('recall').waitFor();
    assert.equal(await page.getByTestId('recall').getAttribute('role'), 'alert');
    assert.match(await page.getByTestId('recall').innerText(), /RECALLED: do not use or sell this product[\s\S]*batch BEAN-1, which it was made from/);
    assert.equal((await verdict(page)).kind, 'ok', 'the recall itself is proven');
    assert.match(await page.getByTestId('product-status').innerText(), /Recalled/);
    assert.deepEqual((await page.getByTestId('origin').locator('li').allInnerTexts()).map((s) => s.split(' ')[0]), ['ROAST-1', 'BEAN-1']);
    await close();
  });

  test('the QR code of a package, scanned from a photo or pasted, opens the batch page', async () => {
    const { page, close } = await open('/product');
    const gif = join(t.dir, 'qr.gif');
    writeFileSync(gif, encodeQR(`${base}/product/TEA-1`, 'gif', { scale: 8 }));
    await page.setInputFiles('#qr-photo', gif);
    await page.getByRole('heading', { level: 1, name: 'Batch TEA-1' }).waitFor();
    assert.equal((await verdict(page)).kind, 'ok');
    await page.getByRole('link', { name: 'Check another product' }).last().click();
    await page.getByLabel('Batch id or the address in the QR code').fill(`${base}/product/PACK-1`);
    await page.getByRole('button', { name: 'Check' }).click();
    await page.getByTestId('recall').waitFor();
    await page.goto(`${base}/product/NOPE-9`);
    assert.match((await verdict(page)).text, /no batch NOPE-9/);
    await close();
  });

  const tampers: [string, string, (r: Route) => Promise<void>][] = [
    ['a recalled batch presented as not recalled (value changed, proof kept)', '**/v1/state/supply/batch/PACK-1?proof=1', (r) => rewriteJson(r, (p) => ({ ...p, value: { ...p.value, recalled: undefined } }))],
    ['a forged state proof', '**/v1/state/supply/batch/PACK-1?proof=1', (r) =>
        rewriteJson(r, (p) =>
          p.proof.siblings.length > 0
            ? { ...p, proof: { ...p.proof, siblings: p.proof.siblings.map((s: string, i: number) => (i === 0 ? flipHexOrB64(s) : s)) } }
            : { ...p, proof: { ...p.proof, leaf: { ...p.proof.leaf, valueHash: flipHexOrB64(p.proof.leaf.valueHash) } } },
        )],
    ['the summary claiming certified for a recalled batch', '**/v1/supply/verify/PACK-1', (r) => rewriteJson(r, (p) => ({ ...p, status: 'certified', recalled: null }))],
  ];
  for (const [what, pattern, tamper] of tampers) {
    test(`a tampered answer (${what}) shows the red warning, never a tick`, async () => {
      const context = await browser.newContext({ locale: 'en-US' });
      const page = await context.newPage();
      let used = 0;
      await page.route(pattern, async (r) => {
        used++;
        await tamper(r);
      });
      await page.goto(`${base}/product/PACK-1`);
      const v = await verdict(page);
      assert.ok(used > 0, 'the tampered route was used');
      assert.equal(v.kind, 'fail');
      assert.match(v.text, /verification FAILED/);
      assert.equal(await page.locator('[data-verdict=ok]').count(), 0);
      await context.close();
    });
  }

  test('a tampered tender record shows the warning on the tender page', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await page.route(`**/v1/state/procurement/tender/${TENDER}?proof=1`, (r) => rewriteJson(r, (p) => ({ ...p, value: { ...p.value, award: { ...p.value.award, price: 1 } } })));
    await page.goto(`${base}/tenders/${TENDER}`);
    const v = await verdict(page);
    assert.equal(v.kind, 'fail');
    assert.equal(await page.locator('[data-verdict=ok]').count(), 0);
    await context.close();
  });
});

describe('public transparency pages render real data', () => {
  before(async () => {
    const [hoa, coffee, land, an, binh] = ['officer-tax-hoa', 'business-saigon-coffee', 'agency-land', 'citizen-an', 'citizen-binh'].map(who) as [Actor, Actor, Actor, Actor, Actor];
    await ok([hoa], 'tax.register_taxpayer', { business: coffee.did });
    const issued = new Date().toISOString().slice(0, 10);
    await ok([coffee], 'tax.record_invoice', { digest: digestOf('einvoice-1'), issued, amount: 1_000_000, vat: 100_000 });
    await ok([coffee], 'tax.record_invoice', { digest: digestOf('einvoice-2'), issued, amount: 2_500_000, vat: 250_000 });
    await ok([land], 'services.define_service', {
      id: 'land-use-certificate',
      name: 'Land-use right certificate',
      steps: [{ name: 'review', role: 'service_officer', kind: 'review' }],
      documents: [{ name: 'site_plan' }],
      fee: 0,
      timeLimitDays: 30,
    });
    for (const c of [an, binh]) await ok([c], 'services.submit', { agency: land.did, service: 'land-use-certificate', documents: { site_plan: digestOf(`plan-${c.did}`) } });
  });

  test('agencies: the founding agencies with their authorities, proven', async () => {
    const { page, close } = await open('/agencies');
    assert.equal((await verdict(page)).kind, 'ok');
    const cards = await page.getByTestId('agencies').locator('li').allInnerTexts();
    assert.equal(cards.length, 7);
    assert.ok(cards.some((c) => /Land/i.test(c) && /Member/.test(c)));
    await close();
  });

  test('service performance: the counts per service (chart and table) and the throughput chart', async () => {
    const { page, close } = await open('/accountability');
    assert.equal((await verdict(page)).kind, 'ok');
    const row = page.getByTestId('acc-table').locator('tbody tr', { hasText: 'Land-use right certificate' });
    const cells = await row.locator('td').allInnerTexts();
    assert.deepEqual(cells.slice(0, 5), ['2', '0', '0', '2', '0'], 'submitted, approved, rejected, open, overdue');
    assert.equal(await page.getByRole('img', { name: /Applications per service/ }).count(), 1);
    await page.getByRole('img', { name: /Transaction throughput/ }).waitFor();
    await close();
  });

  test('tax statistics: totals and the month, in VND, in English and Vietnamese', async () => {
    let { page, close } = await open('/tax');
    assert.equal((await verdict(page)).kind, 'ok');
    const overall = await page.getByTestId('tax-overall').innerText();
    assert.match(overall, /E-invoices\s+2\b/);
    assert.match(overall, /Net amount\s+₫3,500,000/);
    assert.match(overall, /VAT\s+₫350,000/);
    const month = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'long', timeZone: 'UTC' }).format(new Date());
    assert.match(await page.getByTestId('tax-periods').innerText(), new RegExp(`${month}\\s+2\\s+₫3,500,000`));
    await close();
    ({ page, close } = await open('/tax', { locale: 'vi-VN' }));
    await verdict(page);
    assert.match(await page.getByTestId('tax-overall').innerText(), /3\.500\.000\s₫/);
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'vi');
    await close();
  });
});

describe('a land transfer by seller, buyer and registrar, in the portal', () => {
  test('the seller signs a transfer, the buyer co-signs it from the signing request, the registrar invoices the tax, the treasury confirms it, the registrar approves', async () => {
    const [minh, an, binh] = ['officer-land-minh', 'citizen-an', 'citizen-binh'].map(who) as [Actor, Actor, Actor];
    const parcelId = 'HCM-Q7-0042';
    await ok([minh], 'land.register_parcel', { id: parcelId, area: 120, landUse: 'residential', geometryDigest: digestOf('geojson-q7'), owners: [{ holder: an.did, share: '1/1' }] });

    // seller
    const seller = await signedIn('citizen-an');
    await seller.page.goto(`${base}/land`);
    const card = seller.page.getByTestId(`parcel-${parcelId}`);
    await card.waitFor({ timeout: 20_000 });
    assert.equal((await verdict(seller.page)).kind, 'ok');
    assert.match(await card.getByTestId('owners').innerText(), /1\/1 \(you\)/);
    await card.getByText('Sell a share of this parcel').click();
    await card.getByLabel('Buyer (DID)').fill(binh.did);
    await card.getByLabel('Share (a fraction, e.g. 1/2)').fill('1/2');
    await card.getByLabel('Price (VND)').fill('2000000000');
    assert.match(await card.innerText(), /transfer tax \(2%\): ₫40,000,000/);
    await card.getByRole('button', { name: 'Sign and create the signing request' }).click();
    const request = await card.getByTestId('request-text').inputValue();
    assert.match(request, /^GCLT1:/);
    // the request carries the body and the seller's signature only
    const half = JSON.parse(Buffer.from(request.slice(6), 'base64url').toString('utf8'));
    assert.deepEqual(half.signatures.map((x: { kid: string }) => x.kid.split('#')[0]), [an.did]);
    assert.deepEqual(half.body.payload, { ...half.body.payload, parcel: parcelId, seller: an.did, buyer: binh.did, share: '1/2', price: 2_000_000_000 });
    await seller.close();

    // buyer
    const buyer = await signedIn('citizen-binh');
    await buyer.page.goto(`${base}/land/cosign`);
    await buyer.page.getByLabel('Signing request').fill(request);
    await buyer.page.getByLabel('Signing request').blur();
    await buyer.page.getByTestId('cosign').waitFor({ timeout: 20_000 });
    assert.match(await buyer.page.getByTestId('cosign').innerText(), new RegExp(`the seller ${an.did} signed this transfer`));
    await buyer.page.getByRole('button', { name: 'Co-sign and submit the transfer' }).click();
    const result = buyer.page.locator('[data-testid=cosigned], [data-testid=cosign-error]');
    await result.waitFor({ timeout: 30_000 });
    assert.equal(await result.getAttribute('data-testid'), 'cosigned', await result.innerText());
    await buyer.close();

    // registrar raises the transfer-tax invoice; treasury confirms; registrar approves
    const registrar = await signedIn('officer-land-minh');
    await registrar.page.goto(`${base}/officer/land`);
    const pending = registrar.page.locator('[data-testid^=transfer-]', { hasText: parcelId });
    await pending.waitFor({ timeout: 20_000 });
    assert.match(await pending.getByTestId('invoice').innerText(), /₫40,000,000: no invoice yet/);
    await pending.getByRole('button', { name: 'Raise the transfer-tax invoice' }).click();
    await pending.getByText(/invoice of ₫40,000,000: open/).waitFor({ timeout: 30_000 });
    assert.equal(await pending.getByRole('button', { name: 'Approve the transfer' }).count(), 0, 'no approval before the tax is paid');
    const treasury = await signedIn('officer-treasury-son');
    await treasury.page.goto(`${base}/officer/land`);
    const toPay = treasury.page.locator('[data-testid^=transfer-]', { hasText: parcelId });
    await toPay.getByRole('button', { name: 'Confirm the payment (treasury)' }).click();
    await toPay.getByText(/invoice of ₫40,000,000: paid/).waitFor({ timeout: 30_000 });
    await treasury.close();
    await registrar.page.reload();
    await pending.getByRole('button', { name: 'Approve the transfer' }).click();
    await registrar.page.getByText('No transfer is awaiting approval.').waitFor({ timeout: 30_000 });
    await registrar.close();

    // the ledger and the buyer's own page agree: half each, history proven with two entries
    const parcel = ((await (await fetch(`${base}/v1/land/parcels/${parcelId}`)).json()) as { parcel: { owners: { holder: string; share: string }[] } }).parcel;
    assert.deepEqual(parcel.owners.map((o) => o.share).sort(), ['1/2', '1/2']);
    assert.deepEqual(parcel.owners.map((o) => o.holder).sort(), [an.did, binh.did].sort());
    const mine = await signedIn('citizen-binh');
    await mine.page.goto(`${base}/land`);
    const own = mine.page.getByTestId(`parcel-${parcelId}`);
    await own.waitFor({ timeout: 20_000 });
    assert.match(await own.getByTestId('owners').innerText(), /1\/2 \(you\)/);
    assert.equal(await own.getByTestId('history').locator('li').count(), 2);
    await mine.close();
  });
});

describe('layout and accessibility of the new pages (and the sign-in, help and credential pages)', () => {
  const pages = ['/sign-in', '/help', '/verify-credential', '/services', '/officer', '/land', '/land/cosign', '/officer/land', '/officer/tenders', '/health', '/agencies', '/accountability', '/tenders', `/tenders/${TENDER}`, '/tax', '/product', '/product/PACK-1', '/product/TEA-1'];

  /** Open a page and wait until its heading is there and nothing is loading. */
  async function openLoaded(page: Page, path: string): Promise<void> {
    await page.goto(base + path);
    await page.locator('main h1').waitFor();
    await page.waitForFunction(() => document.querySelector('main [aria-busy=true]') === null);
  }

  test('every new page fits a 360 px wide screen without horizontal scrolling (Vietnamese)', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'vi-VN' });
    const page = await context.newPage();
    for (const path of pages) {
      await openLoaded(page, path);
      await assertNoHorizontalScroll(page, path);
    }
    await context.close();
  });

  test('axe-core finds no serious or critical violations on every new page; labels, headings and landmarks', async () => {
    const context = await browser.newContext({ bypassCSP: true, locale: 'en-US' });
    const page = await context.newPage();
    for (const path of pages) {
      await openLoaded(page, path);
      await assertAccessible(page, path);
    }
    await context.close();
  });
});

async function rewriteJson(route: Route, change: (body: any) => unknown): Promise<void> {
  const res = await route.fetch();
  await route.fulfill({ response: res, body: JSON.stringify(change(await res.json())) });
}

/** Flip one bit of a hex or base64 string. */
function flipHexOrB64(s: string): string {
  if (/^[0-9a-f]+$/.test(s)) return (s[0] === '0' ? '1' : '0') + s.slice(1);
  const bytes = Buffer.from(s, 'base64');
  bytes[0] = bytes[0]! ^ 1;
  return bytes.toString('base64');
}

// The portal's citizen and officer pages in a real browser (Debian's headless Chromium via
// playwright-core) against a real node process: a citizen signs in with a demo key file
// (imported non-extractable into WebCrypto), applies for a service with a document, an
// officer accepts, approves and invoices, the treasury confirms the fee, the agency issues
// the credential, the citizen shows its QR code, the public verifies it (pasted, and from a
// screenshot of the QR code), the agency revokes it and the public sees the red warning.
// Every action is a transaction signed in the page. Then axe-core and 360 px on every new page.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { fromBase64, randomBytes, signTxSync, toHex, type JsonValue } from '@govchain/core';
import { freePort, tempDir } from './support/chain.js';
import { govchain, startNodeProcess, type NodeProcess } from './support/processes.js';
import { assertAccessible, assertNoHorizontalScroll } from './support/portal-a11y.js';

const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) throw new Error(`the browser tests need Debian's Chromium at ${CHROMIUM}; no browser is downloaded`);

let t: ReturnType<typeof tempDir>;
let node: NodeProcess;
let browser: Browser;
let base: string;
let keyFiles: Map<string, string>;
const story: { app?: string; payload?: string; qrPng?: string; doc?: string } = {};

before(async () => {
  t = tempDir('govchain-portal-citizen-');
  const data = join(t.dir, 'chain');
  const init = govchain(['init', '--demo', '--data', data, '--json']);
  assert.equal(init.code, 0, init.stderr);
  node = await startNodeProcess(data, await freePort(), ['--block-interval', '20']);
  base = node.url;
  const ids = JSON.parse(readFileSync(join(data, 'demo', 'identities.json'), 'utf8')) as Array<{ name: string; keyFile: string }>;
  keyFiles = new Map(ids.map((i) => [i.name, i.keyFile]));
  // The land office publishes a service (signed here, as an agency's own system would).
  const land = JSON.parse(readFileSync(keyFiles.get('agency-land')!, 'utf8')) as { did: string; kid: string; seed: string };
  const status = (await (await fetch(`${base}/v1/status`)).json()) as { chainId: string };
  const payload: Record<string, JsonValue> = {
    id: 'construction-permit',
    name: 'Construction permit',
    steps: [
      { name: 'review', role: 'service_officer', kind: 'review' },
      { name: 'fee', role: 'treasury_officer', kind: 'payment' },
    ],
    documents: [{ name: 'site_plan' }],
    fee: 500000,
    timeLimitDays: 15,
    credential: 'urn:govchain:vct:construction-permit',
  };
  const env = signTxSync({ chain: status.chainId, type: 'services.define_service', signer: land.did, nonce: toHex(randomBytes(8)), payload }, [{ seed: fromBase64(land.seed), kid: land.kid }]);
  const r = (await (await fetch(`${base}/v1/txs?wait=commit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(env) })).json()) as { status: string };
  assert.equal(r.status, 'ok');
  story.doc = join(t.dir, 'site-plan.txt');
  writeFileSync(story.doc, `Site plan of lot 42, ${toHex(randomBytes(8))}\n`);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
});

after(async () => {
  await browser?.close();
  await node?.kill('SIGKILL');
  t?.cleanup();
});

/** A browser context signed in as a demo identity (its key file imported on /sign-in). */
async function signedIn(name: string, locale = 'en-US'): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale, timezoneId: 'Asia/Ho_Chi_Minh' });
  const page = await context.newPage();
  await page.goto(`${base}/sign-in`);
  await page.setInputFiles('#key-file', keyFiles.get(name)!);
  await page.locator('[data-testid=signed-in][data-verdict=ok]').waitFor();
  return { context, page };
}

/** Click an action button on an application page and wait for its proven receipt. */
async function act(page: Page, button: string): Promise<void> {
  await page.getByRole('button', { name: button, exact: true }).click();
  await page.locator('[data-testid=act-done], [data-testid=act-failed]').filter({ hasText: button }).or(page.getByTestId('act-failed')).first().waitFor({ timeout: 30_000 });
  const failed = await page.getByTestId('act-failed').count();
  assert.equal(failed, 0, failed ? await page.getByTestId('act-failed').innerText() : '');
  await page.getByTestId('app-verified').waitFor();
}

/** Wait until the application page shows `expected` as its (verified) status. */
async function status(page: Page, expected: string): Promise<string> {
  await page.getByTestId('app-status').filter({ hasText: expected }).waitFor({ timeout: 15_000 });
  return expected;
}

describe('citizens and officers in the portal', () => {
  test('sign-in imports the key non-extractable into IndexedDB and shows the roles the ledger verifies', async () => {
    const { context, page } = await signedIn('officer-land-minh');
    const text = await page.getByTestId('signed-in').innerText();
    assert.match(text, /Officer/);
    assert.match(text, /land_registrar, service_officer/);
    const stored = await page.evaluate(
      () =>
        new Promise<{ n: number; extractable: boolean; exported: string }>((resolve) => {
          const req = indexedDB.open('govchain');
          req.onsuccess = () => {
            const get = req.result.transaction('keys').objectStore('keys').getAll();
            get.onsuccess = async () => {
              const k = get.result[0] as { keyPair: CryptoKeyPair };
              let exported = 'exported';
              try {
                await crypto.subtle.exportKey('jwk', k.keyPair.privateKey);
              } catch (e) {
                exported = (e as Error).name;
              }
              resolve({ n: get.result.length, extractable: k.keyPair.privateKey.extractable, exported });
            };
          };
        }),
    );
    assert.deepEqual(stored, { n: 1, extractable: false, exported: 'InvalidAccessError' });
    // The key stays: after a reload (a new session) one click signs in again.
    await page.evaluate(() => sessionStorage.clear());
    await page.reload();
    await page.getByRole('button', { name: 'Sign in with officer-land-minh' }).click();
    await page.locator('[data-testid=signed-in][data-verdict=ok]').waitFor();
    // A file that is not a key is refused with a reason.
    const bad = join(t.dir, 'not-a-key.key');
    writeFileSync(bad, '{"type":"ed25519","seed":"AAAA","publicKey":"BBBB"}');
    await page.setInputFiles('#key-file', bad);
    assert.match(await page.getByTestId('signin-error').innerText(), /seed is not 32 bytes/);
    await context.close();
  });

  test('a citizen applies with a document; officer, treasury and agency act; the credential is delivered', async () => {
    const citizen = await signedIn('citizen-an');
    await citizen.page.getByRole('link', { name: 'Services' }).click();
    await citizen.page.getByRole('button', { name: 'Apply for Construction permit' }).click();
    await citizen.page.setInputFiles('#apply-construction-permit-site_plan', story.doc!);
    await citizen.page.getByRole('button', { name: 'Sign and submit the application' }).click();
    await citizen.page.getByTestId('applied').waitFor({ timeout: 30_000 });
    story.app = (await citizen.page.getByTestId('applied').locator('code').innerText()).trim();
    assert.match(story.app, /^[0-9a-f]{64}$/);
    const onLedger = (await (await fetch(`${base}/v1/state/services/application/${story.app}`)).json()) as { value: { documents: { site_plan: string } } };
    assert.match(onLedger.value.documents.site_plan, /^[0-9a-f]{64}$/, 'the ledger holds the digest only');
    assert.ok(!JSON.stringify(onLedger).includes('Site plan'), 'the document text is not on the ledger');
    await citizen.page.getByRole('link', { name: 'My applications' }).click();
    await citizen.page.getByTestId('app-card').first().waitFor();
    assert.match(await citizen.page.getByTestId('app-list').innerText(), /Construction permit[\s\S]*Submitted/);

    // The land officer's queue lists it; they accept, approve the review and raise the fee invoice.
    const officer = await signedIn('officer-land-minh');
    await officer.page.getByRole('link', { name: 'Work queue' }).click();
    await officer.page.getByTestId('app-card').first().waitFor();
    assert.match(await officer.page.getByTestId('app-list').innerText(), /to accept/);
    await officer.page.getByRole('link', { name: 'Construction permit' }).first().click();
    await officer.page.getByTestId('app-verified').waitFor();
    await act(officer.page, 'Accept for review');
    await status(officer.page, 'In review');
    await act(officer.page, 'Approve this step');
    await status(officer.page, 'Awaiting payment');
    await act(officer.page, 'Raise the fee invoice');
    await officer.page.getByTestId('invoice').waitFor();
    assert.match(await officer.page.getByTestId('invoice').innerText(), /500,000 VND[\s\S]*Open: to be paid/);

    // The citizen sees the invoice; the treasury confirms the payment; the application is approved by itself.
    await citizen.page.goto(`${base}/applications/${story.app}`);
    await citizen.page.getByTestId('invoice').waitFor();
    assert.match(await citizen.page.getByTestId('invoice').innerText(), /Open: to be paid/);
    const treasury = await signedIn('officer-treasury-son');
    await treasury.page.getByRole('link', { name: 'Work queue' }).click();
    await treasury.page.getByTestId('app-card').first().waitFor();
    assert.match(await treasury.page.getByTestId('app-list').innerText(), /payment to confirm/);
    await treasury.page.goto(`${base}/applications/${story.app}`);
    await treasury.page.fill('#payment-ref', 'VCB-2026-0042');
    await act(treasury.page, 'Confirm the payment');
    await status(treasury.page, 'Approved');

    // The agency issues the credential (signed in the browser with the agency's key) and it is delivered.
    const agency = await signedIn('agency-land');
    await agency.page.getByRole('link', { name: 'Work queue' }).click();
    await agency.page.getByTestId('app-card').first().waitFor();
    assert.match(await agency.page.getByTestId('app-list').innerText(), /credential to issue/);
    await agency.page.goto(`${base}/applications/${story.app}`);
    await agency.page.fill('#claims', 'number: CP-2026-042\nowner: Nguyen Van An\nlot: 42');
    await act(agency.page, 'Issue the credential');
    await agency.page.getByTestId('timeline').filter({ hasText: 'Credential issued' }).waitFor();

    // The citizen's credential verifies in their browser; they disclose two of three claims and get the QR code.
    await citizen.page.getByRole('link', { name: 'My credentials' }).click();
    await citizen.page.locator('[data-testid=vc-verdict][data-verdict=ok]').waitFor({ timeout: 30_000 });
    await citizen.page.getByLabel('lot: 42').uncheck();
    await citizen.page.waitForFunction(() => !document.querySelector('[data-testid=qr-payload]')?.textContent?.includes('lot') && document.querySelector('[data-testid=qr] svg') !== null);
    story.payload = (await citizen.page.getByTestId('qr-payload').textContent())!.trim();
    assert.match(story.payload, /^GCVC1:/);
    story.qrPng = join(t.dir, 'qr.png');
    await citizen.page.getByTestId('qr').screenshot({ path: story.qrPng });
    // The application's history offers verified proof bundles.
    await citizen.page.goto(`${base}/applications/${story.app}`);
    await citizen.page.getByRole('button', { name: 'Proof bundle' }).first().click();
    const [download] = await Promise.all([citizen.page.waitForEvent('download'), citizen.page.getByRole('link', { name: 'Download the verified proof bundle' }).click()]);
    const bundle = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { format: string; txid: string };
    assert.equal(bundle.format, 'govchain-proof-bundle');
    assert.equal(bundle.txid, story.app);
    for (const c of [citizen, officer, treasury, agency]) await c.context.close();
  });

  test('the public verifies the credential: pasted and from a picture of the QR code; revoked shows the red warning', async () => {
    assert.ok(story.payload !== undefined, 'the previous test delivered a credential');
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(`${base}/verify-credential`);
    await page.fill('#vc-payload', story.payload!);
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    await page.locator('[data-testid=vc-verdict][data-verdict=ok]').waitFor();
    const ok = await page.getByTestId('vc-result').innerText();
    assert.match(ok, /land-office|Land/i);
    assert.match(ok, /Valid/);
    assert.match(ok, /CP-2026-042/);
    assert.doesNotMatch(ok, /\blot\b/, 'the undisclosed claim is not shown');
    // From the screenshot of the QR code (decoded in the page with the qr package).
    await page.reload();
    await page.setInputFiles('#vc-image', story.qrPng!);
    await page.locator('[data-testid=vc-verdict][data-verdict=ok]').waitFor();
    // A tampered payload fails: one character of the issuer-signed JWT's signature changed.
    const jwtEnd = story.payload!.indexOf('~');
    const c = story.payload![jwtEnd - 2]!;
    await page.fill('#vc-payload', story.payload!.slice(0, jwtEnd - 2) + (c === 'A' ? 'B' : 'A') + story.payload!.slice(jwtEnd - 1));
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    await page.locator('[data-testid=vc-verdict][data-verdict=fail]').waitFor();
    assert.match(await page.getByTestId('vc-result').innerText(), /verification FAILED/);

    // The agency revokes; the same QR payload now shows the warning.
    const agency = await signedIn('agency-land');
    await agency.page.goto(`${base}/applications/${story.app}`);
    await act(agency.page, 'Revoke the credential');
    await agency.context.close();
    await page.fill('#vc-payload', story.payload!);
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    await page.locator('[data-testid=vc-verdict][data-verdict=fail]').waitFor();
    assert.equal(await page.getByTestId('vc-verdict').getAttribute('role'), 'alert');
    assert.match(await page.getByTestId('vc-result').innerText(), /verification FAILED[\s\S]*REVOKED/);
    assert.equal(await page.locator('[data-verdict=ok]').count(), 0);
    await context.close();
  });

  test('the public verifies a notarised document on /verify', async () => {
    const f = join(t.dir, 'deed.txt');
    writeFileSync(f, 'a notarised deed\n');
    assert.equal(govchain(['notarize', f, '--json', '--node', base, '--data', join(t.dir, 'chain')]).code, 0);
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(`${base}/verify`);
    await page.setInputFiles('#doc-file', f);
    await page.locator('[data-testid=verdict][data-verdict=ok]').waitFor();
    await context.close();
  });
});

describe('new pages: layout and accessibility', () => {
  const pages = (): string[] => ['/sign-in', '/services', '/applications', `/applications/${story.app}`, '/credentials', '/identity', '/verify-credential', '/help'];
  const officerPages = ['/officer'];

  async function settle(page: Page, path: string): Promise<void> {
    await page.goto(base + path);
    await page.locator('main h1').waitFor();
    await page.waitForFunction(() => document.querySelector('main [aria-busy=true]') === null, undefined, { timeout: 30_000 });
  }

  /** A context signed in as `who`, visiting each of its pages once they settled. */
  async function visit(opts: BrowserContextOptions, check: (page: Page, path: string) => Promise<void>): Promise<void> {
    for (const [who, list] of [['citizen-an', pages()], ['officer-land-minh', officerPages]] as const) {
      const context = await browser.newContext(opts);
      const page = await context.newPage();
      await page.goto(`${base}/sign-in`);
      await page.setInputFiles('#key-file', keyFiles.get(who)!);
      await page.locator('[data-testid=signed-in][data-verdict=ok]').waitFor();
      for (const path of list) {
        await settle(page, path);
        await check(page, path);
      }
      await context.close();
    }
  }

  test('every new page fits 360 px without horizontal scrolling, in Vietnamese', async () => {
    await visit({ viewport: { width: 360, height: 740 }, locale: 'vi-VN' }, async (page, path) => {
      await assertNoHorizontalScroll(page, path);
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'vi');
    });
  });

  test('axe-core finds no serious or critical violation on any new page; controls labelled, headings in order, landmarks', async () => {
    await visit({ bypassCSP: true, locale: 'en-US' }, assertAccessible);
  });
});

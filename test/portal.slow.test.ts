// The web portal in a real browser: Debian's headless Chromium driven by playwright-core
// against a real node process (3 validators, demo chain) serving the built portal. The
// page must verify proofs itself: a tampered API answer (altered inclusion proof, leaf or
// checkpoint), intercepted and rewritten by Playwright, must show a warning, never a tick.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page, type Route } from 'playwright-core';
import { didKeyFromPublicKey, formatVerifierKey, generateKeyPair } from '@govchain/core';
import { freePort, tempDir } from './support/chain.js';
import { govchain, startNodeProcess, type NodeProcess } from './support/processes.js';
import { assertAccessible, assertNoHorizontalScroll } from './support/portal-a11y.js';

const CHROMIUM = '/usr/bin/chromium';
const require = createRequire(import.meta.url);

let t: ReturnType<typeof tempDir>;
let node: NodeProcess;
let browser: Browser;
let base: string;
let doc: string; // a notarised document of 12 345 bytes
let docDigest: string;
let bundlePath: string;
let txid: string;
let txHeight: number;
let env: Record<string, string>;

// Missing Chromium fails this file loudly (reported as a failed test with this message), never a silent skip.
if (!existsSync(CHROMIUM)) {
  throw new Error(`the browser tests need Debian's Chromium at ${CHROMIUM} (apt-get install chromium; .ci/run installs it). No browser is downloaded.`);
}

before(async () => {
  t = tempDir('govchain-portal-');
  const data = join(t.dir, 'chain');
  const init = govchain(['init', '--demo', '--validators', '3', '--data', data, '--json']);
  assert.equal(init.code, 0, init.stderr);
  node = await startNodeProcess(data, await freePort(), ['--block-interval', '20']);
  env = { GOVCHAIN_DATA: data, GOVCHAIN_NODE: node.url };
  base = node.url;
  // A few anchors first, so the log has several leaves and inclusion proofs have hashes.
  for (let i = 0; i < 3; i++) {
    const f = join(t.dir, `other-${i}.txt`);
    writeFileSync(f, `another document ${i}\n`);
    assert.equal(govchain(['notarize', f, '--json'], { env }).code, 0);
  }
  doc = join(t.dir, 'certificate.pdf');
  const bytes = Buffer.alloc(12_345, 0x20);
  bytes.write('%PDF-1.7 certificate of something important\n');
  writeFileSync(doc, bytes);
  docDigest = createHash('sha256').update(bytes).digest('hex');
  const n = govchain(['notarize', doc, '--json'], { env });
  assert.equal(n.code, 0, n.stderr);
  ({ txid, bundle: bundlePath } = JSON.parse(n.stdout) as { txid: string; bundle: string });
  txHeight = ((await (await fetch(`${base}/v1/txs/${txid}`)).json()) as { receipt: { height: number } }).receipt.height;
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
});

after(async () => {
  await browser?.close();
  await node?.kill('SIGKILL');
  t?.cleanup();
});

/** A fresh browser context (no storage: keys are pinned anew) with one page. */
async function open(path: string, opts: BrowserContextOptions = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale: 'en-US', timezoneId: 'Asia/Ho_Chi_Minh', ...opts });
  const page = await context.newPage();
  await page.goto(base + path);
  return { context, page };
}

const outcome = (page: Page) => page.getByTestId('verdict');

describe('verify a document', () => {
  test('a notarised document verifies in the browser: green, with its digest computed by WebCrypto', async () => {
    const { context, page } = await open('/verify');
    await page.setInputFiles('#doc-file', doc);
    await page.locator('[data-testid=verdict][data-verdict=ok]').waitFor();
    const text = await page.getByTestId('outcome').innerText();
    assert.match(text, /Verified in your browser: this document was notarised/);
    assert.ok(text.includes(docDigest), 'the SHA-256 shown is the file digest');
    assert.ok(text.includes(txid));
    assert.match(text, /WebCrypto/);
    // the offered bundle is the SDK's bundle format, for this transaction
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download the proof bundle' }).click()]);
    assert.equal(download.suggestedFilename(), 'certificate.pdf.govproof.json');
    const bundle = JSON.parse(readFileSync((await download.path())!, 'utf8'));
    assert.equal(bundle.format, 'govchain-proof-bundle');
    assert.equal(bundle.txid, txid);
    await context.close();
  });

  test('an unknown document is reported as not notarised, not as verified', async () => {
    const other = join(t.dir, 'unknown.txt');
    writeFileSync(other, 'never notarised\n');
    const { context, page } = await open('/verify');
    await page.setInputFiles('#doc-file', other);
    await page.locator('[data-testid=verdict][data-verdict=info]').waitFor();
    assert.match(await outcome(page).innerText(), /not notarised/);
    await context.close();
  });

  const tampers: [string, string, (route: Route) => Promise<void>][] = [
    ['an altered audit path', '**/v1/proofs/inclusion?**', (r) => rewriteJson(r, (p) => ({ ...p, hashes: p.hashes.map((h: string, i: number) => (i === 0 ? flipBase64(h) : h)) }))],
    ['a wrong leaf', '**/v1/proofs/inclusion?**', (r) => rewriteJson(r, (p) => ({ ...p, leaf: flipBase64(p.leaf) }))],
    ['a wrong root in the checkpoint', '**/v1/checkpoint*', (r) => rewriteText(r, (note) => note.replace(/^(.*\n\d+\n)(.)/, (_m, head: string, c: string) => head + (c === 'A' ? 'B' : 'A')))],
    ['a bad validator signature', '**/v1/checkpoint*', (r) => rewriteText(r, (note) => note.replace(/(\u2014 \S+ )(\S{10})(\S)/, (_m, a: string, b: string, c: string) => a + b + (c === 'A' ? 'B' : 'A')))],
    ['a receipt of another transaction', '**/v1/txs/*', (r) => rewriteJson(r, (p) => ({ ...p, receipt: { ...p.receipt, index: p.receipt.index + 1 } }))],
    [
      "another key in the signer's DID document",
      '**/v1/dids/**',
      (r) => {
        const other = didKeyFromPublicKey(generateKeyPair().publicKey).slice('did:key:'.length);
        return rewriteJson(r, (p) => ({ ...p, didDocumentMetadata: { ...p.didDocumentMetadata, keyHistory: p.didDocumentMetadata.keyHistory.map((h: object) => ({ ...h, publicKeyMultibase: other })) } }));
      },
    ],
  ];
  for (const [what, pattern, tamper] of tampers) {
    test(`a tampered API answer (${what}) shows a warning, never a green tick`, async () => {
      const context = await browser.newContext({ locale: 'en-US' });
      const page = await context.newPage();
      await page.goto(`${base}/verify`);
      await page.getByRole('heading', { level: 1, name: 'Verify a document' }).waitFor();
      let tampered = 0;
      await page.route(pattern, async (route) => {
        tampered++;
        await tamper(route);
      });
      await page.setInputFiles('#doc-file', doc);
      await page.locator('[data-testid=verdict][data-verdict=fail]').waitFor();
      assert.ok(tampered > 0, 'the tampered route was used');
      const text = await outcome(page).innerText();
      assert.match(text, /verification FAILED/);
      assert.equal(await page.locator('[data-verdict=ok]').count(), 0);
      assert.equal(await outcome(page).getAttribute('role'), 'alert');
      await context.close();
    });
  }

  test('a dropped proof bundle verifies offline, with no request to the node; a tampered one fails', async () => {
    const { context, page } = await open('/verify');
    await page.getByRole('heading', { level: 1 }).waitFor();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.setInputFiles('#bundle-doc', doc);
    // dropped on the bundle's drop zone, as a user would drag it from their files
    await page.evaluate((text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], 'certificate.pdf.govproof.json', { type: 'application/json' }));
      document.getElementById('bundle-file')!.closest('.drop')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, readFileSync(bundlePath, 'utf8'));
    await page.locator('[data-testid=verdict][data-verdict=ok]').waitFor();
    const text = await outcome(page).innerText();
    assert.match(text, /Verified offline in your browser/);
    assert.match(text, /The document matches the anchored fingerprint/);
    assert.match(text, /validator keys this browser trusts/);
    assert.deepEqual(requests, [], 'offline: no request made while verifying');

    const bundle = JSON.parse(readFileSync(bundlePath, 'utf8'));
    bundle.inclusion.hashes[0] = flipBase64(bundle.inclusion.hashes[0]);
    const bad = join(t.dir, 'tampered.govproof.json');
    writeFileSync(bad, JSON.stringify(bundle));
    await page.setInputFiles('#bundle-file', bad);
    await page.locator('[data-testid=verdict][data-verdict=fail]').waitFor();
    assert.match(await outcome(page).innerText(), /inclusion proof does not lead to the checkpoint root/);
    await context.close();
  });
});

describe('explorer', () => {
  test('shows a block with its transactions and the checkpoint signatures, all verified in the browser', async () => {
    const { context, page } = await open('/');
    await page.getByTestId('checkpoint-verdict').waitFor();
    assert.equal(await page.getByTestId('checkpoint-verdict').getAttribute('data-verdict'), 'ok');
    assert.match(await page.getByTestId('checkpoint-verdict').innerText(), /3 of 3 required validator signatures are valid/);
    // the chart is one described image
    const chart = page.getByRole('img', { name: /Transactions per block/ });
    assert.equal(await chart.count(), 1);
    await page.getByRole('link', { name: String(txHeight), exact: true }).first().click();
    await page.getByRole('heading', { level: 1, name: `Block ${txHeight}` }).waitFor();
    await page.locator('[data-testid=block-verdict]').waitFor();
    assert.equal(await page.getByTestId('block-verdict').getAttribute('data-verdict'), 'ok');
    assert.ok((await page.getByTestId('block-txs').innerText()).includes(txid));
    assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'H1', 'focus moves to the new page heading');
    await page.getByRole('link', { name: txid }).click();
    await page.getByTestId('tx-verdict').waitFor();
    assert.equal(await page.getByTestId('tx-verdict').getAttribute('data-verdict'), 'ok');
    assert.match(await page.getByTestId('tx-verdict').innerText(), /signatures are valid/);
    assert.match(await page.getByTestId('tx-verdict').innerText(), /ledger identity \(did:gov\)/, 'the demo citizen signs with its ledger DID');
    assert.ok((await page.locator('main').innerText()).includes(docDigest), 'the payload shows the anchored digest');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Checkpoint' }).click();
    await page.getByTestId('signatures').waitFor();
    const statuses = await page.locator('[data-testid=signatures] li').evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
    assert.deepEqual(statuses, ['valid', 'valid', 'valid']);
    await context.close();
  });

  test('a checkpoint with a forged signature is flagged signature by signature', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await page.route('**/v1/checkpoint*', (r) => rewriteText(r, (note) => note.replace(/(\u2014 govchain-dev-validator-2 )(\S{10})(\S)/, (_m, a: string, b: string, c: string) => a + b + (c === 'A' ? 'B' : 'A'))));
    await page.goto(`${base}/checkpoint`);
    await page.getByTestId('signatures').waitFor();
    const statuses = await page.locator('[data-testid=signatures] li').evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
    assert.deepEqual(statuses, ['valid', 'invalid', 'valid']);
    assert.equal(await page.getByTestId('checkpoint-verdict').getAttribute('data-verdict'), 'fail');
    await context.close();
  });

  test('keys pinned on first use: a node announcing other validator keys gets a warning, and its checkpoints no tick', async () => {
    // This browser pinned other keys earlier (as if the node had since swapped its validators).
    const pinned = [1, 2, 3].map((i) => formatVerifierKey(`govchain-dev-validator-${i}`, generateKeyPair().publicKey));
    const context = await browser.newContext({ locale: 'en-US' });
    await context.addInitScript((vkeys) => localStorage.setItem('govchain.trust.govchain-dev', JSON.stringify({ vkeys, since: '2026-01-01T00:00:00Z' })), pinned);
    const page = await context.newPage();
    await page.goto(`${base}/checkpoint`);
    await page.getByTestId('checkpoint-verdict').waitFor();
    assert.equal(await page.getByTestId('checkpoint-verdict').getAttribute('data-verdict'), 'fail');
    assert.match(await page.locator('.trust').innerText(), /announces different validator keys/);
    const statuses = await page.locator('[data-testid=signatures] li').evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
    assert.deepEqual(statuses, ['unknown-key', 'unknown-key', 'unknown-key']);
    // the user may choose to trust the announced keys; then the checkpoint verifies
    await page.getByRole('button', { name: 'Trust the new keys' }).click();
    await page.locator('[data-testid=checkpoint-verdict][data-verdict=ok]').waitFor();
    await context.close();
  });

  test('the browser remembers the log head and checks on each visit that the log only grew (RFC 6962 consistency)', async () => {
    const notarizeOne = (name: string): void => {
      const f = join(t.dir, name);
      writeFileSync(f, `${name}\n`);
      assert.equal(govchain(['notarize', f, '--json'], { env }).code, 0);
    };
    const verdict = async (page: Page): Promise<[string | null, string]> => {
      const v = page.getByTestId('log-verdict');
      await v.waitFor();
      return [await v.getAttribute('data-verdict'), await v.innerText()];
    };
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(`${base}/checkpoint`);
    let [kind, text] = await verdict(page);
    assert.equal(kind, 'info');
    assert.match(text, /remembers this checkpoint/);
    const remembered = async (): Promise<number> => JSON.parse((await page.evaluate(() => localStorage.getItem('govchain.seen.govchain-dev')))!).size;
    const first = await remembered();

    notarizeOne('later-1.txt');
    await page.reload();
    [kind, text] = await verdict(page);
    assert.equal(kind, 'ok');
    assert.match(text, new RegExp(`only grew since the checkpoint this browser saw on .* \\(${first} transactions\\)`));
    const second = await remembered();
    assert.ok(second > first);

    await page.reload();
    [kind, text] = await verdict(page);
    assert.equal(kind, 'ok');
    assert.match(text, /unchanged/);

    // a node that rewrote its log cannot produce a consistency proof: served a forged one, the page warns
    notarizeOne('later-2.txt');
    await page.route('**/v1/proofs/consistency?**', (r) => rewriteJson(r, (p) => ({ ...p, hashes: p.hashes.map((h: string, i: number) => (i === 0 ? flipBase64(h) : h)) })));
    await page.reload();
    [kind, text] = await verdict(page);
    assert.equal(kind, 'fail');
    assert.match(text, /NOT consistent/);
    assert.equal(await remembered(), second, 'an unproven head is not remembered');
    await context.close();
  });

  test('unknown portal paths show the portal not-found page; unknown API paths stay 404 problems', async () => {
    const { context, page } = await open('/no/such/page');
    await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
    const res = await page.request.get(`${base}/v1/no/such`);
    assert.equal(res.status(), 404);
    assert.match(res.headers()['content-type']!, /application\/problem\+json/);
    await context.close();
  });
});

describe('languages', () => {
  test('Vietnamese: translated text, vi-VN numbers and dates, and the choice is remembered', async () => {
    const { context, page } = await open('/verify');
    await page.setInputFiles('#doc-file', doc);
    await page.locator('[data-testid=verdict][data-verdict=ok]').waitFor();
    assert.equal(await page.getByTestId('file-size').innerText(), '12,345 bytes');
    await page.getByRole('button', { name: 'Tiếng Việt' }).click();
    await page.getByRole('heading', { level: 1, name: 'Xác minh tài liệu' }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'vi');
    assert.equal(await page.getByTestId('file-size').innerText(), '12.345 byte');
    assert.match(await outcome(page).innerText(), /Đã xác minh trong trình duyệt/);
    const nav = await page.getByRole('navigation').first().innerText();
    assert.match(nav, /Tra cứu/);
    assert.doesNotMatch(nav, /Explorer|Verify a document/);

    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Xác minh tài liệu' }).waitFor();
    await page.getByRole('link', { name: 'Điểm kiểm tra' }).click();
    await page.getByTestId('checkpoint-verdict').waitFor();
    const time = await page.locator('main dd time').first().getAttribute('datetime');
    const shown = await page.locator('main dd time').first().innerText();
    const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(time!));
    const part = (k: string): string => parts.find((p) => p.type === k)!.value;
    assert.ok(shown.includes(`${part('day')}/${part('month')}/${part('year')}`), `vi-VN date is day/month/year: ${shown}`);
    assert.match(await page.getByTestId('checkpoint-verdict').innerText(), /3 trên 3 chữ ký/);

    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { level: 1, name: 'Checkpoint' }).waitFor();
    const shownEn = await page.locator('main dd time').first().innerText();
    assert.ok(shownEn.includes(`${part('month')}/${part('day')}/${part('year')}`), `en-US date is month/day/year: ${shownEn}`);
    await context.close();
  });
});

describe('layout and accessibility', () => {
  const pages = (): string[] => ['/', '/verify', '/checkpoint', `/blocks/${txHeight}`, `/txs/${txid}`];

  test('every page fits a 360 px wide screen without horizontal scrolling', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'vi-VN' });
    const page = await context.newPage();
    for (const path of pages()) {
      await page.goto(base + path);
      await page.locator('main h1').waitFor();
      await page.waitForFunction(() => document.querySelector('main [aria-busy=true]') === null);
      await assertNoHorizontalScroll(page, path);
    }
    await context.close();
  });

  test('axe-core finds no serious or critical violations; controls are labelled, headings in order, landmarks present', async () => {
    // axe is injected as a script, which the portal's CSP would (rightly) refuse.
    const context = await browser.newContext({ bypassCSP: true, locale: 'en-US' });
    const page = await context.newPage();
    for (const path of pages()) {
      await page.goto(base + path);
      await page.locator('main h1').waitFor();
      await page.waitForFunction(() => document.querySelector('main [aria-busy=true]') === null);
      if (path === '/verify') {
        await page.setInputFiles('#doc-file', doc);
        await page.locator('[data-testid=verdict]').waitFor();
      }
      await assertAccessible(page, path);
    }
    // keyboard: the skip link is the first stop and leads to <main>
    await page.goto(`${base}/`);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
    await context.close();
  });
});

async function rewriteJson(route: Route, change: (body: any) => unknown): Promise<void> {
  const res = await route.fetch();
  await route.fulfill({ response: res, body: JSON.stringify(change(await res.json())) });
}

async function rewriteText(route: Route, change: (body: string) => string): Promise<void> {
  const res = await route.fetch();
  const text = await res.text();
  const changed = change(text);
  assert.notEqual(changed, text, 'the tamper changed the answer');
  await route.fulfill({ response: res, body: changed });
}

function flipBase64(b64: string): string {
  const bytes = Buffer.from(b64, 'base64');
  bytes[0] = bytes[0]! ^ 1;
  return bytes.toString('base64');
}

// The SDK runs unchanged in headless Chromium (Debian's /usr/bin/chromium via
// playwright-core; no browser download): a page bundled with esbuild signs with a
// WebCrypto key, anchors a digest and proves the state value against a checkpoint it
// verifies itself; a tampered state answer makes the verified read throw.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { randomBytes, toHex } from '@govchain/core';
import { createApiServer } from '@govchain/api';
import type { GovchainNode } from '@govchain/node';
import type { FastifyInstance } from 'fastify';
import { demoChain, startNode } from './support/chain.js';

const CHROMIUM = '/usr/bin/chromium';
const root = fileURLToPath(new URL('../..', import.meta.url));

let chain: ReturnType<typeof demoChain>;
let node: GovchainNode;
let app: FastifyInstance;
let base: string;
let browser: Browser;
let bundle: string;
let trust: { quorum: number; vkeys: string[] };

before(async () => {
  const out = await build({ entryPoints: [`${root}/test/browser/entry.mjs`], bundle: true, platform: 'browser', format: 'esm', write: false, target: 'es2022', logLevel: 'silent' });
  bundle = out.outputFiles[0]!.text;
  chain = demoChain();
  node = await startNode(chain.dir);
  app = await createApiServer({ node });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  trust = (await (await fetch(`${base}/v1/validators`)).json()) as typeof trust;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
after(async () => {
  await browser?.close();
  await app?.close();
  await node?.stop();
  chain?.cleanup();
});

/** A page on the node's own origin (same-origin API calls) that loads the SDK bundle. */
async function openPage(): Promise<Page> {
  const page = await browser.newPage();
  await page.route(`${base}/sdk-test.html`, (r) => r.fulfill({ contentType: 'text/html', body: '<!doctype html><meta charset="utf-8"><title>sdk</title><script type="module" src="/sdk-test.js"></script>' }));
  await page.route(`${base}/sdk-test.js`, (r) => r.fulfill({ contentType: 'text/javascript', body: bundle }));
  await page.goto(`${base}/sdk-test.html`);
  await page.waitForFunction(() => typeof (window as any).govchainProve === 'function');
  return page;
}

test('the bundle is browser-safe: no node: imports', () => {
  assert.ok(existsSync(CHROMIUM), 'Debian chromium is installed');
  assert.doesNotMatch(bundle, /from ["']node:/);
  assert.ok(bundle.length < 400_000, `bundle is ${bundle.length} bytes`);
});

test('in Chromium the SDK signs with WebCrypto, anchors, and proves the value against a verified checkpoint', async () => {
  const page = await openPage();
  const digest = toHex(randomBytes(32));
  const r = await page.evaluate((args) => (window as any).govchainAnchorAndProve(args), { trust, digest });
  assert.equal(r.platform, 'web');
  assert.equal(r.value.digest, digest);
  assert.equal(r.value.by, r.did);
  assert.equal(r.value.txid, r.txid);
  assert.ok(r.size >= 1);
  // The light client remembered the checkpoint in localStorage.
  assert.equal(r.storedCheckpoint.split('\n')[1], String(r.size));
  // The same value proven by a plain read from the page.
  const again = await page.evaluate((args) => (window as any).govchainProve(args), { trust, module: 'notary', key: digest });
  assert.deepEqual(again.value, r.value);
  await page.close();
});

test('a tampered state answer makes the verified read throw in the page', async () => {
  const digest = toHex(randomBytes(32));
  const env = await (await import('./support/chain.js')).anchorTx(chain.citizen, 'govchain-dev', digest);
  const res = await fetch(`${base}/v1/txs?wait=commit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(env) });
  assert.equal(res.status, 200);
  const page = await openPage();
  await page.route(`${base}/v1/state/**`, async (route) => {
    const real = await route.fetch();
    const j = await real.json();
    if (j.value !== null) j.value.by = 'did:key:z6MkTampered';
    await route.fulfill({ response: real, json: j });
  });
  const r = await page.evaluate((args) => (window as any).govchainProve(args), { trust, module: 'notary', key: digest });
  assert.deepEqual(r, { ok: false, code: 'light.value_mismatch' });
  await page.unroute(`${base}/v1/state/**`);
  const honest = await page.evaluate((args) => (window as any).govchainProve(args), { trust, module: 'notary', key: digest });
  assert.equal(honest.ok, true);
  assert.equal(honest.value.digest, digest);
  await page.close();
});

// The security headers do not break the pages a node serves: in real headless Chromium,
// the Swagger UI at /docs renders the API and the page at / loads, with no
// Content-Security-Policy violation reported by the browser.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { createApiServer } from '@govchain/api';
import type { GovchainNode } from '@govchain/node';
import type { FastifyInstance } from 'fastify';
import { demoChain, startNode } from './support/chain.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
let chain: ReturnType<typeof demoChain>;
let node: GovchainNode;
let app: FastifyInstance;
let browser: Browser;
let base: string;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (.ci/run installs Debian's chromium)`);
  chain = demoChain();
  node = await startNode(chain.dir);
  app = await createApiServer({ node });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});
after(async () => {
  await browser?.close();
  await app.close();
  await node.stop();
  chain.cleanup();
});

/** Open `url`, collecting CSP violations reported by the page and console errors. */
async function visit(url: string, ready: (page: import('playwright-core').Page) => Promise<void>): Promise<{ violations: string[]; errors: string[] }> {
  const page = await browser.newPage();
  const violations: string[] = [];
  const errors: string[] = [];
  await page.exposeFunction('__cspViolation', (v: string) => violations.push(v));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => (window as any).__cspViolation(`${e.violatedDirective} ${e.blockedURI}`));
  });
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  try {
    await page.goto(url);
    await ready(page);
  } finally {
    await page.close();
  }
  return { violations, errors };
}

test('the Swagger UI at /docs renders the govchain API under its CSP', async () => {
  const r = await visit(`${base}/docs`, async (page) => {
    await page.waitForSelector('.swagger-ui .info .title', { timeout: 20_000 });
    assert.match(await page.textContent('.swagger-ui .info .title') ?? '', /govchain API/);
    // The operations list comes from /openapi.json... rendered by the UI's own script.
    await page.waitForSelector('.opblock-summary-path', { timeout: 20_000 });
  });
  assert.deepEqual(r.violations, []);
  assert.deepEqual(r.errors.filter((e) => /Content Security Policy|Refused to/i.test(e)), []);
});

test('the page at / (the portal, or its placeholder when not built) loads under the strict CSP', async () => {
  const r = await visit(`${base}/`, async (page) => {
    await page.waitForSelector('h1');
    await page.waitForLoadState('networkidle');
    assert.notEqual((await page.textContent('h1'))?.trim() ?? '', '');
  });
  assert.deepEqual(r.violations, []);
  assert.deepEqual(r.errors.filter((e) => /Content Security Policy|Refused to/i.test(e)), []);
});

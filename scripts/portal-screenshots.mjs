#!/usr/bin/env node
// Regenerates the portal screenshots in docs/screenshots/ (linked from docs/portal.md):
// a temporary demo chain with 3 validators, a real node process, a few notarised
// documents, and Debian's headless Chromium (/usr/bin/chromium) via playwright-core.
//   npm run build && node scripts/portal-screenshots.mjs
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

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
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true });
  mkdirSync(out, { recursive: true });
  const shots = [
    ['explorer-en.png', '/', 'en-US', { width: 1100, height: 900 }],
    ['checkpoint-en.png', '/checkpoint', 'en-US', { width: 1100, height: 900 }],
    ['verify-en.png', '/verify', 'en-US', { width: 1100, height: 900 }],
    ['tx-en.png', `/txs/${txids[0]}`, 'en-US', { width: 1100, height: 900 }],
    ['explorer-vi-360.png', '/', 'vi-VN', { width: 360, height: 740 }],
    ['verify-vi-360.png', '/verify', 'vi-VN', { width: 360, height: 740 }],
  ];
  for (const [name, path, locale, viewport] of shots) {
    const context = await browser.newContext({ locale, viewport, timezoneId: 'Asia/Ho_Chi_Minh' });
    const page = await context.newPage();
    await page.goto(url + path);
    await page.locator('main h1').waitFor();
    await page.waitForFunction(() => document.querySelector('main [aria-busy=true]') === null);
    if (path === '/verify') {
      await page.setInputFiles('#doc-file', doc);
      await page.locator('[data-testid=verdict]').waitFor();
    }
    await page.screenshot({ path: join(out, name), fullPage: true });
    await context.close();
    console.log(`docs/screenshots/${name}`);
  }
} finally {
  await browser?.close();
  node.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}

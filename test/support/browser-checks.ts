/** Layout and accessibility checks shared by the portal's browser suites (Chromium via playwright-core). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const require = createRequire(import.meta.url);

/** Open `url` and wait until its page heading is there and nothing is loading. */
export async function openLoaded(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.locator('main h1').waitFor();
  await page.waitForFunction(() => document.querySelector('main [aria-busy=true]') === null);
}

/** Each page (on a page with a narrow viewport) fits its width: no horizontal scrolling. */
export async function assertNoHorizontalScroll(page: Page, base: string, paths: readonly string[]): Promise<void> {
  for (const path of paths) {
    await openLoaded(page, base + path);
    const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    assert.ok(scroll <= client, `${path}: scrollWidth ${scroll} > ${client}`);
  }
}

/**
 * axe-core (WCAG 2.1 A/AA and best practice) finds no serious or critical violation on each
 * page; every form control is labelled; one h1 first, heading levels never skip; landmarks
 * present. The page needs a context with `bypassCSP` (axe is injected as a script).
 * `prepare` runs after loading a path, e.g. to fill a form before checking.
 */
export async function assertAccessible(page: Page, base: string, paths: readonly string[], prepare: (path: string) => Promise<void> = async () => undefined): Promise<void> {
  const axe = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  for (const path of paths) {
    await openLoaded(page, base + path);
    await prepare(path);
    await page.addScriptTag({ content: axe });
    const violations = await page.evaluate(async () => {
      const r = await (window as unknown as { axe: { run(o: object): Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }> } }).axe.run({
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      });
      return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}, ${v.nodes.length})`);
    });
    assert.deepEqual(violations, [], `${path}: ${violations.join(', ')}`);
    const a11y = await page.evaluate(() => {
      const unlabelled = [...document.querySelectorAll('input, select, textarea')].filter((el) => (el as HTMLInputElement).labels?.length === 0 && !el.getAttribute('aria-label')).length;
      const levels = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map((h) => Number(h.tagName[1]));
      const landmarks = ['header', 'nav', 'main', 'footer'].filter((s) => document.querySelector(s) === null);
      return { unlabelled, levels, landmarks };
    });
    assert.equal(a11y.unlabelled, 0, `${path}: every form control has a label`);
    assert.equal(a11y.levels[0], 1, `${path}: the first heading is h1`);
    assert.equal(a11y.levels.filter((l) => l === 1).length, 1, `${path}: one h1`);
    for (let i = 1; i < a11y.levels.length; i++) assert.ok(a11y.levels[i]! <= a11y.levels[i - 1]! + 1, `${path}: heading levels skip: ${a11y.levels.join(',')}`);
    assert.deepEqual(a11y.landmarks, [], `${path}: landmarks`);
  }
}

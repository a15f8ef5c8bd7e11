// Accessibility checks the portal's browser suites run on every page: axe-core (WCAG 2.1
// A/AA and best practice, serious or critical violations fail), every form control
// labelled, one h1 and heading levels that never skip, and the 360 px no-scroll check.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const require = createRequire(import.meta.url);
let axeSource: string | undefined;

/** Assert the page at `path` has no serious/critical axe violation, labelled controls and ordered headings. The context must bypass CSP (axe is injected). */
export async function assertAccessible(page: Page, path: string): Promise<void> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.addScriptTag({ content: axeSource });
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

/** Assert the page does not scroll sideways (run it in a 360 px viewport). */
export async function assertNoHorizontalScroll(page: Page, path: string): Promise<void> {
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  assert.ok(scroll <= client, `${path}: scrollWidth ${scroll} > ${client}`);
}

// Documentation stays true: every error code the code can raise is in docs/errors.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;

function sources(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    if (e === 'node_modules' || e === 'dist') continue;
    const p = join(dir, e);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (p.endsWith('.ts') && !p.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

test('every error code raised in packages/ is documented in docs/errors.md', () => {
  const doc = readFileSync(join(root, 'docs/errors.md'), 'utf8');
  const documented = new Set([...doc.matchAll(/`([a-z_]+\.[a-z_]+)`/g)].map((m) => m[1]));
  const raised = new Set<string>();
  for (const f of sources(join(root, 'packages'))) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/(?:GovchainError|problem)\(\s*'([a-z_]+\.[a-z_]+)'/g)) raised.add(m[1]!);
    for (const m of text.matchAll(/\bcode: '([a-z_]+\.[a-z_]+)'/g)) raised.add(m[1]!);
    for (const m of text.matchAll(/\bmust\([^;]*?, '([a-z_]+\.[a-z_]+)'/g)) raised.add(m[1]!);
  }
  assert.ok(raised.size > 30, `found only ${raised.size} codes; is the scan broken?`);
  const missing = [...raised].filter((c) => !documented.has(c)).sort();
  assert.deepEqual(missing, [], `undocumented error codes: ${missing.join(', ')}`);
});

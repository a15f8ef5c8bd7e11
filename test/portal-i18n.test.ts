// Both portal languages are complete: the English and Vietnamese dictionaries of
// packages/portal/src/i18n.ts have the same keys, no empty text, and the same {params}
// in every message (the build's type check also refuses a missing key).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const source = readFileSync(new URL('../../packages/portal/src/i18n.ts', import.meta.url), 'utf8');

function dictionary(name: string): Map<string, string> {
  const start = source.indexOf(`const ${name}`);
  assert.ok(start >= 0, `dictionary ${name} not found`);
  const body = source.slice(start, source.indexOf('\n}', start));
  const entries = [...body.matchAll(/^\s*'([a-z][\w.]*)':\s*'((?:[^'\\]|\\.)*)',?$/gm)].map((m) => [m[1]!, m[2]!] as const);
  return new Map(entries);
}

const params = (text: string): string[] => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();

test('the Vietnamese and English dictionaries have the same keys, texts and parameters', () => {
  const en = dictionary('en');
  const vi = dictionary('vi');
  assert.ok(en.size > 100, `found only ${en.size} English messages; is the parse broken?`);
  assert.deepEqual([...vi.keys()].sort(), [...en.keys()].sort());
  for (const [key, text] of en) {
    const v = vi.get(key)!;
    assert.ok(text.trim() !== '' && v.trim() !== '', `${key}: empty text`);
    assert.deepEqual(params(v), params(text), `${key}: parameters differ`);
  }
});

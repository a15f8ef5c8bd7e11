// Both portal languages are complete: the English and Vietnamese dictionaries of
// packages/portal/src/i18n.ts (public pages) and src/messages-services.ts (sign-in,
// citizen, officer, credential and help pages) have the same keys, no empty text, and the
// same {params} in every message; every key a page asks for with t('...') exists (the
// build's type check also refuses a missing key).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';

const src = new URL('../../packages/portal/src/', import.meta.url);
const read = (file: string): string => readFileSync(new URL(file, src), 'utf8');

function dictionary(file: string, name: string): Map<string, string> {
  const source = read(file);
  const start = source.search(new RegExp(`const ${name}\\b`));
  assert.ok(start >= 0, `dictionary ${name} not found in ${file}`);
  const body = source.slice(start, source.indexOf('\n}', start));
  const entries = [...body.matchAll(/^\s*'([a-z][\w.]*)':\s*'((?:[^'\\]|\\.)*)',?$/gm)].map((m) => [m[1]!, m[2]!] as const);
  return new Map(entries);
}

const params = (text: string): string[] => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();

function checkPair(en: Map<string, string>, vi: Map<string, string>, min: number): void {
  assert.ok(en.size > min, `found only ${en.size} English messages; is the parse broken?`);
  assert.deepEqual([...vi.keys()].sort(), [...en.keys()].sort());
  for (const [key, text] of en) {
    const v = vi.get(key)!;
    assert.ok(text.trim() !== '' && v.trim() !== '', `${key}: empty text`);
    assert.deepEqual(params(v), params(text), `${key}: parameters differ`);
  }
}

test('the Vietnamese and English dictionaries of the public pages have the same keys, texts and parameters', () => {
  checkPair(dictionary('i18n.ts', 'enBase'), dictionary('i18n.ts', 'viBase'), 100);
});

test('the Vietnamese and English texts of the citizen, officer, credential and help pages are complete', () => {
  checkPair(dictionary('messages-services.ts', 'servicesEn'), dictionary('messages-services.ts', 'servicesVi'), 200);
});

test("every key a page asks for with t('...') exists in both languages", () => {
  const keys = new Set([...dictionary('i18n.ts', 'enBase').keys(), ...dictionary('messages-services.ts', 'servicesEn').keys()]);
  const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) => /\.tsx?$/.test(f));
  let used = 0;
  for (const f of files) {
    for (const m of read(f).matchAll(/\bt\('([a-z][\w.]*)'/g)) {
      used++;
      assert.ok(keys.has(m[1]!), `${f}: t('${m[1]}') has no text`);
    }
  }
  assert.ok(used > 200, `found only ${used} uses of t(); is the parse broken?`);
});

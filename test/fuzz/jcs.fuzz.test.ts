// Fuzz: our RFC 8785 serializer (`canonicalJson`) against the `canonicalize` package by
// the RFC's co-author, on generated JSON values (any UTF-16 strings, lone surrogates
// included, and any doubles). Both must agree on every value they accept, and refuse the
// same values; ours refuses only with codec.not_canonicalizable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import canonicalize from 'canonicalize';
import { canonicalJson, isGovchainError } from '@govchain/core';
import { fuzz } from './support.js';

/** Strings of arbitrary UTF-16 code units: surrogate pairs, lone surrogates, controls. */
const utf16 = fc.array(fc.oneof(fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0xd800, max: 0xdfff })), { maxLength: 12 }).map((codes) => String.fromCharCode(...codes));
const value = fc.letrec((tie) => ({
  any: fc.oneof({ depthSize: 'small' }, fc.constant(null), fc.boolean(), fc.double(), fc.integer(), utf16, tie('array'), tie('object')),
  array: fc.array(tie('any'), { maxLength: 5 }),
  // Up to 24 members: both the in-place insertion sort (up to 16) and the built-in sort run.
  object: fc.dictionary(utf16, tie('any'), { maxKeys: 24 }),
})).any;

function reference(v: unknown): { text: string } | { refused: true } {
  try {
    const text = canonicalize(v);
    return text === undefined ? { refused: true } : { text };
  } catch {
    return { refused: true };
  }
}

test('canonicalJson agrees with the canonicalize package on every generated value', async () => {
  await fuzz(
    'jcs',
    fc.property(value, (v) => {
      const want = reference(v);
      let got: { text: string } | { refused: true };
      try {
        got = { text: canonicalJson(v) };
      } catch (e) {
        assert.ok(isGovchainError(e) && e.code === 'codec.not_canonicalizable', `unexpected error ${String(e)}`);
        got = { refused: true };
      }
      assert.deepEqual(got, want);
      if ('text' in got && !('refused' in want)) assert.deepEqual(JSON.parse(got.text), JSON.parse(JSON.stringify(v)));
    }),
  );
});

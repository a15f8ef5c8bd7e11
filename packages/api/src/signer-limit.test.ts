import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSignerRateLimiter } from './signer-limit.js';

test('a signer gets max transactions per window, then a retry time; the window resets', () => {
  let now = 1_000_000;
  const limiter = createSignerRateLimiter({ max: 2, windowMs: 10_000, now: () => now });
  assert.deepEqual(limiter.take('did:a'), { ok: true, remaining: 1 });
  assert.deepEqual(limiter.take('did:a'), { ok: true, remaining: 0 });
  now += 2_500;
  assert.deepEqual(limiter.take('did:a'), { ok: false, retryAfterSeconds: 8 });
  // Others are counted apart.
  assert.equal(limiter.take('did:b').ok, true);
  now += 7_500;
  assert.deepEqual(limiter.take('did:a'), { ok: true, remaining: 1 });
});

test('finished windows are forgotten, so the table holds only active signers', () => {
  let now = 0;
  const limiter = createSignerRateLimiter({ max: 1, windowMs: 1_000, now: () => now });
  for (let i = 0; i < 100; i++) limiter.take(`did:${i}`);
  assert.equal(limiter.size, 100);
  now += 1_000;
  limiter.take('did:late');
  assert.equal(limiter.size, 1);
});

test('bad settings are refused', () => {
  assert.throws(() => createSignerRateLimiter({ max: 0, windowMs: 1000 }), RangeError);
  assert.throws(() => createSignerRateLimiter({ max: 1, windowMs: Number.NaN }), RangeError);
});

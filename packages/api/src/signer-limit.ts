/**
 * Per-identity rate limit: at most `max` transactions per signer DID in each window of
 * `windowMs`. Counted only for transactions whose signatures verified, so nobody can use
 * up another citizen's quota by naming them as the signer of a forged envelope.
 */

/** Options of {@link createSignerRateLimiter}. */
export interface SignerRateLimiterOptions {
  /** Transactions per signer per window. */
  max: number;
  windowMs: number;
  /** Clock (ms); injected for tests. */
  now?: () => number;
}

/** The outcome of taking one unit of a signer's quota. */
export type SignerTake = { ok: true; remaining: number } | { ok: false; retryAfterSeconds: number };

/** A fixed-window counter per signer. */
export interface SignerRateLimiter {
  take(did: string): SignerTake;
  /** Signers currently tracked (bounded by activity in one window). */
  readonly size: number;
}

/** Create a per-signer limiter. */
export function createSignerRateLimiter(opts: SignerRateLimiterOptions): SignerRateLimiter {
  if (!Number.isFinite(opts.max) || opts.max < 1) throw new RangeError(`max: expected a positive number, got ${opts.max}`);
  if (!Number.isFinite(opts.windowMs) || opts.windowMs < 1) throw new RangeError(`windowMs: expected a positive number, got ${opts.windowMs}`);
  const now = opts.now ?? Date.now;
  const windows = new Map<string, { count: number; resetAt: number }>();
  let nextSweep = now() + opts.windowMs;
  return {
    take(did) {
      const t = now();
      if (t >= nextSweep) {
        // Forget finished windows so the map holds only signers active in this window.
        for (const [k, w] of windows) if (w.resetAt <= t) windows.delete(k);
        nextSweep = t + opts.windowMs;
      }
      let w = windows.get(did);
      if (w === undefined || w.resetAt <= t) {
        w = { count: 0, resetAt: t + opts.windowMs };
        windows.set(did, w);
      }
      if (w.count >= opts.max) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((w.resetAt - t) / 1000)) };
      w.count++;
      return { ok: true, remaining: opts.max - w.count };
    },
    get size() {
      return windows.size;
    },
  };
}

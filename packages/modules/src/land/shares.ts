/**
 * Exact ownership shares: positive rationals written "n/d" in lowest terms ("1/1" is the
 * whole parcel), computed with BigInt so that shares always sum to exactly 1 (no
 * floating point). Pure functions.
 */
import { GovchainError } from '@govchain/core';

/** A rational n/d with d > 0, in lowest terms. */
export interface Ratio {
  n: bigint;
  d: bigint;
}

/** One owner of a parcel and their share. */
export interface Holding {
  holder: string;
  share: string;
}

const SHARE = /^(0|[1-9][0-9]{0,17})\/([1-9][0-9]{0,17})$/;

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** Normalise n/d to lowest terms (d > 0). */
export function ratio(n: bigint, d: bigint): Ratio {
  if (d === 0n) throw new RangeError('denominator is zero');
  if (d < 0n) [n, d] = [-n, -d];
  const g = gcd(n, d) || 1n;
  return { n: n / g, d: d / g };
}

/** Parse "n/d"; throws `land.invalid_share` naming `field`. */
export function parseShare(s: string, field = '/body/payload/share'): Ratio {
  const m = SHARE.exec(s);
  if (m === null) throw new GovchainError('land.invalid_share', `share "${s}" is not a fraction n/d`, { field });
  return ratio(BigInt(m[1]!), BigInt(m[2]!));
}

/** "n/d" in lowest terms. */
export function formatShare(r: Ratio): string {
  const x = ratio(r.n, r.d);
  return `${x.n}/${x.d}`;
}

export const add = (a: Ratio, b: Ratio): Ratio => ratio(a.n * b.d + b.n * a.d, a.d * b.d);
export const sub = (a: Ratio, b: Ratio): Ratio => ratio(a.n * b.d - b.n * a.d, a.d * b.d);
/** -1, 0 or 1. */
export const compare = (a: Ratio, b: Ratio): number => {
  const x = a.n * b.d - b.n * a.d;
  return x < 0n ? -1 : x > 0n ? 1 : 0;
};
export const ONE: Ratio = { n: 1n, d: 1n };
export const ZERO: Ratio = { n: 0n, d: 1n };

/** The sum of the holdings' shares. */
export function totalShares(owners: readonly Holding[]): Ratio {
  return owners.reduce((acc, o) => add(acc, parseShare(o.share)), ZERO);
}

/**
 * Canonical holdings: one entry per holder, positive shares in lowest terms, sorted by
 * holder; throws `land.shares_not_one` unless they sum to exactly 1.
 */
export function normaliseHoldings(owners: readonly Holding[], field = '/body/payload/owners'): Holding[] {
  const by = new Map<string, Ratio>();
  for (const [i, o] of owners.entries()) {
    const s = parseShare(o.share, `${field}/${i}/share`);
    if (s.n <= 0n) throw new GovchainError('land.invalid_share', `share of ${o.holder} must be positive`, { field: `${field}/${i}/share` });
    by.set(o.holder, add(by.get(o.holder) ?? ZERO, s));
  }
  const out = [...by.entries()].filter(([, s]) => s.n > 0n).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([holder, s]) => ({ holder, share: formatShare(s) }));
  const total = totalShares(out);
  if (compare(total, ONE) !== 0) throw new GovchainError('land.shares_not_one', `shares sum to ${formatShare(total)}, not 1`, { field });
  return out;
}

/**
 * Move `share` of the parcel from `seller` to `buyer`; throws `land.insufficient_share`
 * when the seller holds less. The result still sums to 1.
 */
export function moveShare(owners: readonly Holding[], seller: string, buyer: string, share: Ratio): Holding[] {
  const held = owners.find((o) => o.holder === seller);
  const has = held === undefined ? ZERO : parseShare(held.share);
  if (compare(has, share) < 0) throw new GovchainError('land.insufficient_share', `${seller} holds ${formatShare(has)} of the parcel, less than ${formatShare(share)}`);
  const rest = sub(has, share);
  const next: Holding[] = owners.filter((o) => o.holder !== seller);
  if (rest.n > 0n) next.push({ holder: seller, share: formatShare(rest) });
  next.push({ holder: buyer, share: formatShare(share) });
  return normaliseHoldings(next);
}

/**
 * RFC 8785 JSON Canonicalization Scheme (JCS), UTF-8 encoded.
 *
 * Our own serializer: it runs several times per transaction on every node (signed bodies,
 * stored envelopes, state values, receipts), so it is written for speed, in one pass with
 * no intermediate arrays. It follows the RFC exactly as ECMAScript defines it: strings and
 * numbers are serialised by `JSON.stringify` (RFC 8785 s.3.2.2 is ECMAScript's algorithm),
 * object members sorted by UTF-16 code units (`Array.prototype.sort`'s default order).
 * What JCS cannot represent throws `codec.not_canonicalizable`: NaN and infinities, lone
 * surrogates, bigints, cycles (as nesting deeper than 1,000), a top-level undefined or
 * function. Inside objects, undefined, function and symbol members are skipped and, in
 * arrays, become `null`, as `JSON.stringify` does. The RFC's examples are known-answer
 * tests, and a fuzz test checks it against the `canonicalize` package by the RFC's
 * co-author.
 */
import { utf8 } from './bytes.js';
import { GovchainError } from './errors.js';

/** JSON value as it may appear in a transaction or in state. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

const MAX_DEPTH = 1000;
const SURROGATE = /[\ud800-\udfff]/;

function refuse(message: string): never {
  throw new GovchainError('codec.not_canonicalizable', `value cannot be canonicalized: ${message}`);
}

function hasLoneSurrogate(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff) return true;
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (d < 0xdc00 || d > 0xdfff) return true;
      i++;
    }
  }
  return false;
}

function str(s: string): string {
  if (SURROGATE.test(s) && hasLoneSurrogate(s)) refuse('lone surrogate in a string');
  return JSON.stringify(s);
}

// Member names repeat (every envelope has "body", "signer", "payload"...): their quoted form
// is kept, so the common case is one map lookup instead of a regular expression and a new
// string. Bounded: cleared when full, as any name can be a member name.
const QUOTED_LIMIT = 4096;
const quoted = new Map<string, string>();

function memberName(k: string): string {
  let q = quoted.get(k);
  if (q === undefined) {
    q = str(k);
    if (quoted.size >= QUOTED_LIMIT) quoted.clear();
    quoted.set(k, q);
  }
  return q;
}

/**
 * Sort member names in place by UTF-16 code units (what `Array.prototype.sort` does by
 * default, and what the `<` operator compares). Objects here have a handful of members, for
 * which an insertion sort is faster than the built-in sort and allocates nothing.
 */
function sortNames(keys: string[]): string[] {
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > k) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = k;
  }
  return keys;
}

function skipped(v: unknown): boolean {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol';
}

function enc(v: unknown, depth: number): string {
  switch (typeof v) {
    case 'string':
      return str(v);
    case 'number':
      if (!Number.isFinite(v)) refuse(`${v} is not a JSON number`);
      return JSON.stringify(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object': {
      if (v === null) return 'null';
      if (depth > MAX_DEPTH) refuse(`nesting deeper than ${MAX_DEPTH} (or a cycle)`);
      if (Array.isArray(v)) {
        let s = '[';
        for (let i = 0; i < v.length; i++) {
          if (i > 0) s += ',';
          const x: unknown = v[i];
          s += skipped(x) ? 'null' : enc(x, depth + 1);
        }
        return s + ']';
      }
      const o = v as { [key: string]: unknown; toJSON?: unknown };
      if (typeof o.toJSON === 'function') return enc((o.toJSON as () => unknown)(), depth + 1);
      const keys = sortNames(Object.keys(o));
      let s = '{';
      let first = true;
      for (const k of keys) {
        const x = o[k];
        if (skipped(x)) continue;
        if (!first) s += ',';
        first = false;
        s += memberName(k) + ':' + enc(x, depth + 1);
      }
      return s + '}';
    }
    default:
      return refuse(typeof v === 'bigint' ? 'bigint is not a JSON number' : `${typeof v} is not JSON`);
  }
}

/** The canonical JSON text of `value` (RFC 8785). */
export function canonicalJson(value: unknown): string {
  if (skipped(value)) refuse(`${typeof value} is not JSON`);
  return enc(value, 0);
}

/** The canonical UTF-8 bytes of `value` (RFC 8785). */
export function canonicalBytes(value: unknown): Uint8Array {
  return utf8(canonicalJson(value));
}

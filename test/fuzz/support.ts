/**
 * Shared pieces of the property-based fuzz suite (fast-check): the case count, timing
 * and reporting of each target, the rule that untrusted input may only raise a
 * GovchainError with a documented code, and generic mutators of valid inputs.
 *
 * Case count: GOVCHAIN_FUZZ_RUNS (default 2,000 per target, the smoke run inside
 * `npm test`; `npm run test:fuzz` sets 100,000). GOVCHAIN_FUZZ_SEED replays a failure.
 */
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { GovchainError, toHex, type SmtNode, type SmtNodeEntry, type SmtNodeReader } from '@govchain/core';

/**
 * A small state-map node store over a Map: the slab-backed MemorySmtStore reserves
 * megabytes up front, too much to build one per generated case.
 */
export class MapSmtStore implements SmtNodeReader {
  private readonly nodes = new Map<string, SmtNode>();
  getNode(hash: Uint8Array): SmtNode | undefined {
    return this.nodes.get(toHex(hash));
  }
  put(entries: Iterable<SmtNodeEntry>): void {
    for (const e of entries) this.nodes.set(toHex(e.hash), e.node);
  }
}

/** Generated cases per target. */
export const FUZZ_RUNS = Number(process.env.GOVCHAIN_FUZZ_RUNS ?? 2000);
if (!Number.isSafeInteger(FUZZ_RUNS) || FUZZ_RUNS < 1) throw new Error(`GOVCHAIN_FUZZ_RUNS must be a positive integer, got ${process.env.GOVCHAIN_FUZZ_RUNS}`);

const root = new URL('../../..', import.meta.url).pathname;

/** Every error code listed in docs/errors.md. */
export const DOCUMENTED_CODES: ReadonlySet<string> = new Set(
  [...readFileSync(join(root, 'docs/errors.md'), 'utf8').matchAll(/`([a-z_]+\.[a-z_]+)`/g)].map((m) => m[1]!),
);

/**
 * Check that `e` is a GovchainError with a documented code (and one of `allowed` when
 * given); otherwise fail with the error itself, so a crash is reported with its stack.
 */
export function assertGovchainError(e: unknown, allowed?: readonly string[]): asserts e is GovchainError {
  if (!(e instanceof GovchainError)) {
    throw new Error(`threw a non-GovchainError: ${(e as Error)?.stack ?? String(e)}`);
  }
  assert.ok(DOCUMENTED_CODES.has(e.code), `undocumented error code ${e.code}`);
  if (allowed !== undefined) assert.ok(allowed.includes(e.code), `unexpected code ${e.code} (${e.message}); allowed: ${allowed.join(', ')}`);
}

/** Run `fn`; return its value, or undefined when it threw an allowed GovchainError. */
export function refusesCleanly<T>(fn: () => T, allowed?: readonly string[]): T | undefined {
  try {
    return fn();
  } catch (e) {
    assertGovchainError(e, allowed);
    return undefined;
  }
}

/** Run one fuzz target: `runs` cases (default FUZZ_RUNS), timed and reported on stdout. */
export async function fuzz<T>(name: string, property: fc.IProperty<T> | fc.IAsyncProperty<T>, opts: { runs?: number } = {}): Promise<void> {
  const runs = opts.runs ?? FUZZ_RUNS;
  const seed = process.env.GOVCHAIN_FUZZ_SEED === undefined ? undefined : Number(process.env.GOVCHAIN_FUZZ_SEED);
  const params: fc.Parameters<T> = { numRuns: runs, ...(seed === undefined ? {} : { seed }) };
  const t0 = performance.now();
  try {
    if (property.isAsync()) await fc.assert(property as fc.IAsyncProperty<T>, params);
    else fc.assert(property as fc.IProperty<T>, params);
  } catch (e) {
    // Keep the report readable: the seed, a clipped counterexample and the real error.
    const text = String((e as Error).message);
    const seedLine = /\{ seed: [^}]*\}/.exec(text)?.[0] ?? '';
    const example = /Counterexample: (.*)/.exec(text)?.[1] ?? '';
    const cause = (e as Error).cause as Error | undefined;
    throw new Error(`fuzz ${name} failed ${seedLine}\ncounterexample: ${example.slice(0, 1500)}${example.length > 1500 ? '...' : ''}\nerror: ${cause?.stack ?? cause ?? text.slice(0, 2000)}`);
  }
  const seconds = (performance.now() - t0) / 1000;
  const line = `fuzz ${name}: ${runs} cases in ${seconds.toFixed(2)} s (${Math.round(runs / seconds)} cases/s)`;
  process.stdout.write(`${line}\n`);
  if (process.env.GOVCHAIN_FUZZ_REPORT !== undefined) appendFileSync(process.env.GOVCHAIN_FUZZ_REPORT, JSON.stringify({ target: name, cases: runs, seconds: Number(seconds.toFixed(3)) }) + '\n');
}

/**
 * A fixed pool of `n` values drawn once from `arb` (seeded): for inputs that are costly
 * to make (signed bundles, signed notes), so the cases spend their time on the mutations.
 */
export function pool<T>(arb: fc.Arbitrary<T>, n: number, seed = 20261125): fc.Arbitrary<T> {
  return fc.constantFrom(...fc.sample(arb, { numRuns: n, seed }));
}

/** How a JSON value is changed by {@link mutateJson}. */
export type JsonMutation = { op: 'replace' | 'delete' | 'insert' | 'retype'; at: number; value: unknown; key: string };

/** Arbitrary JSON mutations (applied to a valid input by {@link mutateJson}). */
export const jsonMutation: fc.Arbitrary<JsonMutation> = fc.record({
  op: fc.constantFrom('replace', 'delete', 'insert', 'retype'),
  at: fc.nat(),
  value: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(-1, 0, 1.5, 2 ** 53, '', 'x'.repeat(300), [], {}, null, true, '\u0000', '\ud800', '__proto__')),
  key: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('__proto__', 'constructor', 'body', 'payload', 'digest', 'sig', 'kid')),
});

type Slot = { parent: Record<string, unknown> | unknown[]; key: string | number };

function slots(value: unknown, out: Slot[] = []): Slot[] {
  if (Array.isArray(value)) value.forEach((v, i) => (out.push({ parent: value, key: i }), slots(v, out)));
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) out.push({ parent: value as Record<string, unknown>, key: k }), slots(v, out);
  return out;
}

/** A deep copy of `value` with 1..n mutations applied at pseudo-random places. */
export function mutateJson<T>(value: T, mutations: readonly JsonMutation[]): unknown {
  let copy: unknown = structuredClone(value);
  for (const m0 of mutations) {
    // Never share the generated value: fast-check reuses it while shrinking.
    const m = { ...m0, value: structuredClone(m0.value) };
    const all = slots(copy);
    if (all.length === 0) {
      copy = m.value;
      continue;
    }
    const s = all[m.at % all.length]!;
    const cur = (s.parent as any)[s.key];
    switch (m.op) {
      case 'replace':
        (s.parent as any)[s.key] = m.value;
        break;
      case 'delete':
        if (Array.isArray(s.parent)) s.parent.splice(s.key as number, 1);
        else delete (s.parent as any)[s.key];
        break;
      case 'insert':
        if (Array.isArray(cur)) cur.push(m.value);
        else if (typeof cur === 'object' && cur !== null) Object.defineProperty(cur, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
        else (s.parent as any)[s.key] = [cur, m.value];
        break;
      case 'retype':
        (s.parent as any)[s.key] = typeof cur === 'string' ? (cur.length > 0 ? cur.slice(0, -1) + String.fromCharCode(cur.charCodeAt(cur.length - 1) ^ 1) : 0) : typeof cur === 'number' ? String(cur) : typeof cur === 'object' && cur !== null ? JSON.stringify(cur) : `${cur}`;
        break;
    }
  }
  return copy;
}

/** How a text is changed by {@link mutateText}. */
export type TextMutation = { op: 'flip' | 'delete' | 'insert' | 'duplicate-line' | 'swap-lines'; at: number; len: number; text: string };

/** Arbitrary text mutations. */
export const textMutation: fc.Arbitrary<TextMutation> = fc.record({
  op: fc.constantFrom('flip', 'delete', 'insert', 'duplicate-line', 'swap-lines'),
  at: fc.nat(),
  len: fc.integer({ min: 1, max: 8 }),
  text: fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('\n', '\n\n', '\u2014 ', ' ', '+', '=', '\r', '\u0000', '\ud800', 'A', '0')),
});

/** `text` with the mutations applied. */
export function mutateText(text: string, mutations: readonly TextMutation[]): string {
  let t = text;
  for (const m of mutations) {
    const at = t.length === 0 ? 0 : m.at % t.length;
    switch (m.op) {
      case 'flip':
        t = t.slice(0, at) + String.fromCharCode(t.charCodeAt(at) ^ (1 << (m.len % 7))) + t.slice(at + 1);
        break;
      case 'delete':
        t = t.slice(0, at) + t.slice(at + m.len);
        break;
      case 'insert':
        t = t.slice(0, at) + m.text + t.slice(at);
        break;
      case 'duplicate-line':
      case 'swap-lines': {
        const lines = t.split('\n');
        const i = m.at % lines.length;
        const j = (m.at + m.len) % lines.length;
        if (m.op === 'duplicate-line') lines.splice(i, 0, lines[i]!);
        else [lines[i], lines[j]] = [lines[j]!, lines[i]!];
        t = lines.join('\n');
        break;
      }
    }
  }
  return t;
}

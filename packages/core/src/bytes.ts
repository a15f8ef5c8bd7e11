/**
 * Byte helpers: hex (lowercase), base64 (RFC 4648 s.4) and base64url (s.5, no padding),
 * UTF-8, concatenation and comparison. Browser-safe: built on @scure/base and TextEncoder.
 */
import { base64, base64urlnopad, hex } from '@scure/base';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  return hex.encode(bytes);
}

/** Decode lowercase or uppercase hex; throws TypeError on bad input. */
export function fromHex(text: string): Uint8Array {
  if (typeof text !== 'string') throw new TypeError('fromHex: expected a string');
  return hex.decode(text.toLowerCase());
}

/** Standard base64 with padding (RFC 4648 s.4). */
export function toBase64(bytes: Uint8Array): string {
  return base64.encode(bytes);
}

/** Decode standard base64; throws on bad input. */
export function fromBase64(text: string): Uint8Array {
  if (typeof text !== 'string') throw new TypeError('fromBase64: expected a string');
  return base64.decode(text);
}

/** base64url without padding (RFC 4648 s.5). */
export function toBase64Url(bytes: Uint8Array): string {
  return base64urlnopad.encode(bytes);
}

/** Decode base64url without padding; throws on bad input. */
export function fromBase64Url(text: string): Uint8Array {
  if (typeof text !== 'string') throw new TypeError('fromBase64Url: expected a string');
  return base64urlnopad.decode(text);
}

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Decode strict UTF-8 (throws on invalid sequences). */
export function fromUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** Concatenate byte arrays. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Constant-shape equality of two byte arrays. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Throw a RangeError unless `bytes` is a Uint8Array of exactly `length` bytes. */
export function assertBytes(bytes: unknown, length: number | undefined, name: string): asserts bytes is Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${name}: expected Uint8Array`);
  if (length !== undefined && bytes.length !== length) {
    throw new RangeError(`${name}: expected ${length} bytes, got ${bytes.length}`);
  }
}

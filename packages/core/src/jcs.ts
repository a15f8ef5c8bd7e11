/**
 * RFC 8785 JSON Canonicalization Scheme (JCS), UTF-8 encoded.
 * Delegates to `canonicalize` (by the RFC's co-author); we add the byte encoding and
 * a stable error code.
 */
import canonicalize from 'canonicalize';
import { utf8 } from './bytes.js';
import { GovchainError } from './errors.js';

/** JSON value as it may appear in a transaction or in state. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** The canonical JSON text of `value` (RFC 8785). */
export function canonicalJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = canonicalize(value);
  } catch (e) {
    throw new GovchainError('codec.not_canonicalizable', `value cannot be canonicalized: ${(e as Error).message}`, { cause: e });
  }
  if (text === undefined) throw new GovchainError('codec.not_canonicalizable', 'value cannot be canonicalized: undefined');
  return text;
}

/** The canonical UTF-8 bytes of `value` (RFC 8785). */
export function canonicalBytes(value: unknown): Uint8Array {
  return utf8(canonicalJson(value));
}

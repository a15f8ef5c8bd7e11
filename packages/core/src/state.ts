/**
 * How module state maps onto the authenticated state map (docs/state-proofs.md):
 * map key = SHA-256(utf8(module) || 0x00 || utf8(key)), value hash = SHA-256(JCS(value)).
 */
import { concatBytes, utf8 } from './bytes.js';
import { sha256 } from './crypto.js';
import { canonicalBytes, type JsonValue } from './jcs.js';

/** Module names: lowercase identifiers. */
export const MODULE_NAME_PATTERN = /^[a-z][a-z0-9_]{0,31}$/;
/** Longest state key, in UTF-16 code units. */
export const MAX_STATE_KEY_LENGTH = 512;

/** The 32-byte map key of `key` in `module`. */
export function stateMapKey(module: string, key: string): Uint8Array {
  return sha256(concatBytes(utf8(module), new Uint8Array([0]), utf8(key)));
}

/** The 32-byte value hash of a JSON value. */
export function stateValueHash(value: JsonValue): Uint8Array {
  return sha256(canonicalBytes(value));
}

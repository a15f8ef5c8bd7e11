/**
 * Salted commitments to personal attributes (docs/did-gov.md). The ledger records only
 * `commitment = hex SHA-256(JCS({"attribute", "salt", "value"}))`; the person keeps the value
 * and the salt (16+ random bytes, base64url) and can later prove the fact to a verifier by
 * revealing both, for that one attribute only. Without the salt the commitment reveals
 * nothing, even for guessable values such as birth dates.
 */
import { randomBytes } from './crypto.js';
import { sha256 } from './crypto.js';
import { toBase64Url, toHex } from './bytes.js';
import { canonicalBytes } from './jcs.js';

/** An opened commitment: what the person keeps. */
export interface AttributeOpening {
  attribute: string;
  value: string;
  salt: string;
}

/** The commitment of an opening. */
export function commitAttribute(o: AttributeOpening): string {
  return toHex(sha256(canonicalBytes({ attribute: o.attribute, salt: o.salt, value: o.value })));
}

/** A fresh opening with a random 16-byte salt. */
export function openAttribute(attribute: string, value: string): AttributeOpening {
  return { attribute, value, salt: toBase64Url(randomBytes(16)) };
}

/** True when `o` opens `commitment`. */
export function verifyAttribute(o: AttributeOpening, commitment: string): boolean {
  return typeof o?.salt === 'string' && o.salt.length >= 22 && commitAttribute(o) === commitment;
}

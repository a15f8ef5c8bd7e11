/**
 * Sign-in by challenge-response (docs/did-gov.md): the message a person signs with a key
 * their DID lists. Shared by the node (verifier) and clients (signers).
 */
import { canonicalBytes } from './jcs.js';

/** JCS({"chain", "did", "expires", "nonce", "type": "govchain.login"}). */
export function loginMessage(chain: string, did: string, nonce: string, expires: string): Uint8Array {
  return canonicalBytes({ type: 'govchain.login', chain, did, nonce, expires });
}

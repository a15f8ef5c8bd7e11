/**
 * Sign-in by challenge-response (docs/did-gov.md): ask the node for a nonce, sign it with
 * a key the DID lists (any `Signer`: key file, non-extractable WebCrypto key, HSM), and
 * receive a short-lived token. The token identifies the caller to the API and portal; it
 * never authorises a ledger write (those are signed transactions).
 */
import { GovchainError, loginMessage, toBase64Url, type Signer } from '@govchain/core';
import type { GovchainClient } from './client.js';

/** What the node returns on sign-in. */
export interface Session {
  token: string;
  did: string;
  expiresIn: number;
  kind: string;
  roles: string[];
  agency?: string;
}

async function post<T>(url: string, body: unknown): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json()) as T & { code?: string; detail?: string };
  if (!res.ok) throw new GovchainError(json.code ?? 'client.http', json.detail ?? `HTTP ${res.status}`);
  return json;
}

/** Sign in as `signer` at the node of `client`. */
export async function signIn(client: GovchainClient, signer: Signer): Promise<Session> {
  const c = await post<{ nonce: string; expires: string; chain: string }>(`${client.url}/v1/auth/challenge`, { did: signer.did });
  const sig = await signer.sign(loginMessage(c.chain, signer.did, c.nonce, c.expires));
  return post<Session>(`${client.url}/v1/auth/login`, { did: signer.did, kid: signer.kid, nonce: c.nonce, expires: c.expires, sig: toBase64Url(sig) });
}

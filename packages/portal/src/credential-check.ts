/**
 * Credential verification in the browser, with the SDK's credentials entry (loaded lazily:
 * it carries the SD-JWT libraries, which only the credential pages need). The trust
 * snapshot (`GET /v1/credentials/trust`: agencies and status lists with state proofs) is
 * checked against the validator keys this browser pinned, and the ledger record of the
 * credential's digest is read with its own state proof; nothing is taken on the node's word.
 */
import { fromBase64Url } from '@govchain/core';
import type { CredentialTrustSnapshot, CredentialVerification } from '@govchain/sdk/credentials';
import type { Trust } from './chain.js';
import { verifiedState } from './session.js';

/** The lazily loaded credentials entry of the SDK. */
export const credentialsSdk = (): Promise<typeof import('@govchain/sdk/credentials')> => import('@govchain/sdk/credentials');

/** A verification result with the ledger time of the state it was checked against. */
export interface CredentialCheck extends CredentialVerification {
  checkpointTime?: string;
}

/** Verify a presentation or `GCVC1:` QR payload against proven ledger state. Never throws for a bad credential. */
export async function checkCredential(payload: string, trust: Trust): Promise<CredentialCheck> {
  const sdk = await credentialsSdk();
  let digest: string | undefined;
  try {
    digest = sdk.credentialDigest(sdk.decodeCredentialQr(payload));
  } catch {
    digest = undefined;
  }
  let source;
  try {
    const res = await fetch('/v1/credentials/trust', { headers: { accept: 'application/json' } });
    if (!res.ok) throw new Error(`HTTP ${res.status} from /v1/credentials/trust`);
    source = sdk.trustFromSnapshot((await res.json()) as CredentialTrustSnapshot, { quorum: trust.quorum, vkeys: trust.vkeys });
  } catch (e) {
    return { valid: false, code: 'vc.bad_snapshot', reason: (e as Error).message };
  }
  let record: { issuer: string; height: number } | null = null;
  if (digest !== undefined) {
    try {
      record = (await verifiedState<{ issuer: string; height: number }>('services', `credential/${digest}`, trust)).value;
    } catch (e) {
      return { valid: false, code: 'light.proof_invalid', reason: (e as Error).message, digest };
    }
  }
  const result = await sdk.verifyCredential(payload, { ...source, credential: (d) => (d === digest ? record : null) });
  return { ...result, checkpointTime: source.checkpointTime };
}

/** The claims of an SD-JWT (unverified), for choosing what to disclose: the disclosable ones by name. */
export function disclosableClaims(sdJwt: string): Array<{ name: string; value: unknown }> {
  const out: Array<{ name: string; value: unknown }> = [];
  for (const part of sdJwt.split('~').slice(1)) {
    if (part === '') continue;
    try {
      const arr = JSON.parse(new TextDecoder().decode(fromBase64Url(part))) as unknown[];
      if (arr.length === 3 && typeof arr[1] === 'string') out.push({ name: arr[1], value: arr[2] });
    } catch {
      // not a disclosure
    }
  }
  return out;
}


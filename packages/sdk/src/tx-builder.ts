/** Building transaction bodies: chain, nonce and optional expiry filled in. */
import { randomBytes, toHex, type JsonValue, type TxBody } from '@govchain/core';

/** Parameters of {@link buildTxBody}. */
export interface BuildTxParameters {
  chain: string;
  type: string;
  signer: string;
  payload: { [key: string]: JsonValue };
  /** Default: 16 random bytes, hex. */
  nonce?: string;
  /** Expiry as a Date or RFC 3339 string. */
  expires?: Date | string;
}

/** Build a transaction body with a fresh random nonce. */
export function buildTxBody(p: BuildTxParameters): TxBody {
  const body: TxBody = { chain: p.chain, type: p.type, signer: p.signer, nonce: p.nonce ?? toHex(randomBytes(16)), payload: p.payload };
  if (p.expires !== undefined) body.expires = typeof p.expires === 'string' ? p.expires : p.expires.toISOString();
  return body;
}

/**
 * Credential status lists on the ledger: a bitstring of 2 bits per credential, as in the
 * IETF Token Status List draft (draft-ietf-oauth-status-list: 0 valid, 1 invalid
 * (revoked), 2 suspended), stored in state `statuslist/<issuer>/<list>` of module
 * `services` and changed only by the issuer's signed transactions. Pure.
 */
import { GovchainError, fromBase64, toBase64, type StateReader } from '@govchain/core';

/** Entries per list. */
export const STATUS_LIST_SIZE = 4096;

/** Credential statuses and their 2-bit values. */
export const CREDENTIAL_STATUS = { valid: 0, revoked: 1, suspended: 2 } as const;
export type CredentialStatus = keyof typeof CREDENTIAL_STATUS;

/** A status list record. */
export interface StatusListRecord {
  issuer: string;
  list: string;
  size: number;
  /** 2 bits per entry, entry i at bits (2i mod 8) of byte floor(i/4), base64. */
  bits: string;
  updated: number;
}

export const statusListKey = (issuer: string, list: string): string => `statuslist/${issuer}/${list}`;

/** A fresh list: every entry valid. */
export function emptyStatusList(issuer: string, list: string, height: number): StatusListRecord {
  return { issuer, list, size: STATUS_LIST_SIZE, bits: toBase64(new Uint8Array(STATUS_LIST_SIZE / 4)), updated: height };
}

/** The status of entry `idx`. */
export function statusAt(list: StatusListRecord, idx: number): CredentialStatus {
  if (!Number.isInteger(idx) || idx < 0 || idx >= list.size) throw new RangeError(`idx must be 0..${list.size - 1}`);
  const v = (fromBase64(list.bits)[idx >> 2]! >> ((idx & 3) * 2)) & 3;
  return (Object.keys(CREDENTIAL_STATUS) as CredentialStatus[]).find((k) => CREDENTIAL_STATUS[k] === v) ?? 'revoked';
}

/** A copy of the list with entry `idx` set to `status`. */
export function withStatus(list: StatusListRecord, idx: number, status: CredentialStatus, height: number): StatusListRecord {
  if (!Number.isInteger(idx) || idx < 0 || idx >= list.size) throw new GovchainError('services.bad_status_index', `idx must be 0..${list.size - 1}`, { field: '/body/payload/idx' });
  const bytes = fromBase64(list.bits);
  const shift = (idx & 3) * 2;
  bytes[idx >> 2] = (bytes[idx >> 2]! & ~(3 << shift)) | (CREDENTIAL_STATUS[status] << shift);
  return { ...list, bits: toBase64(bytes), updated: height };
}

/** Read a status list. */
export function readStatusList(state: StateReader, issuer: string, list: string): StatusListRecord | undefined {
  return state.get('services', statusListKey(issuer, list)) as StatusListRecord | undefined;
}

/**
 * Genesis: the facts a chain starts from (its id, its first validators, its start time),
 * fixed in `<data>/genesis.json` and identical on every node of a network.
 */
import { readFileSync } from 'node:fs';
import { GovchainError, canonicalBytes, fromBase64, sha256, toHex } from '@govchain/core';
import { AUTHORITIES } from '@govchain/modules';

/** A validator: a name (signed-note key name) and its Ed25519 public key (base64). */
export interface GenesisValidator {
  name: string;
  publicKey: string;
}

/** A founding agency: a name, its first key (base64url) and its authorities. */
export interface GenesisAgency {
  name: string;
  publicKey: string;
  authorities: string[];
}

/** The genesis document. */
export interface Genesis {
  chainId: string;
  time: string;
  validators: GenesisValidator[];
  /** Founding member agencies (did:gov identities derived from their keys). */
  agencies?: GenesisAgency[];
  /** Governance policy: approvals needed for a proposal (default: a majority of agencies). */
  governance?: { threshold: number };
}

/** Validator names are signed-note key names: no spaces, no '+'. */
export const VALIDATOR_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Chain ids: lowercase, digits, dashes and dots. */
export const CHAIN_ID_PATTERN = /^[a-z0-9][a-z0-9.-]{0,63}$/;

/** Check a genesis document and return it typed; throws `genesis.invalid`. */
export function parseGenesis(value: unknown): Genesis {
  const g = value as Genesis;
  const bad = (why: string): never => {
    throw new GovchainError('genesis.invalid', `genesis: ${why}`);
  };
  if (typeof g !== 'object' || g === null) bad('not an object');
  if (typeof g.chainId !== 'string' || !CHAIN_ID_PATTERN.test(g.chainId)) bad('chainId must match ' + CHAIN_ID_PATTERN);
  if (typeof g.time !== 'string' || Number.isNaN(Date.parse(g.time))) bad('time must be RFC 3339');
  if (!Array.isArray(g.validators) || g.validators.length === 0) bad('at least one validator is needed');
  const names = new Set<string>();
  for (const v of g.validators) {
    if (typeof v?.name !== 'string' || !VALIDATOR_NAME_PATTERN.test(v.name)) bad(`validator name ${JSON.stringify(v?.name)} is invalid`);
    if (names.has(v.name)) bad(`validator ${v.name} listed twice`);
    names.add(v.name);
    let key: Uint8Array | undefined;
    try {
      key = fromBase64(v.publicKey);
    } catch {
      key = undefined;
    }
    if (key?.length !== 32) bad(`validator ${v.name} public key must be 32 bytes of base64`);
  }
  const agencyKeys = new Set<string>();
  for (const a of g.agencies ?? []) {
    if (typeof a?.name !== 'string' || a.name.length === 0 || a.name.length > 120) bad('agency name must be 1-120 characters');
    if (typeof a.publicKey !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(a.publicKey)) bad(`agency ${a.name} publicKey must be 32 bytes of base64url`);
    if (agencyKeys.has(a.publicKey)) bad(`agency key of ${a.name} listed twice`);
    agencyKeys.add(a.publicKey);
    if (!Array.isArray(a.authorities) || !a.authorities.every((x) => AUTHORITIES.includes(x))) bad(`agency ${a.name} authorities must be among ${AUTHORITIES.join(', ')}`);
  }
  if (g.governance !== undefined) {
    const n = g.agencies?.length ?? 0;
    if (!Number.isInteger(g.governance.threshold) || g.governance.threshold < 1 || g.governance.threshold > Math.max(n, 1)) bad(`governance.threshold must be 1-${Math.max(n, 1)}`);
  }
  return g;
}

/** Read and check `<path>`. */
export function readGenesis(path: string): Genesis {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new GovchainError('genesis.invalid', `cannot read genesis ${path}: ${(e as Error).message}`);
  }
  return parseGenesis(raw);
}

/** hex SHA-256 of JCS(genesis): the identity of a chain's starting point. */
export function genesisHash(g: Genesis): string {
  return toHex(sha256(canonicalBytes(g)));
}

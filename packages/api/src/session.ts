/**
 * Sign-in sessions: the node's ephemeral EdDSA key that signs the short-lived tokens of
 * `POST /v1/auth/login` (docs/did-gov.md), shared by every route that needs to know who
 * is asking. A token names a DID; it never authorises a ledger write, and routes that
 * gate reads re-check roles against current state rather than trusting the token's claims.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { jwtVerify } from 'jose';
import { GovchainError } from '@govchain/core';
import type { GovchainNode } from '@govchain/node';

/** The session key and token issuer of one node. */
export interface SessionKeys {
  issuer: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

const sessions = new WeakMap<GovchainNode, SessionKeys>();

/** The session keys of `node` (created on first use; they live as long as the process). */
export function sessionKeys(node: GovchainNode): SessionKeys {
  let s = sessions.get(node);
  if (s === undefined) {
    const pair = generateKeyPairSync('ed25519');
    s = { issuer: `govchain:${node.chainId}`, privateKey: pair.privateKey, publicKey: pair.publicKey };
    sessions.set(node, s);
  }
  return s;
}

/** The DID a request's bearer token names, or `auth.token_invalid` (401). */
export async function bearerIdentity(node: GovchainNode, req: FastifyRequest): Promise<{ did: string; claims: Record<string, unknown> }> {
  const h = req.headers.authorization;
  if (typeof h !== 'string' || !h.startsWith('Bearer ')) throw new GovchainError('auth.token_invalid', 'send Authorization: Bearer <token> from /v1/auth/login');
  const s = sessionKeys(node);
  try {
    const { payload } = await jwtVerify(h.slice(7), s.publicKey, { issuer: s.issuer, algorithms: ['EdDSA'] });
    return { did: payload.sub!, claims: payload as Record<string, unknown> };
  } catch (e) {
    throw new GovchainError('auth.token_invalid', `token rejected: ${(e as Error).message}`);
  }
}

/** The bearer's DID when a token is sent, undefined when none is (invalid tokens still fail). */
export async function optionalBearer(node: GovchainNode, req: FastifyRequest): Promise<string | undefined> {
  if (req.headers.authorization === undefined) return undefined;
  return (await bearerIdentity(node, req)).did;
}

/**
 * Identity routes: DID resolution with state proofs, agencies and governance (reads), and
 * sign-in by challenge-response. Every write stays a signed transaction (POST /v1/txs);
 * the tokens issued here only tell the portal and API who is asking.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { GovchainError, loginMessage, fromBase64Url, isDid, parseKid, smtProofToJson, verifyEd25519, type JsonValue, type StateReader } from '@govchain/core';
import { didDocumentOf, didKeyDocument, readDidRecord, readGovernance, type DidRecord } from '@govchain/modules';
import type { GovchainNode } from '@govchain/node';
import { Type } from '@sinclair/typebox';
import { bearerIdentity, sessionKeys } from '../session.js';

const CHALLENGE_TTL_MS = 5 * 60_000;
const TOKEN_TTL_S = 15 * 60;
const MAX_CHALLENGES = 10_000;

const errors = { 400: { $ref: 'Problem#' }, 401: { $ref: 'Problem#' }, 404: { $ref: 'Problem#' } };
const DidParam = Type.Object({ did: Type.String({ minLength: 7, maxLength: 200 }) });
const ProofQuery = Type.Object({ proof: Type.Optional(Type.Union([Type.Literal('1'), Type.Literal('true'), Type.Literal('0'), Type.Literal('false')])) });


export const identityRoutes: FastifyPluginAsync<{ node: GovchainNode }> = async (app, { node }) => {
  const state: StateReader = { get: (m, k) => node.stateValue(m, k) };
  const where = (did: string): { module: string; key: string } =>
    node.stateValue('identity', `did/${did}`) !== undefined ? { module: 'identity', key: `did/${did}` } : { module: 'governance', key: `agency/${did}` };

  app.get(
    '/v1/dids/:did',
    {
      schema: {
        tags: ['identity'],
        summary: 'Resolve a DID (did:gov from the ledger, did:key from the key); ?proof=1 adds the state proof of its record',
        params: DidParam,
        querystring: ProofQuery,
      },
    },
    async (req) => {
      const { did } = req.params as { did: string };
      const q = req.query as { proof?: string };
      if (!isDid(did)) throw new GovchainError('did.invalid', 'not a DID', { field: '/params/did' });
      if (did.startsWith('did:key:')) return didKeyDocument(did);
      const loc = where(did);
      if (q.proof === '1' || q.proof === 'true') {
        const r = node.proveState(loc.module, loc.key);
        if (r.value === null) throw new GovchainError('did.not_found', `${did} is not on this ledger (as of the latest certified checkpoint)`);
        return { ...didDocumentOf(r.value as unknown as DidRecord), stateKey: loc, proof: smtProofToJson(r.proof), checkpoint: r.checkpoint.note };
      }
      const record = readDidRecord(state, did);
      if (record === undefined) throw new GovchainError('did.not_found', `${did} is not on this ledger`);
      return { ...didDocumentOf(record), stateKey: loc };
    },
  );

  app.get('/v1/agencies', { schema: { tags: ['identity'], summary: 'Member agencies (and removed ones) with their authorities' } }, async () => {
    const gov = readGovernance(state);
    const members = new Set(gov?.agencies ?? []);
    const agencies: JsonValue[] = [];
    for (const { key, value } of node.store.stateEntries('governance')) {
      if (!key.startsWith('agency/')) continue;
      const r = JSON.parse(value) as DidRecord;
      agencies.push({ did: r.did, name: r.name ?? '', authorities: r.authorities ?? [], member: members.has(r.did), created: r.created, ...(r.deactivated !== undefined ? { deactivated: r.deactivated } : {}) });
    }
    return { threshold: gov?.threshold ?? 0, agencies };
  });

  app.get('/v1/governance', { schema: { tags: ['identity'], summary: 'Validators, approval threshold and member agencies' } }, async () => readGovernance(state) ?? null);

  app.get(
    '/v1/governance/proposals/:id',
    { schema: { tags: ['identity'], summary: 'A governance proposal and its approvals', params: Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{64}$' }) }), response: { 404: { $ref: 'Problem#' } } } },
    async (req) => {
      const { id } = req.params as { id: string };
      const p = node.stateValue('governance', `proposal/${id}`);
      if (p === undefined) throw new GovchainError('governance.no_proposal', `no proposal ${id}`);
      return p;
    },
  );

  // ---- sign-in ----
  const session = sessionKeys(node);
  const challenges = new Map<string, { did: string; expires: number }>();
  const issuer = session.issuer;

  app.post(
    '/v1/auth/challenge',
    {
      schema: {
        tags: ['identity'],
        summary: 'Start a sign-in: a nonce for the DID to sign',
        body: Type.Object({ did: Type.String({ minLength: 7, maxLength: 200 }) }, { additionalProperties: false }),
        response: { 400: { $ref: 'Problem#' } },
      },
    },
    async (req) => {
      const { did } = req.body as { did: string };
      if (!isDid(did)) throw new GovchainError('did.invalid', 'not a DID', { field: '/body/did' });
      const now = Date.now();
      if (challenges.size >= MAX_CHALLENGES) {
        for (const [n, c] of challenges) if (c.expires < now || challenges.size >= MAX_CHALLENGES) challenges.delete(n);
      }
      const nonce = randomBytes(24).toString('base64url');
      const expires = new Date(now + CHALLENGE_TTL_MS).toISOString();
      challenges.set(nonce, { did, expires: now + CHALLENGE_TTL_MS });
      return { did, nonce, expires, chain: node.chainId, sign: 'Ed25519 over JCS({"chain","did","expires","nonce","type":"govchain.login"})' };
    },
  );

  app.post(
    '/v1/auth/login',
    {
      schema: {
        tags: ['identity'],
        summary: 'Finish a sign-in: the signed challenge for a short-lived token',
        body: Type.Object(
          { did: Type.String({ maxLength: 200 }), kid: Type.String({ maxLength: 240 }), nonce: Type.String({ maxLength: 64 }), expires: Type.String({ maxLength: 40 }), sig: Type.String({ maxLength: 100 }) },
          { additionalProperties: false },
        ),
        response: errors,
      },
    },
    async (req) => {
      const b = req.body as { did: string; kid: string; nonce: string; expires: string; sig: string };
      const c = challenges.get(b.nonce);
      challenges.delete(b.nonce);
      if (c === undefined || c.did !== b.did || c.expires < Date.now() || new Date(c.expires).toISOString() !== b.expires) {
        throw new GovchainError('auth.challenge_unknown', 'unknown, used or expired challenge; ask for a new one');
      }
      if (parseKid(b.kid).did !== b.did) throw new GovchainError('auth.bad_signature', 'kid does not belong to the DID', { field: '/body/kid' });
      let pub: Uint8Array;
      try {
        pub = node.registry.resolveKey(state, b.kid);
      } catch (e) {
        throw new GovchainError('auth.bad_signature', `cannot sign in with ${b.kid}: ${(e as Error).message}`, { field: '/body/kid' });
      }
      let sig: Uint8Array;
      try {
        sig = fromBase64Url(b.sig);
      } catch {
        throw new GovchainError('auth.bad_signature', 'sig must be base64url', { field: '/body/sig' });
      }
      if (!verifyEd25519(pub, loginMessage(node.chainId, b.did, b.nonce, b.expires), sig)) throw new GovchainError('auth.bad_signature', 'the signature does not verify', { field: '/body/sig' });
      const record = readDidRecord(state, b.did);
      const claims = { kind: record?.kind ?? 'key', roles: record?.roles ?? [], ...(record?.agency !== undefined ? { agency: record.agency } : {}) };
      const token = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'EdDSA' })
        .setIssuer(issuer)
        .setSubject(b.did)
        .setIssuedAt()
        .setExpirationTime(`${TOKEN_TTL_S}s`)
        .sign(session.privateKey);
      return { token, did: b.did, expiresIn: TOKEN_TTL_S, ...claims };
    },
  );

  const whoIs = (req: FastifyRequest) => bearerIdentity(node, req);

  app.get('/v1/auth/me', { schema: { tags: ['identity'], summary: 'Who the bearer token names, with their current record', response: { 401: { $ref: 'Problem#' } } } }, async (req) => {
    const { did, claims } = await whoIs(req);
    const record = readDidRecord(state, did);
    return { did, expires: new Date(Number(claims.exp) * 1000).toISOString(), record: (record as unknown as JsonValue) ?? null };
  });
};

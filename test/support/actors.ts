/** Test helpers for the registries: the demo cast as signing actors, signed transactions through the API, light-client proofs. */
import assert from 'node:assert/strict';
import {
  generateKeyPair,
  govDidFromPublicKey,
  randomBytes,
  sha256,
  utf8,
  signTxSync,
  smtProofFromJson,
  stateMapKey,
  stateValueHash,
  toBase64Url,
  toHex,
  verifyCheckpointNote,
  verifySmtProof,
  type JsonValue,
} from '@govchain/core';
import { readDemoIdentities, readKeyFile } from '@govchain/node';
import type { FastifyInstance } from 'fastify';

/** A signing identity: a DID and one of its keys. */
export interface Actor {
  did: string;
  kid: string;
  seed: Uint8Array;
}

/** The demo cast of a data folder, by name. */
export function demoActors(dir: string): Map<string, Actor> {
  return new Map(readDemoIdentities(dir).map((i) => {
    const k = readKeyFile(i.keyFile);
    return [i.name, { did: k.did, kid: k.kid, seed: k.seed }];
  }));
}

/** Every transaction type submitted through `send` (for coverage checks). */
export const sentTypes = new Set<string>();

/**
 * Submit a transaction signed by every actor (the first is the body's signer) through
 * POST /v1/txs?wait=commit; the outcome is 'ok' or the error code (receipt or problem).
 */
export async function send(app: FastifyInstance, chain: string, signers: Actor[], type: string, payload: Record<string, JsonValue>): Promise<string> {
  sentTypes.add(type);
  const env = signTxSync({ chain, type, signer: signers[0]!.did, nonce: toHex(randomBytes(8)), payload }, signers);
  const res = await app.inject({ method: 'POST', url: '/v1/txs?wait=commit', payload: env });
  const body = res.json();
  if (res.statusCode !== 200) return body.code as string;
  return body.status === 'ok' ? 'ok' : (body.code as string);
}

/** `send`, asserting success. */
export async function sendOk(app: FastifyInstance, chain: string, signers: Actor[], type: string, payload: Record<string, JsonValue>): Promise<void> {
  assert.equal(await send(app, chain, signers, type, payload), 'ok', `${type} by ${signers[0]!.did}`);
}

/** Register a new business (by an identity officer) and return it as an actor. */
export async function newBusiness(app: FastifyInstance, chain: string, identityOfficer: Actor): Promise<Actor> {
  const pair = generateKeyPair();
  const publicKey = toBase64Url(pair.publicKey);
  await sendOk(app, chain, [identityOfficer], 'identity.register_business', { publicKey, commitments: { name: toHex(randomBytes(32)) } });
  const did = govDidFromPublicKey(chain, pair.publicKey);
  return { did, kid: `${did}#key-1`, seed: pair.seed };
}

/**
 * What a light client does: fetch `<module>/<key>` with its proof, verify the checkpoint
 * against the validator keys and quorum, and the value against the checkpoint's state
 * root. Returns the proven value (asserting a forged value would not verify).
 */
export async function proveToLightClient(app: FastifyInstance, module: string, key: string): Promise<JsonValue> {
  const v = (await app.inject('/v1/validators')).json();
  const res = await app.inject(`/v1/state/${module}/${key}?proof=1`);
  assert.equal(res.statusCode, 200, res.body);
  const s = res.json();
  const { checkpoint } = verifyCheckpointNote(s.checkpoint, v.vkeys, v.quorum);
  assert.notEqual(s.value, null, `${module}/${key} is absent at the certified checkpoint`);
  const k = stateMapKey(module, key);
  assert.ok(verifySmtProof(checkpoint.stateRoot, k, stateValueHash(s.value), smtProofFromJson(s.proof)), `${module}/${key}: proof does not verify`);
  const forged = { ...(s.value as object), forged: true } as JsonValue;
  assert.ok(!verifySmtProof(checkpoint.stateRoot, k, stateValueHash(forged), smtProofFromJson(s.proof)), `${module}/${key}: a forged value verifies`);
  return s.value as JsonValue;
}

/** SHA-256 (hex) of a stand-in off-ledger document named `label`. */
export function digestOf(label: string): string {
  return toHex(sha256(utf8(label)));
}

/** RFC 3339 time `ms` milliseconds from now. */
export const fromNow = (ms: number): string => new Date(Date.now() + ms).toISOString();
/** Sleep. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

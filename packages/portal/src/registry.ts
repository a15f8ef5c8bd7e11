/**
 * Registry reads for the transparency pages. Registry routes (`/v1/procurement/...`,
 * `/v1/supply/...`, ...) only say which records exist; what a page shows as verified is
 * the value of each record proven against the state root of a quorum-verified
 * checkpoint by the SDK's light client (`verified.state`, docs/state-proofs.md), with the
 * validator keys this browser pinned. A proof that does not check throws, and the page
 * shows the reason as a red warning.
 */
import { canonicalJson, type Checkpoint, type JsonValue } from '@govchain/core';
import { createLightClient, GovchainApiError, type LightClient } from '@govchain/sdk';
import { client, type Trust } from './chain.js';
import { VerificationError } from './verify.js';

/** GET a JSON API path of the node serving the portal (unverified; `undefined` on 404). */
export async function getJson<T>(path: string): Promise<T | undefined> {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  if (res.status === 404) return undefined;
  if (!res.ok) {
    let detail = `HTTP ${res.status}`;
    try {
      detail = ((await res.json()) as { detail?: string }).detail ?? detail;
    } catch {
      // not a problem body
    }
    throw new Error(`${path}: ${detail}`);
  }
  return (await res.json()) as T;
}

/** Records proven against one verified checkpoint. */
export interface ProvenRecords<T> {
  /** Proven values by key (null: proven absent). */
  values: Map<string, T | null>;
  /** The checkpoint of the last proof (all proofs are against quorum-verified checkpoints of one consistent log). */
  checkpoint: Checkpoint;
}

/** A light client over the pinned validator keys of `trust` (a fresh one per page load). */
export function lightClientFor(trust: Trust): Promise<LightClient> {
  return createLightClient({ client, chainId: trust.chainId, trust: { quorum: trust.quorum, vkeys: trust.vkeys } });
}

/**
 * Prove `keys` of `module` with the light client. Throws {@link VerificationError} when any
 * proof, checkpoint or value fails to check.
 */
export async function proveRecords<T>(trust: Trust, module: string, keys: readonly string[]): Promise<ProvenRecords<T>> {
  const lc = await lightClientFor(trust);
  const values = new Map<string, T | null>();
  let checkpoint: Checkpoint | undefined;
  for (const key of keys) {
    try {
      const v = await lc.verified.state<T>(module, key);
      values.set(key, v.value as T | null);
      if (checkpoint === undefined || v.checkpoint.size > checkpoint.size) checkpoint = v.checkpoint;
    } catch (e) {
      if (e instanceof GovchainApiError) throw e;
      throw new VerificationError(`${module}/${key}: ${(e as Error).message}`);
    }
  }
  if (checkpoint === undefined) checkpoint = (await lc.latestCheckpoint()).checkpoint;
  return { values, checkpoint };
}

/** True when two JSON values are the same (RFC 8785 canonical forms equal). */
export const sameJson = (a: unknown, b: unknown): boolean => canonicalJson(a as JsonValue) === canonicalJson(b as JsonValue);

/**
 * Compare what the node's summary route said with what was proven. A difference can be a
 * race (a block committed between the two reads), so the caller retries once before it
 * reports the difference as a failed verification.
 */
export function checkSummary(what: string, claimed: unknown, proven: unknown): void {
  if (!sameJson(claimed, proven)) throw new VerificationError(`the node's answer for ${what} differs from the proven state`);
}

/** Run `load` and, when it fails verification, once more after a short pause (blocks may have committed between reads). */
export async function withRetry<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (e) {
    if (!(e instanceof VerificationError)) throw e;
    await new Promise((r) => setTimeout(r, 1500));
    return load();
  }
}

/**
 * The portal's link to the node that serves it: an SDK client on the same origin, and the
 * validator keys this browser trusts. Keys are pinned on first use per chain id in
 * localStorage (as SSH pins host keys): later answers are checked against the pinned
 * keys, and a node that starts announcing other keys is shown as a warning rather than
 * silently believed.
 */
import { publicKeyFromDidKey, type TxEnvelope } from '@govchain/core';
import { createClient, type GovchainClient } from '@govchain/sdk';
import { checkedVkeys, type SeenHead } from './verify.js';

/** The SDK client for the node serving this page. */
export const client: GovchainClient = createClient({ url: location.origin, timeoutMs: 20_000 });

/** Validator keys this browser trusts for a chain. */
export interface Trust {
  chainId: string;
  vkeys: string[];
  quorum: number;
  /** When they were first pinned (ISO time). */
  since: string;
  /** Keys the node announces now, when they differ from the pinned ones. */
  announced: string[] | undefined;
}

const key = (chainId: string): string => `govchain.trust.${chainId}`;

/** Load (or pin on first use) the trusted validator keys of `chainId`. */
export async function loadTrust(chainId: string): Promise<Trust> {
  const announced = await client.validators();
  const vkeys = checkedVkeys(announced);
  let pinned: { vkeys: string[]; since: string } | undefined;
  try {
    const raw = localStorage.getItem(key(chainId));
    if (raw !== null) pinned = JSON.parse(raw) as { vkeys: string[]; since: string };
  } catch {
    pinned = undefined;
  }
  if (pinned === undefined || !Array.isArray(pinned.vkeys)) {
    pinned = { vkeys, since: new Date().toISOString() };
    try {
      localStorage.setItem(key(chainId), JSON.stringify(pinned));
    } catch {
      // storage disabled: trust lasts this visit
    }
  }
  const same = pinned.vkeys.length === vkeys.length && pinned.vkeys.every((k) => vkeys.includes(k));
  return { chainId, vkeys: pinned.vkeys, quorum: announced.quorum, since: pinned.since, announced: same ? undefined : vkeys };
}

/** Replace the pinned keys of `chainId` with the ones the node announces now. */
export function acceptAnnouncedKeys(trust: Trust): Trust {
  if (trust.announced === undefined) return trust;
  const next = { vkeys: trust.announced, since: new Date().toISOString() };
  localStorage.setItem(key(trust.chainId), JSON.stringify(next));
  return { ...trust, ...next, announced: undefined };
}

/** The latest certified log head this browser verified for a chain, and when it saw it. */
export interface SeenCheckpoint extends SeenHead {
  seenAt: string;
}

/** The remembered log head of `chainId`, if any. */
export function loadSeen(chainId: string): SeenCheckpoint | undefined {
  try {
    const raw = localStorage.getItem(`govchain.seen.${chainId}`);
    const v = raw === null ? undefined : (JSON.parse(raw) as SeenCheckpoint);
    return v !== undefined && Number.isSafeInteger(v.size) && typeof v.root === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Remember a verified log head of `chainId`. */
export function saveSeen(chainId: string, seen: SeenCheckpoint): void {
  try {
    localStorage.setItem(`govchain.seen.${chainId}`, JSON.stringify(seen));
  } catch {
    // storage disabled: nothing remembered
  }
}

/**
 * Public keys of the ledger-DID (did:gov) signatures of an envelope, by kid, from the
 * signers' DID documents (their key history), as the SDK's `fetchProofBundle` collects
 * them. did:key signatures need none: the key is in the DID.
 */
export async function ledgerSignerKeys(envelope: TxEnvelope): Promise<Record<string, Uint8Array>> {
  const out: Record<string, Uint8Array> = {};
  for (const s of envelope.signatures) {
    const did = s.kid.slice(0, s.kid.indexOf('#'));
    if (did.startsWith('did:key:')) continue;
    const doc = await client.did(did);
    const k = doc.didDocumentMetadata.keyHistory?.find((h) => h.id === s.kid);
    if (k !== undefined) out[s.kid] = publicKeyFromDidKey(`did:key:${k.publicKeyMultibase}`);
  }
  return out;
}

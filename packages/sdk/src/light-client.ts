/**
 * The light client: trusts nothing the node says until it is proven against checkpoints
 * signed by a quorum of validators the client already trusts (docs/integration.md
 * "Verified reads").
 *
 * - It holds a trusted validator set (`{quorum, vkeys}`: the JSON of GET /v1/validators,
 *   pinned out of band, e.g. shipped with the app or read from a trust file).
 * - Every checkpoint it receives is verified: signed notes (C2SP) with at least
 *   max(quorum, floor(2n/3)+1) valid signatures of trusted validators, for this chain, and
 *   consistent (RFC 6962 consistency proof) with the largest checkpoint it saw before. That
 *   checkpoint is persisted through a pluggable {@link LightClientStorage}, so a node
 *   cannot roll a returning client back or fork it.
 * - State values (sparse Merkle proofs, docs/state-proofs.md) and transactions (RFC 6962
 *   inclusion of their receipt) are returned only once their proof leads to the verified
 *   checkpoint; otherwise a {@link LightClientError} with a specific code is thrown.
 * - The validator set changes only through {@link LightClient.updateValidators}, an
 *   explicit hook whose evidence is checked by a pluggable verifier (default: a signed
 *   note naming the next set, signed by a quorum of the current set). Governance
 *   transactions that change validators are designed elsewhere; plugging their proof in is
 *   a matter of passing another `verifyValidatorUpdate`.
 */
import {
  GovchainError,
  canonicalJson,
  checkEnvelope,
  computeTxid,
  fromBase64,
  formatVerifierKey,
  hashLeaf,
  isGovchainError,
  parseCheckpoint,
  parseEnvelope,
  parseSignedNote,
  parseVerifierKey,
  publicKeyFromDidKey,
  quorumFor,
  resolveDidKey,
  smtProofFromJson,
  stateMapKey,
  stateValueHash,
  toBase64,
  toHex,
  utf8,
  verifyCheckpointNote,
  verifyConsistency,
  verifyInclusion,
  verifyNoteSignatures,
  verifySmtProof,
  type Checkpoint,
  type JsonValue,
  type Receipt,
  type TxEnvelope,
} from '@govchain/core';
import type { GovchainClient, StateResponse, TxResponse } from './client.js';

/** Codes of {@link LightClientError} (documented in docs/errors.md). */
export type LightClientErrorCode =
  | 'light.no_quorum'
  | 'light.bad_checkpoint'
  | 'light.stale_validators'
  | 'light.wrong_chain'
  | 'light.inconsistent'
  | 'light.proof_invalid'
  | 'light.value_mismatch'
  | 'light.malformed'
  | 'light.validator_update_rejected';

/** A verification failure of the light client: the data was not proven and must not be used. */
export class LightClientError extends GovchainError {
  declare readonly code: LightClientErrorCode;
  constructor(code: LightClientErrorCode, message: string, opts: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(code, message, opts);
    this.name = 'LightClientError';
  }
}

/** A validator set: the JSON of GET /v1/validators. */
export interface TrustedValidatorSet {
  quorum: number;
  vkeys: string[];
}

/** What the light client persists. */
export interface LightClientState {
  chainId: string;
  validators: TrustedValidatorSet;
  /** Sets replaced by {@link LightClient.updateValidators}, newest first. */
  superseded: TrustedValidatorSet[];
  /** The largest verified checkpoint (signed note text). */
  checkpoint?: string;
}

/** Where the light client keeps its state between runs (browser storage, a file, a database). */
export interface LightClientStorage {
  load(): Promise<LightClientState | undefined> | LightClientState | undefined;
  save(state: LightClientState): Promise<void> | void;
}

/** Storage in memory (lost with the process). */
export function memoryStorage(initial?: LightClientState): LightClientStorage & { state: LightClientState | undefined } {
  const s = {
    state: initial === undefined ? undefined : structuredClone(initial),
    load: () => (s.state === undefined ? undefined : structuredClone(s.state)),
    save: (state: LightClientState) => {
      s.state = structuredClone(state);
    },
  };
  return s;
}

/** Storage in a Web Storage object (`localStorage`) under `key`. */
export function webStorage(storage: Pick<Storage, 'getItem' | 'setItem'>, key = 'govchain-light-client'): LightClientStorage {
  return {
    load: () => {
      const text = storage.getItem(key);
      return text === null ? undefined : (JSON.parse(text) as LightClientState);
    },
    save: (state) => storage.setItem(key, JSON.stringify(state)),
  };
}

/**
 * Checks the evidence for a validator-set change; throws (or rejects) to refuse it. Receives
 * the current set, the proposed one, the caller's evidence and the chain id.
 */
export type ValidatorUpdateVerifier = (current: TrustedValidatorSet, next: TrustedValidatorSet, evidence: unknown, chainId: string) => void | Promise<void>;

/** The text of a validator hand-over note (signed by a quorum of the current set). */
export function validatorHandoverText(chainId: string, next: TrustedValidatorSet): string {
  return `govchain validator-set ${chainId}\nquorum ${next.quorum}\n${next.vkeys.join('\n')}\n`;
}

/**
 * Default {@link ValidatorUpdateVerifier}: `evidence` is a C2SP signed note whose text is
 * {@link validatorHandoverText} of the next set, signed by a quorum of the current set.
 */
export const verifyHandoverNote: ValidatorUpdateVerifier = (current, next, evidence, chainId) => {
  if (typeof evidence !== 'string') throw new LightClientError('light.validator_update_rejected', 'evidence must be a signed hand-over note');
  let verified;
  try {
    verified = verifyNoteSignatures(evidence, current.vkeys.map((k) => parseVerifierKey(k)));
  } catch (e) {
    throw new LightClientError('light.validator_update_rejected', `hand-over note: ${(e as Error).message}`, { cause: e });
  }
  if (verified.text !== validatorHandoverText(chainId, next)) throw new LightClientError('light.validator_update_rejected', 'the hand-over note names another validator set');
  const need = effectiveQuorum(current);
  if (verified.verifiedBy.length < need) throw new LightClientError('light.validator_update_rejected', `hand-over note signed by ${verified.verifiedBy.length} current validator(s), ${need} needed`);
};

/** Evidence of a validator-set change made by governance (see {@link followValidatorChanges}). */
export interface GovernanceHandover {
  /** The certified checkpoint of the block that executed the change (signed by the previous set). */
  checkpoint: string;
  /** `GET /v1/state/governance/validators?proof=1&size=<that checkpoint's size>`: value and proof. */
  value: Array<{ name: string; publicKey: string }>;
  proof: unknown;
}

/** The set (vkeys and quorum floor(2n/3)+1) of a governance `validators` value. */
export function validatorSetFromState(value: ReadonlyArray<{ name: string; publicKey: string }>): TrustedValidatorSet {
  return { quorum: quorumFor(value.length), vkeys: value.map((v) => formatVerifierKey(v.name, fromBase64(v.publicKey))) };
}

/**
 * {@link ValidatorUpdateVerifier} for governance changes: the evidence's checkpoint carries a
 * quorum of the *current* set, and its state root proves the governance `validators` value
 * from which `next` is derived. A node cannot make a client adopt a set the current
 * validators did not certify.
 */
export const verifyGovernanceHandover: ValidatorUpdateVerifier = (current, next, evidence, chainId) => {
  const e = evidence as GovernanceHandover;
  if (typeof e !== 'object' || e === null || typeof e.checkpoint !== 'string' || !Array.isArray(e.value)) throw new LightClientError('light.validator_update_rejected', 'evidence must be {checkpoint, value, proof}');
  let cp: Checkpoint;
  try {
    cp = verifyCheckpointNote(e.checkpoint, current.vkeys, effectiveQuorum(current)).checkpoint;
  } catch (err) {
    throw new LightClientError('light.validator_update_rejected', `the change's checkpoint is not certified by the current set: ${(err as Error).message}`, { cause: err });
  }
  if (cp.origin !== chainId) throw new LightClientError('light.validator_update_rejected', `the checkpoint is for chain ${cp.origin}`);
  let ok = false;
  try {
    ok = verifySmtProof(cp.stateRoot, stateMapKey('governance', 'validators'), stateValueHash(e.value as unknown as JsonValue), smtProofFromJson(e.proof));
  } catch {
    ok = false;
  }
  if (!ok) throw new LightClientError('light.validator_update_rejected', 'the validator set is not the one the checkpoint commits to');
  const derived = validatorSetFromState(e.value);
  if (derived.quorum !== next.quorum || derived.vkeys.join('\n') !== next.vkeys.join('\n')) throw new LightClientError('light.validator_update_rejected', 'the proposed set differs from the proven one');
};

/** Accepts hand-over notes (a string) and governance evidence (an object). */
export const verifyValidatorUpdate: ValidatorUpdateVerifier = (current, next, evidence, chainId) =>
  typeof evidence === 'string' ? verifyHandoverNote(current, next, evidence, chainId) : verifyGovernanceHandover(current, next, evidence, chainId);

/**
 * Follow the validator-set changes recorded by governance: for each block that changed the
 * set (state `governance/validator_changes`, in order), prove the new set against that
 * block's checkpoint, which the previous set signed, and adopt it. Returns the sets adopted.
 */
export async function followValidatorChanges(lc: LightClient, client: GovchainClient): Promise<TrustedValidatorSet[]> {
  const heights = ((await client.state('governance', 'validator_changes')).value as number[] | null) ?? [];
  const adopted: TrustedValidatorSet[] = [];
  for (const h of [...heights].sort((a, b) => a - b)) {
    const block = await client.block(h);
    const size = block.header.logSize;
    const res = await client.state('governance', 'validators', { proof: true, size });
    const value = res.value as Array<{ name: string; publicKey: string }>;
    const next = validatorSetFromState(value);
    const current = lc.validators();
    if (next.vkeys.join('\n') === current.vkeys.join('\n')) continue;
    await lc.updateValidators(next, { checkpoint: res.checkpoint ?? '', value, proof: res.proof } satisfies GovernanceHandover);
    adopted.push(next);
  }
  return adopted;
}

/** Options of {@link createLightClient}. */
export interface LightClientOptions {
  client: GovchainClient;
  /** The chain to follow (checkpoint origin). */
  chainId: string;
  /** The validator set to trust when the storage holds none yet. */
  trust: TrustedValidatorSet;
  storage?: LightClientStorage;
  verifyValidatorUpdate?: ValidatorUpdateVerifier;
}

/** A verified checkpoint with its note. */
export interface VerifiedCheckpointInfo {
  checkpoint: Checkpoint;
  note: string;
  signers: string[];
}

/** A state value that checked out. */
export interface VerifiedState<T = JsonValue | null> {
  value: T;
  checkpoint: Checkpoint;
}

/** A transaction whose receipt is proven to be in the log under a verified checkpoint. */
export interface VerifiedTx extends TxResponse {
  checkpoint: Checkpoint;
  signers: string[];
}

/** The light client. */
export interface LightClient {
  readonly chainId: string;
  /** The trusted validator set. */
  validators(): TrustedValidatorSet;
  /** The largest checkpoint verified so far. */
  lastCheckpoint(): Checkpoint | undefined;
  /** Verify a checkpoint note (quorum, chain, consistency with the last one) and remember it. */
  verifyCheckpoint(note: string): Promise<VerifiedCheckpointInfo>;
  /** Fetch the node's latest checkpoint and verify it. */
  latestCheckpoint(): Promise<VerifiedCheckpointInfo>;
  /** Verify a `GET /v1/state/...?proof=1` answer for `(module, key)`; returns the proven value. */
  verifyStateResponse(module: string, key: string, res: StateResponse): Promise<VerifiedState>;
  /** Replace the trusted set, after `verifyValidatorUpdate` accepted the evidence. */
  updateValidators(next: TrustedValidatorSet, evidence: unknown): Promise<void>;
  /** The verified reads (`sdk.verified.*`). */
  readonly verified: VerifiedReads;
}

/** Reads that return data only after its proof checked out (or throw). */
export interface VerifiedReads {
  /** A state value, proven against a verified checkpoint (null: proven absent). */
  state<T = JsonValue>(module: string, key: string): Promise<VerifiedState<T | null>>;
  /** A committed transaction and its receipt, proven in the log (waits up to `waitMs` for certification). */
  tx(txid: string, opts?: { waitMs?: number }): Promise<VerifiedTx>;
  /** The notary anchor of a digest, proven (null: proven never anchored). */
  anchor(digest: string): Promise<VerifiedState<Record<string, JsonValue> | null>>;
  /** The latest checkpoint, verified. */
  checkpoint(): Promise<VerifiedCheckpointInfo>;
}

/** Create a light client; loads its state from `storage` (or starts from `trust`). */
export async function createLightClient(opts: LightClientOptions): Promise<LightClient> {
  const storage = opts.storage ?? memoryStorage();
  const verifyUpdate = opts.verifyValidatorUpdate ?? verifyValidatorUpdate;
  checkSet(opts.trust, 'trust');
  const loaded = await storage.load();
  if (loaded !== undefined && loaded.chainId !== opts.chainId) throw new LightClientError('light.wrong_chain', `stored light-client state is for chain ${loaded.chainId}, not ${opts.chainId}`);
  let state: LightClientState = loaded ?? { chainId: opts.chainId, validators: { quorum: opts.trust.quorum, vkeys: [...opts.trust.vkeys] }, superseded: [] };
  let last: Checkpoint | undefined = state.checkpoint === undefined ? undefined : parseCheckpoint(parseSignedNote(state.checkpoint).text);
  const client = opts.client;
  // One verification at a time: each one may advance `last`.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(f: () => Promise<T>): Promise<T> => {
    const p = queue.then(f, f);
    queue = p.catch(() => undefined);
    return p;
  };

  function checkQuorum(note: string): { checkpoint: Checkpoint; signers: string[] } {
    let v;
    try {
      v = verifyCheckpointNote(note, state.validators.vkeys, effectiveQuorum(state.validators));
    } catch (e) {
      if (isGovchainError(e, 'checkpoint.no_quorum')) {
        // Would an older, replaced set have certified it? Then the node still runs on a stale set.
        for (const old of state.superseded) {
          try {
            verifyCheckpointNote(note, old.vkeys, effectiveQuorum(old));
            throw new LightClientError('light.stale_validators', 'the checkpoint is signed by a validator set that has been replaced', { details: { ...(e.details ?? {}) } });
          } catch (inner) {
            if (inner instanceof LightClientError) throw inner;
          }
        }
        throw new LightClientError('light.no_quorum', e.message, { details: e.details ?? {}, cause: e });
      }
      throw new LightClientError('light.bad_checkpoint', `checkpoint: ${(e as Error).message}`, { cause: e });
    }
    if (v.checkpoint.origin !== state.chainId) throw new LightClientError('light.wrong_chain', `the checkpoint is for chain "${v.checkpoint.origin}", not "${state.chainId}"`);
    return v;
  }

  async function verifyCheckpoint(note: string): Promise<VerifiedCheckpointInfo> {
    if (typeof note !== 'string') throw new LightClientError('light.malformed', 'checkpoint: expected signed note text');
    const { checkpoint: cp, signers } = checkQuorum(note);
    return serial(async () => {
      if (last !== undefined) {
        if (cp.size === last.size) {
          if (toHex(cp.rootHash) !== toHex(last.rootHash)) throw new LightClientError('light.inconsistent', `two certified checkpoints of size ${cp.size} with different roots (a fork)`);
        } else {
          const [small, big] = cp.size < last.size ? [cp, last] : [last, cp];
          let hashes: Uint8Array[];
          try {
            const proof = await client.consistencyProof(small.size, big.size);
            hashes = proof.hashes.map((h) => fromBase64(h));
          } catch (e) {
            if (e instanceof GovchainError && !(e.code === 'client.unreachable')) throw new LightClientError('light.inconsistent', `no consistency proof from ${small.size} to ${big.size}: ${e.message}`, { cause: e });
            throw e;
          }
          if (!verifyConsistency(small.size, big.size, small.rootHash, big.rootHash, hashes)) {
            throw new LightClientError('light.inconsistent', `checkpoint of size ${cp.size} is not consistent with the verified checkpoint of size ${last.size}`);
          }
        }
      }
      if (last === undefined || cp.size > last.size) {
        last = cp;
        state = { ...state, checkpoint: note };
        await storage.save(state);
      }
      return { checkpoint: cp, note, signers };
    });
  }

  async function verifyStateResponse(module: string, key: string, res: StateResponse): Promise<VerifiedState> {
    if (typeof res !== 'object' || res === null || res.proof === undefined || typeof res.checkpoint !== 'string') throw new LightClientError('light.malformed', 'the state answer carries no proof or checkpoint');
    const { checkpoint: cp } = await verifyCheckpoint(res.checkpoint);
    let proof;
    try {
      proof = smtProofFromJson(res.proof);
    } catch (e) {
      throw new LightClientError('light.malformed', `state proof: ${(e as Error).message}`, { cause: e });
    }
    const mapKey = stateMapKey(module, key);
    const value = res.value === undefined ? null : (res.value as JsonValue | null);
    const valueHash = value === null ? null : stateValueHash(value);
    if (verifySmtProof(cp.stateRoot, mapKey, valueHash, proof)) return { value, checkpoint: cp };
    // Say which part lied: the value (proof fine for another value) or the proof itself.
    const provenHash = proof.leaf !== null && toHex(proof.leaf.key) === toHex(mapKey) ? proof.leaf.valueHash : null;
    if (verifySmtProof(cp.stateRoot, mapKey, provenHash, proof)) {
      throw new LightClientError('light.value_mismatch', `the value of ${module}/${key} is not the one the checkpoint commits to`);
    }
    throw new LightClientError('light.proof_invalid', `the state proof of ${module}/${key} does not lead to the checkpoint's state root`);
  }

  async function verifiedTx(txid: string, o: { waitMs?: number } = {}): Promise<VerifiedTx> {
    const deadline = Date.now() + (o.waitMs ?? 10_000);
    const t = await client.tx(txid);
    let info = await verifyCheckpoint(await client.checkpoint());
    while (info.checkpoint.size <= t.leafIndex) {
      if (Date.now() > deadline) throw new GovchainError('proof.not_certified_yet', `transaction ${txid} is not yet covered by a certified checkpoint`);
      await new Promise((r) => setTimeout(r, 100));
      info = await verifyCheckpoint(await client.checkpoint());
    }
    const cp = info.checkpoint;
    let envelope: TxEnvelope;
    let signers: string[];
    try {
      envelope = parseEnvelope(t.envelope);
      // did:key signatures verify from the DID alone; a ledger DID's key comes from its DID
      // document's key history. That the key was valid when the transaction executed is what
      // the ledger attests by committing it, and the receipt is proven below.
      const ledgerKeys = new Map<string, Uint8Array>();
      for (const sig of envelope.signatures) {
        const did = sig.kid.slice(0, sig.kid.indexOf('#'));
        if (did.startsWith('did:key:') || ledgerKeys.has(sig.kid)) continue;
        const doc = await client.did(did);
        const k = doc.didDocumentMetadata.keyHistory?.find((h) => h.id === sig.kid);
        if (k !== undefined) ledgerKeys.set(sig.kid, publicKeyFromDidKey(`did:key:${k.publicKeyMultibase}`));
      }
      signers = checkEnvelope(envelope, {
        chainId: state.chainId,
        now: 0,
        resolveKey: (kid, did) => {
          if (did.startsWith('did:key:')) return resolveDidKey(kid, did);
          const key = ledgerKeys.get(kid);
          if (key === undefined) throw new GovchainError('tx.unknown_key', `no key ${kid} in the DID document`);
          return key;
        },
      }).signers;
    } catch (e) {
      throw new LightClientError('light.proof_invalid', `the transaction envelope does not check: ${(e as Error).message}`, { cause: e });
    }
    if (computeTxid(envelope.body) !== txid) throw new LightClientError('light.value_mismatch', 'the transaction does not hash to the requested txid');
    const receipt = t.receipt as Receipt;
    if (receipt?.txid !== txid) throw new LightClientError('light.value_mismatch', 'the receipt is not for this transaction');
    const inc = await client.inclusionProof(txid, cp.size);
    let leaf: Uint8Array;
    let hashes: Uint8Array[];
    try {
      leaf = fromBase64(inc.leaf);
      hashes = inc.hashes.map((h) => fromBase64(h));
    } catch (e) {
      throw new LightClientError('light.malformed', 'the inclusion proof is not base64', { cause: e });
    }
    if (toBase64(leaf) !== toBase64(utf8(canonicalJson(receipt)))) throw new LightClientError('light.value_mismatch', 'the receipt is not the log leaf');
    if (inc.treeSize !== cp.size || inc.leafIndex !== t.leafIndex || !verifyInclusion(hashLeaf(leaf), inc.leafIndex, cp.size, hashes, cp.rootHash)) {
      throw new LightClientError('light.proof_invalid', `the inclusion proof of ${txid} does not lead to the checkpoint root`);
    }
    return { envelope, receipt, leafIndex: t.leafIndex, checkpoint: cp, signers };
  }

  const lc: LightClient = {
    chainId: opts.chainId,
    validators: () => structuredClone(state.validators),
    lastCheckpoint: () => last,
    verifyCheckpoint,
    latestCheckpoint: async () => verifyCheckpoint(await client.checkpoint()),
    verifyStateResponse,
    async updateValidators(next, evidence) {
      checkSet(next, 'next');
      await verifyUpdate(state.validators, next, evidence, state.chainId);
      await serial(async () => {
        state = { ...state, validators: { quorum: next.quorum, vkeys: [...next.vkeys] }, superseded: [state.validators, ...state.superseded].slice(0, 16) };
        await storage.save(state);
      });
    },
    verified: {
      state: async (module, key) => verifyStateResponse(module, key, await client.state(module, key, { proof: true })) as Promise<VerifiedState<never>>,
      tx: verifiedTx,
      anchor: async (digest) => verifyStateResponse('notary', digest, await client.state('notary', digest, { proof: true })) as Promise<VerifiedState<never>>,
      checkpoint: async () => verifyCheckpoint(await client.checkpoint()),
    },
  };
  return lc;
}

/** The quorum a set needs: never less than floor(2n/3)+1, whatever a trust file says. */
export function effectiveQuorum(set: TrustedValidatorSet): number {
  return Math.max(set.quorum, quorumFor(set.vkeys.length));
}

function checkSet(set: TrustedValidatorSet, name: string): void {
  if (typeof set !== 'object' || set === null || !Array.isArray(set.vkeys) || set.vkeys.length === 0 || !Number.isSafeInteger(set.quorum) || set.quorum < 1) {
    throw new TypeError(`${name}: expected {quorum, vkeys: [...]} with at least one key`);
  }
  set.vkeys.forEach((k, i) => {
    try {
      parseVerifierKey(k);
    } catch (e) {
      throw new TypeError(`${name}.vkeys[${i}]: ${(e as Error).message}`);
    }
  });
}

/**
 * `createGovchain`: the SDK in one object. The typed client (`sdk.client`, every route),
 * transaction building and signing with a pluggable Signer, submit-and-wait, the notary
 * actions (single and batch anchoring) and, with a trusted validator set, the light
 * client's verified reads (`sdk.verified.*`).
 */
import { GovchainError, signTx, type JsonValue, type Receipt, type Signer, type TxEnvelope } from '@govchain/core';
import { anchorBatch, type AnchorBatchParameters, type AnchoredBatch } from './batch.js';
import { createClient, type ClientOptions, type GovchainClient } from './client.js';
import { createLightClient, type LightClient, type LightClientStorage, type TrustedValidatorSet, type ValidatorUpdateVerifier, type VerifiedReads } from './light-client.js';
import { buildTxBody } from './tx-builder.js';
import { streamEvents, type ChainEvent, type StreamEventsOptions } from './events.js';

/** Options of {@link createGovchain}. */
export interface GovchainOptions extends ClientOptions {
  /** Default signer of `sdk.send` and the notary actions. */
  signer?: Signer;
  /** Validators to trust (GET /v1/validators JSON pinned out of band); enables `sdk.verified`. */
  trust?: TrustedValidatorSet;
  /** Chain id (default: asked from the node once). */
  chainId?: string;
  /** Where the light client remembers its last checkpoint. */
  storage?: LightClientStorage;
  verifyValidatorUpdate?: ValidatorUpdateVerifier;
}

/** Parameters of `sdk.send`. */
export interface SendParameters {
  type: string;
  payload: { [key: string]: JsonValue };
  signer?: Signer;
  /** Extra co-signers (multi-party consent). */
  cosigners?: Signer[];
  expires?: Date | string;
  /** Wait for commit (default true). */
  wait?: boolean;
  timeoutMs?: number;
}

/** The SDK object. */
export interface Govchain {
  readonly client: GovchainClient;
  chainId(): Promise<string>;
  /** Build and sign a transaction. */
  sign(p: Omit<SendParameters, 'wait' | 'timeoutMs'>): Promise<TxEnvelope>;
  /** Submit an envelope and wait for its receipt; throws the receipt's code when it failed (`details.receipt`). */
  submitAndWait(envelope: TxEnvelope, opts?: { timeoutMs?: number }): Promise<Receipt>;
  /** Build, sign, submit (and by default wait). */
  send(p: SendParameters): Promise<{ txid: string; receipt?: Receipt }>;
  readonly notary: {
    anchor(p: { digest: string; label?: string; mediaType?: string; signer?: Signer }): Promise<Receipt>;
    anchorBatch(p: Omit<AnchorBatchParameters, 'signer'> & { signer?: Signer }): Promise<AnchoredBatch>;
  };
  /** Committed transactions as they come (SSE; reconnects and resumes with Last-Event-ID). */
  events(opts?: Omit<StreamEventsOptions, 'url' | 'fetch'>): AsyncGenerator<ChainEvent>;
  /** The light client (needs `trust`). */
  light(): Promise<LightClient>;
  /** Verified reads (need `trust`): data only after its proof checks out, or a LightClientError. */
  readonly verified: VerifiedReads;
}

/** Create the SDK object for a node. */
export function createGovchain(opts: GovchainOptions): Govchain {
  const client = createClient(opts);
  let chainIdP: Promise<string> | undefined = opts.chainId === undefined ? undefined : Promise.resolve(opts.chainId);
  const chainId = (): Promise<string> => (chainIdP ??= client.status().then((s) => s.chainId));
  let lightP: Promise<LightClient> | undefined;
  const light = (): Promise<LightClient> => {
    if (opts.trust === undefined) return Promise.reject(new GovchainError('client.no_trust', 'verified reads need the trust option (a validator set pinned out of band)'));
    const trust = opts.trust;
    return (lightP ??= chainId().then((id) =>
      createLightClient({
        client,
        chainId: id,
        trust,
        ...(opts.storage === undefined ? {} : { storage: opts.storage }),
        ...(opts.verifyValidatorUpdate === undefined ? {} : { verifyValidatorUpdate: opts.verifyValidatorUpdate }),
      }),
    ));
  };
  const signerOf = (s?: Signer): Signer => {
    const signer = s ?? opts.signer;
    if (signer === undefined) throw new GovchainError('client.no_signer', 'no signer: pass one to createGovchain or to the call');
    return signer;
  };
  async function sign(p: Omit<SendParameters, 'wait' | 'timeoutMs'>): Promise<TxEnvelope> {
    const signer = signerOf(p.signer);
    const body = buildTxBody({ chain: await chainId(), type: p.type, signer: signer.did, payload: p.payload, ...(p.expires === undefined ? {} : { expires: p.expires }) });
    return signTx(body, [signer, ...(p.cosigners ?? [])]);
  }
  async function submitAndWait(envelope: TxEnvelope, o: { timeoutMs?: number } = {}): Promise<Receipt> {
    const r = await client.submit(envelope, { wait: 'commit', ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }) });
    if (r.receipt === undefined) throw new GovchainError('tx.commit_timeout', `transaction ${r.txid} did not commit in time; it may still commit`, { details: { txid: r.txid } });
    if (r.receipt.status !== 'ok') throw new GovchainError(r.receipt.code ?? 'tx.failed', `transaction ${r.txid} failed: ${r.receipt.code}`, { details: { txid: r.txid, receipt: r.receipt } });
    return r.receipt;
  }
  const verifiedCall =
    <K extends keyof VerifiedReads>(k: K) =>
    async (...args: Parameters<VerifiedReads[K]>): Promise<Awaited<ReturnType<VerifiedReads[K]>>> =>
      ((await light()).verified[k] as (...a: unknown[]) => Promise<Awaited<ReturnType<VerifiedReads[K]>>>)(...args);
  return {
    client,
    chainId,
    sign,
    submitAndWait,
    async send(p) {
      const envelope = await sign(p);
      if (p.wait === false) return client.submit(envelope);
      const receipt = await submitAndWait(envelope, p.timeoutMs === undefined ? {} : { timeoutMs: p.timeoutMs });
      return { txid: receipt.txid, receipt };
    },
    notary: {
      async anchor(p) {
        const payload: { [k: string]: JsonValue } = { digest: p.digest.toLowerCase() };
        if (p.label !== undefined) payload.label = p.label;
        if (p.mediaType !== undefined) payload.mediaType = p.mediaType;
        return submitAndWait(await sign({ type: 'notary.anchor', payload, signer: signerOf(p.signer) }));
      },
      async anchorBatch(p) {
        return anchorBatch(client, { ...p, signer: signerOf(p.signer), chainId: p.chainId ?? (await chainId()) });
      },
    },
    events: (o = {}) => streamEvents({ ...o, url: client.url, ...(opts.fetch === undefined ? {} : { fetch: opts.fetch }) }),
    light,
    verified: {
      state: verifiedCall('state') as VerifiedReads['state'],
      tx: verifiedCall('tx') as VerifiedReads['tx'],
      anchor: verifiedCall('anchor') as VerifiedReads['anchor'],
      checkpoint: verifiedCall('checkpoint') as VerifiedReads['checkpoint'],
    },
  };
}

/**
 * The govchain HTTP client: one typed method per route, over `fetch` (browser-safe).
 * Types come from the server's own schemas (./types.ts). Failed requests throw
 * {@link GovchainApiError} carrying the RFC 9457 problem body (`code`, `status`, `field`).
 */
import { GovchainError, type Receipt, type TxEnvelope } from '@govchain/core';
import type {
  AnchorRecordResponse,
  BatchSubmitResponse,
  BlockResponse,
  ConsistencyProofResponse,
  InclusionProofResponse,
  ProblemBody,
  StateResponse,
  StatusResponse,
  ValidatorsResponse,
  WebhookRegistration,
  WebhookResponse,
} from './types.js';

export type {
  AnchorRecordResponse,
  BatchItemResult,
  BatchSubmitResponse,
  BlockResponse,
  ConsistencyProofResponse,
  InclusionProofResponse,
  ProblemBody,
  StateResponse,
  StatusResponse,
  ValidatorsResponse,
  WebhookRegistration,
  WebhookResponse,
} from './types.js';

/** An error answered by the API: `code` and `field` from the problem body, `status` the HTTP status. */
export class GovchainApiError extends GovchainError {
  readonly status: number;
  readonly problem: ProblemBody | undefined;
  constructor(status: number, problem: ProblemBody | undefined, message: string) {
    super(problem?.code ?? `http.${status}`, message, problem?.field === undefined ? {} : { field: problem.field });
    this.name = 'GovchainApiError';
    this.status = status;
    this.problem = problem;
  }
}

/** GET /v1/txs/<txid>. */
/** `GET /v1/dids/<did>`: a DID resolution result (docs/did-gov.md). */
export interface DidResponse {
  didDocument: { id: string; verificationMethod: Array<{ id: string; type: string; controller: string; publicKeyMultibase: string }>; [k: string]: unknown };
  didDocumentMetadata: { keyHistory?: Array<{ id: string; publicKeyMultibase: string; added: number; revoked?: number; revokedReason?: string }>; [k: string]: unknown };
  stateKey?: { module: string; key: string };
  proof?: unknown;
  checkpoint?: string;
}

export interface TxResponse {
  envelope: TxEnvelope;
  receipt: Receipt;
  leafIndex: number;
}

/** Options of {@link createClient}. */
export interface ClientOptions {
  /** Base URL of a node, e.g. http://127.0.0.1:8080 */
  url: string;
  fetch?: typeof fetch;
  /** Per-request timeout in ms (default 60 s). */
  timeoutMs?: number;
  /** Operator token for the admin routes (`adminToken` of the node's node.json). */
  adminToken?: string;
}

/** A govchain API client. */
export interface GovchainClient {
  readonly url: string;
  status(): Promise<StatusResponse>;
  /** Submit an envelope; with `wait: 'commit'` resolve with the receipt (or `{txid}` if the wait timed out). */
  submit(envelope: TxEnvelope, opts?: { wait?: 'commit'; timeoutMs?: number }): Promise<{ txid: string; receipt?: Receipt }>;
  /**
   * Submit up to 1,000 envelopes in one request (`POST /v1/txs/batch`). Resolves with one
   * result per envelope, in order: `accepted` with the txid (and with `wait: 'commit'` the
   * receipt once committed), or refused with its problem body; throws
   * {@link GovchainApiError} only when the request as a whole is refused (not an array,
   * too many envelopes or bytes, the per-address limit).
   */
  submitBatch(envelopes: readonly TxEnvelope[], opts?: { wait?: 'commit'; timeoutMs?: number }): Promise<BatchSubmitResponse>;
  tx(txid: string): Promise<TxResponse>;
  block(height: number): Promise<BlockResponse>;
  validators(): Promise<ValidatorsResponse>;
  /** Resolve a DID (`GET /v1/dids/<did>`); with `proof`, the state proof of its record. */
  did(did: string, proof?: boolean): Promise<DidResponse>;
  checkpoint(size?: number): Promise<string>;
  inclusionProof(txid: string, size?: number): Promise<InclusionProofResponse>;
  consistencyProof(from: number, to: number): Promise<ConsistencyProofResponse>;
  state(module: string, key: string, opts?: { proof?: boolean; size?: number }): Promise<StateResponse>;
  /** GET /v1/notary/anchors/<digest> (unverified; see `verified.anchor`). */
  notaryAnchor(digest: string): Promise<AnchorRecordResponse>;
  /** GET /healthz. */
  health(): Promise<{ status: string }>;
  /** GET /readyz (throws GovchainApiError `node.not_ready` when not ready). */
  ready(): Promise<{ status: string; height: number }>;
  /** GET /openapi.json. */
  openapi(): Promise<Record<string, unknown>>;
  /** GET /metrics (Prometheus text). */
  metrics(): Promise<string>;
  /** URL of the SSE stream (`GET /v1/events`), for an EventSource. */
  eventsUrl(from?: number): string;
  /** Operator routes (need `adminToken`). */
  readonly admin: {
    addWebhook(registration: WebhookRegistration): Promise<WebhookResponse>;
    listWebhooks(): Promise<{ webhooks: WebhookResponse[] }>;
    removeWebhook(id: string): Promise<void>;
  };
}

/** The query of the submission routes for `wait` / `timeoutMs`. */
function waitQuery(o: { wait?: 'commit'; timeoutMs?: number }): string {
  return o.wait === 'commit' ? `?wait=commit${o.timeoutMs === undefined ? '' : `&timeout=${o.timeoutMs}`}` : '';
}

/** Create a client for the node at `opts.url`. */
export function createClient(opts: ClientOptions): GovchainClient {
  const base = opts.url.replace(/\/+$/, '');
  const doFetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
  const timeoutMs = opts.timeoutMs ?? 60_000;

  async function request(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<Response> {
    let res: Response;
    const headers: Record<string, string> = body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json', accept: 'application/json' };
    try {
      res = await doFetch(base + path, {
        method,
        headers: { ...headers, ...extraHeaders },
        body: body === undefined ? null : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      throw new GovchainError('client.unreachable', `cannot reach the node at ${base}: ${(e as Error).message}`, { cause: e });
    }
    if (res.status >= 400) {
      let problem: ProblemBody | undefined;
      try {
        problem = (await res.json()) as ProblemBody;
      } catch {
        problem = undefined;
      }
      throw new GovchainApiError(res.status, problem, problem?.detail ?? `HTTP ${res.status} from ${path}`);
    }
    return res;
  }
  const json = async <T>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T> => (await (await request(method, path, body, headers)).json()) as T;
  const adminHeaders = (): Record<string, string> => {
    if (opts.adminToken === undefined) throw new GovchainError('client.no_admin_token', 'admin routes need the adminToken option');
    return { authorization: `Bearer ${opts.adminToken}` };
  };

  return {
    url: base,
    status: () => json('GET', '/v1/status'),
    async submit(envelope, o = {}) {
      const res = await request('POST', `/v1/txs${waitQuery(o)}`, envelope);
      const out = (await res.json()) as Receipt | { txid: string };
      if (res.status === 200) return { txid: (out as Receipt).txid, receipt: out as Receipt };
      return { txid: out.txid };
    },
    submitBatch: (envelopes, o = {}) => json('POST', `/v1/txs/batch${waitQuery(o)}`, envelopes),
    tx: (txid) => json('GET', `/v1/txs/${encodeURIComponent(txid)}`),
    block: (height) => json('GET', `/v1/blocks/${height}`),
    validators: () => json('GET', '/v1/validators'),
    did: (did, proof = false) => json('GET', `/v1/dids/${encodeURIComponent(did)}${proof ? '?proof=1' : ''}`),
    checkpoint: async (size) => (await request('GET', size === undefined ? '/v1/checkpoint' : `/v1/checkpoint?size=${size}`)).text(),
    inclusionProof: (txid, size) => json('GET', `/v1/proofs/inclusion?txid=${encodeURIComponent(txid)}${size === undefined ? '' : `&size=${size}`}`),
    consistencyProof: (from, to) => json('GET', `/v1/proofs/consistency?from=${from}&to=${to}`),
    state: (module, key, o = {}) =>
      json('GET', `/v1/state/${encodeURIComponent(module)}/${key.split('/').map(encodeURIComponent).join('/')}${o.proof ? `?proof=1${o.size !== undefined ? `&size=${o.size}` : ''}` : ''}`),
    notaryAnchor: (digest) => json('GET', `/v1/notary/anchors/${encodeURIComponent(digest)}`),
    health: () => json('GET', '/healthz'),
    ready: () => json('GET', '/readyz'),
    openapi: () => json('GET', '/openapi.json'),
    metrics: async () => (await request('GET', '/metrics')).text(),
    eventsUrl: (from) => `${base}/v1/events${from === undefined ? '' : `?from=${from}`}`,
    admin: {
      addWebhook: (registration) => json('POST', '/v1/admin/webhooks', registration, adminHeaders()),
      listWebhooks: () => json('GET', '/v1/admin/webhooks', undefined, adminHeaders()),
      async removeWebhook(id) {
        await request('DELETE', `/v1/admin/webhooks/${encodeURIComponent(id)}`, undefined, adminHeaders());
      },
    },
  };
}

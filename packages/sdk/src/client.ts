/**
 * The govchain HTTP client: one typed method per core route, over `fetch` (browser-safe).
 * Failed requests throw {@link GovchainApiError} carrying the RFC 9457 problem body.
 */
import { GovchainError, type Receipt, type TxEnvelope } from '@govchain/core';

/** A problem body (RFC 9457) as sent by the API. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  field?: string;
  [k: string]: unknown;
}

/** An error answered by the API. */
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

/** GET /v1/status. */
export interface StatusResponse {
  chainId: string;
  height: number;
  logSize: number;
  stateRoot: string;
  validators: number;
  version: string;
  certifiedSize?: number;
  orderer?: string;
}

/** GET /v1/proofs/inclusion. */
export interface InclusionProofResponse {
  leafIndex: number;
  treeSize: number;
  leaf: string;
  hashes: string[];
}

/** GET /v1/proofs/consistency. */
export interface ConsistencyProofResponse {
  from: number;
  to: number;
  hashes: string[];
}

/** GET /v1/validators. */
export interface ValidatorsResponse {
  quorum: number;
  vkeys: string[];
}

/** GET /v1/state/<module>/<key>. */
export interface StateResponse {
  value: unknown;
  proof?: { siblings: string[]; leaf: { key: string; valueHash: string } | null };
  checkpoint?: string;
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

/** GET /v1/blocks/<height>. */
export interface BlockResponse {
  header: {
    chain: string;
    height: number;
    prev: string;
    time: string;
    txCount: number;
    txsHash: string;
    logSize: number;
    logRoot: string;
    stateRoot: string;
  };
  txids: string[];
  hash?: string;
}

/** Options of {@link createClient}. */
export interface ClientOptions {
  /** Base URL of a node, e.g. http://127.0.0.1:8080 */
  url: string;
  fetch?: typeof fetch;
  /** Per-request timeout in ms (default 60 s). */
  timeoutMs?: number;
}

/** A govchain API client. */
export interface GovchainClient {
  readonly url: string;
  status(): Promise<StatusResponse>;
  /** Submit an envelope; with `wait: 'commit'` resolve with the receipt (or `{txid}` if the wait timed out). */
  submit(envelope: TxEnvelope, opts?: { wait?: 'commit'; timeoutMs?: number }): Promise<{ txid: string; receipt?: Receipt }>;
  tx(txid: string): Promise<TxResponse>;
  block(height: number): Promise<BlockResponse>;
  validators(): Promise<ValidatorsResponse>;
  /** Resolve a DID (`GET /v1/dids/<did>`); with `proof`, the state proof of its record. */
  did(did: string, proof?: boolean): Promise<DidResponse>;
  checkpoint(size?: number): Promise<string>;
  inclusionProof(txid: string, size?: number): Promise<InclusionProofResponse>;
  consistencyProof(from: number, to: number): Promise<ConsistencyProofResponse>;
  state(module: string, key: string, opts?: { proof?: boolean }): Promise<StateResponse>;
}

/** Create a client for the node at `opts.url`. */
export function createClient(opts: ClientOptions): GovchainClient {
  const base = opts.url.replace(/\/+$/, '');
  const doFetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
  const timeoutMs = opts.timeoutMs ?? 60_000;

  async function request(method: string, path: string, body?: unknown): Promise<Response> {
    let res: Response;
    try {
      res = await doFetch(base + path, {
        method,
        headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json', accept: 'application/json' },
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
  const json = async <T>(method: string, path: string, body?: unknown): Promise<T> => (await (await request(method, path, body)).json()) as T;

  return {
    url: base,
    status: () => json('GET', '/v1/status'),
    async submit(envelope, o = {}) {
      const q = o.wait === 'commit' ? `?wait=commit${o.timeoutMs === undefined ? '' : `&timeout=${o.timeoutMs}`}` : '';
      const res = await request('POST', `/v1/txs${q}`, envelope);
      const out = (await res.json()) as Receipt | { txid: string };
      if (res.status === 200) return { txid: (out as Receipt).txid, receipt: out as Receipt };
      return { txid: out.txid };
    },
    tx: (txid) => json('GET', `/v1/txs/${encodeURIComponent(txid)}`),
    block: (height) => json('GET', `/v1/blocks/${height}`),
    validators: () => json('GET', '/v1/validators'),
    did: (did, proof = false) => json('GET', `/v1/dids/${encodeURIComponent(did)}${proof ? '?proof=1' : ''}`),
    checkpoint: async (size) => (await request('GET', size === undefined ? '/v1/checkpoint' : `/v1/checkpoint?size=${size}`)).text(),
    inclusionProof: (txid, size) => json('GET', `/v1/proofs/inclusion?txid=${encodeURIComponent(txid)}${size === undefined ? '' : `&size=${size}`}`),
    consistencyProof: (from, to) => json('GET', `/v1/proofs/consistency?from=${from}&to=${to}`),
    state: (module, key, o = {}) => json('GET', `/v1/state/${encodeURIComponent(module)}/${key.split('/').map(encodeURIComponent).join('/')}${o.proof ? '?proof=1' : ''}`),
  };
}

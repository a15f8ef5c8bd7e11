/** Core chain routes: status, transactions, blocks, validators, state. */
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Receipt as CommitReceipt } from '@govchain/core';
import { GovchainError, hashBlockHeader, smtProofToJson } from '@govchain/core';
import type { GovchainNode } from '@govchain/node';
import {
  BATCH_MAX_TXS,
  BATCH_REQUEST_LIMIT,
  BatchSubmitBody,
  BatchSubmitResult,
  Block,
  Envelope,
  Hex64,
  Receipt,
  StateQuery,
  StateResponse,
  Status,
  SubmitAccepted,
  SubmitQuery,
  TxRecord,
  Validators,
} from '../schemas.js';
import { problem, problemFromError, type Problem } from '../problems.js';
import { Type } from '@sinclair/typebox';

const OrderedBlockSchema = Type.Object({
  height: Type.Integer(),
  time: Type.String(),
  txs: Type.Array(Type.Object({ txid: Hex64, envelope: Type.String({ description: 'canonical envelope JSON text' }) })),
});
const EvidenceList = Type.Object({
  equivocations: Type.Array(
    Type.Object({
      validator: Type.String(),
      size: Type.Integer(),
      notes: Type.Array(Type.String(), { minItems: 2, maxItems: 2, description: 'two signed notes, each with a valid signature of the validator' }),
      detectedAt: Type.String(),
    }),
  ),
});

const problemRef = { $ref: 'Problem#' };
const errors = { 400: problemRef, 404: problemRef, 409: problemRef, 413: problemRef, 415: problemRef, 429: problemRef, 503: problemRef };

/** Largest transaction request body (the canonical body limit is 64 KiB). */
export const TX_REQUEST_LIMIT = 128 * 1024;

/** Options of {@link coreRoutes}. */
export interface CoreRoutesOptions {
  node: GovchainNode;
  /** Per-identity admission check (rate limit), run once the signatures verified. */
  admit?: (tx: { txid: string; signer: string; signers: string[] }) => void;
  /**
   * The server's whole-request timeout (ms): a `?wait=commit` wait ends 1 s before it, so an
   * overloaded node answers 202 instead of the server cutting the request (408).
   */
  requestTimeoutMs?: number;
  /**
   * The per-IP request limit, counted once per envelope of a batch beyond the first (the
   * request itself counted one): resolves with how many of `n` more envelopes the limit
   * still allows, and the seconds until it allows more.
   */
  takeIpUnits?: (req: FastifyRequest, n: number) => Promise<{ allowed: number; retryAfterSeconds: number }>;
}

/** The `wait` and `timeout` query of the submission routes, checked. */
function submitQuery(req: FastifyRequest): { wait: boolean; timeoutMs: number } {
  const q = req.query as { wait?: string; timeout?: number };
  if (q.wait !== undefined && q.wait !== 'commit' && q.wait !== 'none') throw new GovchainError('request.invalid', 'wait must be "commit" or "none"', { field: '/querystring/wait' });
  if (q.timeout !== undefined && (!Number.isInteger(Number(q.timeout)) || Number(q.timeout) < 1 || Number(q.timeout) > 60000)) throw new GovchainError('request.invalid', 'timeout must be 1-60000 ms', { field: '/querystring/timeout' });
  return { wait: q.wait === 'commit', timeoutMs: q.timeout === undefined ? 30_000 : Number(q.timeout) };
}

/** One envelope per element of a batch body (JSON text of each); throws a problem when it is no JSON array. */
function splitBatch(text: unknown): string[] {
  if (typeof text !== 'string' || text.length === 0) throw new GovchainError('request.invalid', 'request body must be a JSON array of envelopes', { field: '/body' });
  let items: unknown;
  try {
    items = JSON.parse(text);
  } catch (e) {
    throw new GovchainError('request.malformed_json', `request body is not valid JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(items)) throw new GovchainError('request.invalid', 'request body must be a JSON array of envelopes', { field: '/body' });
  if (items.length === 0) throw new GovchainError('request.invalid', 'the batch holds no envelope', { field: '/body' });
  if (items.length > BATCH_MAX_TXS) throw new GovchainError('request.too_large', `the batch holds ${items.length} envelopes; at most ${BATCH_MAX_TXS} per request`, { field: '/body' });
  // Each element goes to the node as text, exactly as a POST /v1/txs body would: the
  // verifier threads parse and check it (an element that is no envelope is refused there).
  return items.map((item) => JSON.stringify(item));
}

/** A batch item's answer. */
type BatchItem = { accepted: true; txid: string; receipt?: CommitReceipt } | { accepted: false; txid?: string; problem: Problem };

export const coreRoutes: FastifyPluginAsync<CoreRoutesOptions> = async (app, { node, admit, requestTimeoutMs, takeIpUnits }) => {
  app.get('/v1/status', { schema: { tags: ['chain'], summary: 'Chain status', response: { 200: Status } } }, async () => {
    const head = node.head();
    return {
      chainId: node.chainId,
      height: head?.height ?? 0,
      logSize: head?.logSize ?? 0,
      stateRoot: head?.stateRoot ?? '0'.repeat(64),
      logRoot: head?.logRoot,
      validators: node.validatorSet().validators.length,
      version: node.version,
      certifiedSize: node.latestCheckpoint()?.checkpoint.size,
      orderer: node.ordererKind,
      protocol: node.protocol(),
    };
  });

  const submitOpts = admit === undefined ? {} : { admit };
  /** How long a ?wait=commit may wait: as asked, but ending 1 s before the server's request timeout. */
  const waitBudget = (asked: number, elapsedMs: number): number => {
    const left = requestTimeoutMs === undefined || requestTimeoutMs <= 0 ? asked : requestTimeoutMs - elapsedMs - 1000;
    return Math.max(1, Math.min(asked, left));
  };

  // Transactions arrive as text: the node parses and checks them on worker threads.
  const keepJsonAsText = (scoped: FastifyInstance, bodyLimit: number): void => {
    scoped.removeContentTypeParser('application/json');
    scoped.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (_req, body, done) => done(null, body));
  };
  await app.register(async (scoped) => {
    keepJsonAsText(scoped, TX_REQUEST_LIMIT);
    scoped.post(
      '/v1/txs',
      {
        bodyLimit: TX_REQUEST_LIMIT,
        schema: {
          tags: ['chain'],
          summary: 'Submit a signed transaction',
          description: 'Checks the envelope (shape, chain, expiry, payload schema, signatures, replay) before ordering. With ?wait=commit, answers 200 with the receipt once committed (or 202 if the wait times out).',
          querystring: SubmitQuery,
          body: Envelope,
          response: { 200: Receipt, 202: SubmitAccepted, ...errors },
        },
        validatorCompiler: () => () => true,
      },
      async (req, reply) => {
        const q = submitQuery(req);
        const text = req.body as string;
        if (typeof text !== 'string' || text.length === 0) throw new GovchainError('tx.malformed', 'request body must be a JSON envelope', { field: '' });
        const { txid } = await node.submit(text, submitOpts);
        if (q.wait) {
          try {
            return await node.waitForCommit(txid, waitBudget(q.timeoutMs, reply.elapsedTime));
          } catch (e) {
            if (e instanceof GovchainError && e.code === 'tx.commit_timeout') return reply.code(202).send({ txid });
            throw e;
          }
        }
        return reply.code(202).send({ txid });
      },
    );
  });

  // Many envelopes per request: one HTTP exchange for up to BATCH_MAX_TXS admissions.
  await app.register(async (scoped) => {
    keepJsonAsText(scoped, BATCH_REQUEST_LIMIT);
    scoped.post(
      '/v1/txs/batch',
      {
        bodyLimit: BATCH_REQUEST_LIMIT,
        schema: {
          tags: ['chain'],
          summary: `Submit up to ${BATCH_MAX_TXS} signed transactions in one request`,
          description:
            `A JSON array of envelopes (at most ${BATCH_MAX_TXS}, ${BATCH_REQUEST_LIMIT / 1024 / 1024} MiB). Each envelope is checked and admitted on its own, exactly as by POST /v1/txs (rate limits and per-signer limits count every envelope); ` +
            'the answer lists one result per envelope in the order of the request: accepted with its txid, or refused with the problem body POST /v1/txs would have answered. ' +
            'Envelopes of one batch are checked in parallel and their order in the chain is not guaranteed; submit a transaction that depends on another once that one committed. ' +
            'Answers 202; with ?wait=commit, 200 once every accepted envelope committed (receipts in the results), or 202 with the receipts so far if the wait timed out. A body that is no JSON array, or an empty one, is a 400; more envelopes or bytes than the limits a 413.',
          querystring: SubmitQuery,
          body: BatchSubmitBody,
          response: { 200: BatchSubmitResult, 202: BatchSubmitResult, ...errors },
        },
        validatorCompiler: () => () => true,
      },
      async (req, reply) => {
        const q = submitQuery(req);
        const texts = splitBatch(req.body);
        // The per-IP limit already counted this request once: count the other envelopes too.
        const ip = takeIpUnits === undefined || texts.length === 1 ? { allowed: texts.length, retryAfterSeconds: 0 } : await takeIpUnits(req, texts.length - 1).then((r) => ({ ...r, allowed: r.allowed + 1 }));
        const results: BatchItem[] = await Promise.all(
          texts.map(async (text, i): Promise<BatchItem> => {
            const instance = `${req.url}#/${i}`;
            try {
              if (i >= ip.allowed) {
                throw new GovchainError('rate.limited', `too many requests from this address: the per-address limit counts every envelope of a batch; retry in ${ip.retryAfterSeconds} s`, {
                  details: { retryAfter: ip.retryAfterSeconds },
                });
              }
              return { accepted: true, txid: (await node.submit(text, submitOpts)).txid };
            } catch (e) {
              if (e instanceof GovchainError) {
                const p = problemFromError(e, instance);
                const txid = e.details?.txid;
                return typeof txid === 'string' ? { accepted: false, txid, problem: p } : { accepted: false, problem: p };
              }
              req.log.error({ err: e }, 'batch item failed');
              return { accepted: false, problem: problem('internal.error', 'internal error', { instance }) };
            }
          }),
        );
        const accepted = results.filter((r) => r.accepted).length;
        if (!q.wait) return reply.code(202).send({ accepted, rejected: results.length - accepted, results });
        const budget = waitBudget(q.timeoutMs, reply.elapsedTime);
        let committed = 0;
        await Promise.all(
          results.map(async (r) => {
            if (!r.accepted) return;
            try {
              r.receipt = await node.waitForCommit(r.txid, budget);
              committed++;
            } catch (e) {
              // A timeout leaves the item accepted without a receipt (it may still commit).
              if (!(e instanceof GovchainError && e.code === 'tx.commit_timeout')) throw e;
            }
          }),
        );
        return reply.code(committed === accepted ? 200 : 202).send({ accepted, rejected: results.length - accepted, committed, results });
      },
    );
  });

  app.get(
    '/v1/txs/:txid',
    { schema: { tags: ['chain'], summary: 'A committed transaction with its receipt', params: Type.Object({ txid: Hex64 }), response: { 200: TxRecord, ...errors } } },
    async (req) => {
      const { txid } = req.params as { txid: string };
      const t = node.getTx(txid);
      if (t === undefined) throw new GovchainError('tx.not_found', `transaction ${txid} is not committed`);
      return t;
    },
  );

  app.get(
    '/v1/blocks/:height',
    { schema: { tags: ['chain'], summary: 'A block header and its txids', params: Type.Object({ height: Type.Integer({ minimum: 1 }) }), response: { 200: Block, ...errors } } },
    async (req) => {
      const { height } = req.params as { height: number };
      const b = node.getBlock(height);
      if (b === undefined) throw new GovchainError('block.not_found', `no block at height ${height}`);
      return { ...b, hash: hashBlockHeader(b.header) };
    },
  );

  app.get(
    '/v1/blocks/:height/txs',
    {
      schema: {
        tags: ['chain'],
        summary: 'A block as ordered: its time and the envelopes it committed (for nodes catching up; re-execute and check against a certified checkpoint)',
        params: Type.Object({ height: Type.Integer({ minimum: 1 }) }),
        response: { 200: OrderedBlockSchema, ...errors },
      },
    },
    async (req) => {
      const { height } = req.params as { height: number };
      const b = node.getBlock(height);
      if (b === undefined) throw new GovchainError('block.not_found', `no block at height ${height}`);
      return { height, time: b.header.time, txs: b.txids.map((txid) => ({ txid, envelope: node.store.tx(txid)!.envelope })) };
    },
  );

  app.get(
    '/v1/evidence',
    { schema: { tags: ['proofs'], summary: 'Equivocation evidence: validators seen signing two different checkpoints for one log size', response: { 200: EvidenceList } } },
    async () => ({ equivocations: node.evidence() }),
  );

  app.get('/v1/validators', { schema: { tags: ['proofs'], summary: 'Validator verifier keys and quorum', response: { 200: Validators } } }, async () => ({
    quorum: node.quorum,
    vkeys: node.vkeys,
  }));

  app.get(
    '/v1/state/:module/*',
    {
      schema: {
        tags: ['proofs'],
        summary: 'A state value, with ?proof=1 a proof against the latest certified checkpoint',
        params: Type.Object({ module: Type.String({ pattern: '^[a-z][a-z0-9_]{0,31}$' }), '*': Type.String({ minLength: 1, maxLength: 512 }) }),
        querystring: StateQuery,
        response: { 200: StateResponse, ...errors },
      },
    },
    async (req) => {
      const p = req.params as { module: string; '*': string };
      const q = req.query as { proof?: string; size?: number };
      if (node.registry.module(p.module) === undefined) throw new GovchainError('module.not_found', `unknown module "${p.module}"`);
      const key = p['*'];
      if (q.proof === '1' || q.proof === 'true') {
        const r = node.proveState(p.module, key, q.size);
        return { value: r.value, proof: smtProofToJson(r.proof), checkpoint: r.checkpoint.note };
      }
      return { value: node.stateValue(p.module, key) ?? null };
    },
  );
};

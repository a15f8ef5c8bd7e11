/** Core chain routes: status, transactions, blocks, validators, state. */
import type { FastifyPluginAsync } from 'fastify';
import { GovchainError, hashBlockHeader, smtProofToJson } from '@govchain/core';
import type { GovchainNode } from '@govchain/node';
import { Block, Envelope, Hex64, Receipt, StateQuery, StateResponse, Status, SubmitAccepted, SubmitQuery, TxRecord, Validators } from '../schemas.js';
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
}

export const coreRoutes: FastifyPluginAsync<CoreRoutesOptions> = async (app, { node, admit, requestTimeoutMs }) => {
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

  // Transactions arrive as text: the node parses and checks them on worker threads.
  await app.register(async (scoped) => {
    scoped.removeContentTypeParser('application/json');
    scoped.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: TX_REQUEST_LIMIT }, (_req, body, done) => done(null, body));
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
        validatorCompiler: ({ httpPart }) => (httpPart === 'body' ? () => true : () => true),
      },
      async (req, reply) => {
        const q = req.query as { wait?: string; timeout?: number };
        if (q.wait !== undefined && q.wait !== 'commit' && q.wait !== 'none') throw new GovchainError('request.invalid', 'wait must be "commit" or "none"', { field: '/querystring/wait' });
        if (q.timeout !== undefined && (!Number.isInteger(Number(q.timeout)) || Number(q.timeout) < 1 || Number(q.timeout) > 60000)) throw new GovchainError('request.invalid', 'timeout must be 1-60000 ms', { field: '/querystring/timeout' });
        const text = req.body as string;
        if (typeof text !== 'string' || text.length === 0) throw new GovchainError('tx.malformed', 'request body must be a JSON envelope', { field: '' });
        const { txid } = await node.submit(text, admit === undefined ? {} : { admit });
        if (q.wait === 'commit') {
          try {
            const asked = q.timeout === undefined ? 30_000 : Number(q.timeout);
            const left = requestTimeoutMs === undefined || requestTimeoutMs <= 0 ? asked : requestTimeoutMs - reply.elapsedTime - 1000;
            return await node.waitForCommit(txid, Math.max(1, Math.min(asked, left)));
          } catch (e) {
            if (e instanceof GovchainError && e.code === 'tx.commit_timeout') return reply.code(202).send({ txid });
            throw e;
          }
        }
        return reply.code(202).send({ txid });
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

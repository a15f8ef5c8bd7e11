/** Proof routes (CONTRACT.md s.3-4): inclusion, consistency, checkpoints. */
import type { FastifyPluginAsync } from 'fastify';
import { GovchainError, toBase64 } from '@govchain/core';
import type { GovchainNode } from '@govchain/node';
import { CheckpointQuery, ConsistencyProof, ConsistencyQuery, InclusionProof, InclusionQuery } from '../schemas.js';

const problemRef = { $ref: 'Problem#' };
const errors = { 400: problemRef, 404: problemRef, 409: problemRef };

export const proofRoutes: FastifyPluginAsync<{ node: GovchainNode }> = async (app, { node }) => {
  app.get(
    '/v1/proofs/inclusion',
    { schema: { tags: ['proofs'], summary: 'RFC 6962 inclusion proof of a transaction receipt', querystring: InclusionQuery, response: { 200: InclusionProof, ...errors } } },
    async (req) => {
      const q = req.query as { txid: string; size?: number };
      const p = node.proveInclusion(q.txid, q.size);
      return { leafIndex: p.leafIndex, treeSize: p.treeSize, leaf: toBase64(p.leaf), hashes: p.hashes.map(toBase64) };
    },
  );

  app.get(
    '/v1/proofs/consistency',
    { schema: { tags: ['proofs'], summary: 'RFC 6962 consistency proof between two certified tree sizes', querystring: ConsistencyQuery, response: { 200: ConsistencyProof, ...errors } } },
    async (req) => {
      const q = req.query as { from: number; to: number };
      if (q.from > q.to) throw new GovchainError('proof.bad_range', 'from must not exceed to', { field: '/querystring/from' });
      return { from: q.from, to: q.to, hashes: node.proveConsistency(q.from, q.to).map(toBase64) };
    },
  );

  app.get(
    '/v1/checkpoint',
    {
      schema: {
        tags: ['proofs'],
        summary: 'The latest certified checkpoint (C2SP signed note), or the one of ?size=N',
        querystring: CheckpointQuery,
        produces: ['text/plain'],
        response: { 200: { type: 'string', description: 'signed note text' }, 404: problemRef },
      },
    },
    async (req, reply) => {
      const q = req.query as { size?: number };
      const cp = q.size === undefined ? node.latestCheckpoint() : node.checkpointAt(q.size);
      if (cp === undefined) throw new GovchainError('checkpoint.not_found', q.size === undefined ? 'no certified checkpoint yet' : `no certified checkpoint of size ${q.size}`);
      reply.type('text/plain; charset=utf-8');
      return cp.note;
    },
  );
};

/** Interoperability routes: anchors of certified checkpoints (docs/interop.md). */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import { GovchainError } from '@govchain/core';
import { anchoredSizeAtLeast, storedAnchor, type GovchainNode } from '@govchain/node';

const problemRef = { $ref: 'Problem#' };
const AnchorsQuery = Type.Object({ atLeast: Type.Optional(Type.Integer({ minimum: 0 })) }, { additionalProperties: false });
const AnchorResponse = Type.Object({
  size: Type.Integer(),
  digest: Type.String({ description: 'hex SHA-256 of the anchored checkpoint body' }),
  checkpoint: Type.String({ description: 'the anchored certified checkpoint (signed note)' }),
  receipts: Type.Array(Type.Object({ type: Type.String(), location: Type.String() }, { additionalProperties: true })),
});

export const interopRoutes: FastifyPluginAsync<{ node: GovchainNode }> = async (app, { node }) => {
  app.get(
    '/v1/anchors',
    {
      schema: {
        tags: ['proofs'],
        summary: 'The first anchored checkpoint of size >= atLeast (default 0), with where it was anchored',
        querystring: AnchorsQuery,
        response: { 200: AnchorResponse, 400: problemRef, 404: problemRef },
      },
    },
    async (req) => {
      const q = req.query as { atLeast?: number };
      const size = anchoredSizeAtLeast(node, q.atLeast ?? 0);
      const a = size === undefined ? undefined : storedAnchor(node, size);
      const cp = size === undefined ? undefined : node.checkpointAt(size);
      if (a === undefined || cp === undefined) throw new GovchainError('anchor.not_found', `no anchored checkpoint of size >= ${q.atLeast ?? 0} yet`);
      return { size: a.record.size, digest: a.record.digest, checkpoint: cp.note, receipts: a.receipts };
    },
  );
};

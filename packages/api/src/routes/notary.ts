/** Routes of the notary module. */
import type { FastifyPluginAsync } from 'fastify';
import { GovchainError } from '@govchain/core';
import type { GovchainNode } from '@govchain/node';
import { Type } from '@sinclair/typebox';
import { Hex64 } from '../schemas.js';

const AnchorRecord = Type.Object({
  digest: Hex64,
  by: Type.String(),
  txid: Hex64,
  height: Type.Integer(),
  time: Type.String(),
  label: Type.Optional(Type.String()),
  mediaType: Type.Optional(Type.String()),
});

export const notaryRoutes: FastifyPluginAsync<{ node: GovchainNode }> = async (app, { node }) => {
  app.get(
    '/v1/notary/anchors/:digest',
    {
      schema: {
        tags: ['notary'],
        summary: 'The anchor of a document digest (use /v1/state/notary/<digest>?proof=1 for a proof)',
        params: Type.Object({ digest: Hex64 }),
        response: { 200: AnchorRecord, 404: { $ref: 'Problem#' } },
      },
    },
    async (req) => {
      const { digest } = req.params as { digest: string };
      const record = node.stateValue('notary', digest);
      if (record === undefined) throw new GovchainError('state.not_found', `digest ${digest} is not anchored`);
      return record;
    },
  );
};

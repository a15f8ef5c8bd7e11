/** Routes of the notary module. */
import type { FastifyPluginAsync } from 'fastify';
import { GovchainError } from '@govchain/core';
import type { GovchainNode } from '@govchain/node';
import { Type } from '@sinclair/typebox';
import { AnchorRecord, Hex64 } from '../schemas.js';

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

/**
 * Routes of public procurement. Before a tender's deadline a bid is only its salted
 * commitment on the ledger, so these routes (like every reader of state) cannot show more.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { GovchainNode } from '@govchain/node';
import type { BidRecord, TenderRecord } from '@govchain/modules';
import { IdParam, recordErrors, recordOr404, recordsWithPrefix } from './registry-records.js';

export const procurementRoutes: FastifyPluginAsync<{ node: GovchainNode }> = async (app, { node }) => {
  const tags = ['procurement'];
  app.get('/v1/procurement/tenders', { schema: { tags, summary: 'Every tender (newest last)' } }, async () => ({
    tenders: recordsWithPrefix<TenderRecord>(node, 'procurement', 'tender/').sort((a, b) => a.published - b.published),
  }));
  app.get(
    '/v1/procurement/tenders/:id',
    { schema: { tags, summary: 'A tender with its bids (commitments only until revealed), scores, award and contracts', params: IdParam, response: recordErrors } },
    async (req) => {
      const { id } = req.params as { id: string };
      const tender = recordOr404(node, 'procurement', `tender/${id}`, `tender ${id}`) as unknown as TenderRecord;
      const bids = tender.bidders.map((d) => node.stateValue('procurement', `bid/${id}/${d}`) as unknown as BidRecord | undefined).filter((b) => b !== undefined);
      const contracts = recordsWithPrefix<{ tender: string }>(node, 'procurement', 'contract/', (c) => c.tender === id);
      return { tender, bids, contracts };
    },
  );
  app.get('/v1/procurement/contracts/:id', { schema: { tags, summary: 'A contract and its milestones', params: IdParam, response: recordErrors } }, async (req) =>
    recordOr404(node, 'procurement', `contract/${(req.params as { id: string }).id}`, 'contract'),
  );
};

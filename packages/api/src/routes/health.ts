/**
 * Routes of health consent: a patient's consents and every recorded access to their
 * records, and the break-glass accesses awaiting review. Only DIDs, categories and
 * digests are on the ledger; health data stays with the providers.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { GovchainNode } from '@govchain/node';
import type { AccessRecord, ConsentRecord } from '@govchain/modules';
import { DidParam, IdParam, recordErrors, recordOr404, recordsWithPrefix } from './registry-records.js';

export const healthRoutes: FastifyPluginAsync<{ node: GovchainNode }> = async (app, { node }) => {
  const tags = ['health'];
  app.get('/v1/health/consents/:id', { schema: { tags, summary: 'A consent', params: IdParam, response: recordErrors } }, async (req) =>
    recordOr404(node, 'health', `consent/${(req.params as { id: string }).id}`, 'consent'),
  );
  app.get('/v1/health/patients/:did/consents', { schema: { tags, summary: "A patient's consents", params: DidParam, response: recordErrors } }, async (req) => {
    const { did } = req.params as { did: string };
    return { consents: recordsWithPrefix<ConsentRecord>(node, 'health', 'consent/', (c) => c.patient === did) };
  });
  app.get(
    '/v1/health/patients/:did/accesses',
    { schema: { tags, summary: 'Every recorded access to a patient\'s records, in order (emergency ones flagged)', params: DidParam, response: recordErrors } },
    async (req) => {
      const { did } = req.params as { did: string };
      const counter = (node.stateValue('health', `accesses/${did}`) as { count: number; flagged: number; reviewed: number } | undefined) ?? { count: 0, flagged: 0, reviewed: 0 };
      const accesses = Array.from({ length: counter.count }, (_, i) => node.stateValue('health', `access/${did}/${i + 1}`) as unknown as AccessRecord);
      return { ...counter, accesses };
    },
  );
  app.get('/v1/health/reviews', { schema: { tags, summary: 'Break-glass accesses not yet reviewed by an auditor' } }, async () => ({
    pending: recordsWithPrefix<AccessRecord>(node, 'health', 'access/', (a) => a.flagged && a.review === undefined),
  }));
};

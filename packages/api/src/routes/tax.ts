/** Routes of the tax registry (reads, and the public aggregate statistics). */
import type { FastifyPluginAsync } from 'fastify';
import type { GovchainNode } from '@govchain/node';
import { Type } from '@sinclair/typebox';
import { Hex64 } from '../schemas.js';
import { DidParam, IdParam, recordErrors, recordOr404 } from './registry-records.js';

const Period = Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$' });

export const taxRoutes: FastifyPluginAsync<{ node: GovchainNode }> = async (app, { node }) => {
  const tags = ['tax'];
  app.get('/v1/tax/taxpayers/:did', { schema: { tags, summary: 'A taxpayer and its status', params: DidParam, response: recordErrors } }, async (req) =>
    recordOr404(node, 'tax', `taxpayer/${(req.params as { did: string }).did}`, 'taxpayer'),
  );
  app.get('/v1/tax/invoices/:digest', { schema: { tags, summary: 'A recorded e-invoice by digest', params: Type.Object({ digest: Hex64 }), response: recordErrors } }, async (req) =>
    recordOr404(node, 'tax', `invoice/${(req.params as { digest: string }).digest}`, 'invoice'),
  );
  app.get(
    '/v1/tax/declarations/:did/:period',
    { schema: { tags, summary: "A taxpayer's declaration for a period, with the recorded invoice totals", params: Type.Object({ did: DidParam.properties.did, period: Period }), response: recordErrors } },
    async (req) => {
      const { did, period } = req.params as { did: string; period: string };
      return { declaration: recordOr404(node, 'tax', `declaration/${did}/${period}`, 'declaration'), recorded: node.stateValue('tax', `totals/${did}/${period}`) ?? null };
    },
  );
  app.get('/v1/tax/assessments/:id', { schema: { tags, summary: 'An assessment and whether it is paid', params: IdParam, response: recordErrors } }, async (req) =>
    recordOr404(node, 'tax', `assessment/${(req.params as { id: string }).id}`, 'assessment'),
  );
  app.get('/v1/tax/stats', { schema: { tags, summary: 'Public aggregate statistics: taxpayers, invoices, net amounts, VAT, declarations, assessed and collected, overall and per period' } }, async () => {
    const byPeriod: Record<string, unknown> = {};
    for (const e of node.store.stateEntries('tax')) if (e.key.startsWith('stats/')) byPeriod[e.key.slice('stats/'.length)] = JSON.parse(e.value);
    const overall = { taxpayers: 0, invoices: 0, amount: 0, vat: 0, declarations: 0, assessed: 0, collected: 0, ...((node.stateValue('tax', 'stats') as object | undefined) ?? {}) };
    return { overall, periods: byPeriod };
  });
};

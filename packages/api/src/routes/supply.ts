/**
 * Routes of supply-chain traceability, including the public verification a QR code on a
 * package points at (`/v1/supply/verify/<batch>`): what the batch is, who made and holds
 * it, its certifications, its origin, and whether it (or anything it came from) is recalled.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { GovchainNode } from '@govchain/node';
import type { BatchRecord } from '@govchain/modules';
import { IdParam, recordErrors, recordOr404 } from './registry-records.js';

export const supplyRoutes: FastifyPluginAsync<{ node: GovchainNode }> = async (app, { node }) => {
  const tags = ['supply'];
  const batch = (id: string): BatchRecord | undefined => node.stateValue('supply', `batch/${id}`) as unknown as BatchRecord | undefined;
  app.get('/v1/supply/batches/:id', { schema: { tags, summary: 'A batch (proof: /v1/state/supply/batch/<id>?proof=1)', params: IdParam, response: recordErrors } }, async (req) =>
    recordOr404(node, 'supply', `batch/${(req.params as { id: string }).id}`, 'batch'),
  );
  app.get(
    '/v1/supply/verify/:id',
    { schema: { tags, summary: 'Public verification of a batch (the target of the QR code on a package)', params: IdParam, response: recordErrors } },
    async (req) => {
      const { id } = req.params as { id: string };
      const b = recordOr404(node, 'supply', `batch/${id}`, `batch ${id}`) as unknown as BatchRecord;
      const now = node.head()?.time ?? new Date(0).toISOString();
      const certifications = b.certifications.map((c) => ({ ...c, valid: Date.parse(c.until) > Date.parse(now) }));
      // Origin: every ancestor batch, nearest first.
      const origin: Array<{ id: string; product: string; producer: string; recalled: boolean }> = [];
      const seen = new Set<string>([id]);
      const queue = b.parents.map((p) => p.batch);
      while (queue.length > 0 && origin.length < 500) {
        const pid = queue.shift()!;
        if (seen.has(pid)) continue;
        seen.add(pid);
        const p = batch(pid);
        if (p === undefined) continue;
        origin.push({ id: p.id, product: p.product, producer: p.producer, recalled: p.recalled !== undefined });
        queue.push(...p.parents.map((x) => x.batch));
      }
      const status = b.recalled !== undefined ? 'recalled' : certifications.some((c) => c.valid) ? 'certified' : 'uncertified';
      return {
        batch: id,
        status,
        product: b.product,
        quantity: b.quantity,
        unit: b.unit,
        producer: b.producer,
        holder: b.holder,
        created: b.time,
        recalled: b.recalled ?? null,
        certifications,
        custody: b.custody,
        origin,
        asOf: { height: node.head()?.height ?? 0, time: now },
        proof: { module: 'supply', key: `batch/${id}`, url: `/v1/state/supply/batch/${id}?proof=1` },
      };
    },
  );
};

/** The registry modules' routes (land, tax, procurement, health, supply), registered together. */
import type { FastifyPluginAsync } from 'fastify';
import type { GovchainNode } from '@govchain/node';
import { landRoutes } from './land.js';
import { taxRoutes } from './tax.js';
import { procurementRoutes } from './procurement.js';
import { healthRoutes } from './health.js';
import { supplyRoutes } from './supply.js';

/** OpenAPI tags of the registry routes. */
export const registryTags = [
  { name: 'land', description: 'Land registry: parcels, history, transfers, mortgages' },
  { name: 'tax', description: 'Taxpayers, e-invoices, declarations, assessments, statistics' },
  { name: 'procurement', description: 'Tenders, sealed bids, awards, contracts' },
  { name: 'health', description: 'Health consent and access records' },
  { name: 'supply', description: 'Supply-chain batches, recalls, public verification' },
];

export const registryRoutes: FastifyPluginAsync<{ node: GovchainNode }> = async (app, opts) => {
  for (const plugin of [landRoutes, taxRoutes, procurementRoutes, healthRoutes, supplyRoutes]) await app.register(plugin, opts);
};

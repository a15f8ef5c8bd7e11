/** Operations routes: Prometheus metrics, liveness and readiness. */
import type { FastifyPluginAsync } from 'fastify';
import type { GovchainNode } from '@govchain/node';

export const opsRoutes: FastifyPluginAsync<{ node: GovchainNode }> = async (app, { node }) => {
  app.get('/metrics', { schema: { tags: ['ops'], summary: 'Prometheus metrics', produces: ['text/plain'] } }, async (_req, reply) => {
    reply.type(node.metrics.registry.contentType);
    return node.metrics.registry.metrics();
  });
  app.get('/healthz', { schema: { tags: ['ops'], summary: 'Liveness: the process answers' } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { tags: ['ops'], summary: 'Readiness: the node commits blocks and serves certified data' } }, async (_req, reply) => {
    if (node.isReady()) return { status: 'ready', height: node.head()?.height ?? 0 };
    return reply.code(503).type('application/problem+json').send({
      type: 'urn:govchain:error:node.not_ready',
      title: 'Service Unavailable',
      status: 503,
      code: 'node.not_ready',
      detail: node.faultReason() ?? 'the node is not started or is stopping',
    });
  });
};

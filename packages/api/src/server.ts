/**
 * The HTTP API (CONTRACT.md s.6): a Fastify server over a GovchainNode. Routes are thin:
 * validate (schema-first), call the node, present. Each module adds its routes as a
 * plugin. Errors leave as RFC 9457 problem bodies.
 */
import { randomUUID } from 'node:crypto';
import { Histogram } from 'prom-client';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { GovchainError } from '@govchain/core';
import type { GovchainNode, WebhookDispatcher } from '@govchain/node';
import { problem, problemFromError } from './problems.js';
import { coreRoutes } from './routes/core.js';
import { proofRoutes } from './routes/proofs.js';
import { eventRoutes } from './routes/events.js';
import { opsRoutes } from './routes/ops.js';
import { notaryRoutes } from './routes/notary.js';
import { adminRoutes } from './routes/admin.js';
import { identityRoutes } from './routes/identity.js';
import { servicesRoutes } from './routes/services.js';
import { registryRoutes, registryTags } from './routes/registries.js';
import { interopRoutes } from './routes/interop.js';
import { Problem } from './schemas.js';
import { findPortalDir, portalMissingPage, registerPortal } from './portal.js';

/** Options of {@link createApiServer}. */
export interface ApiServerOptions {
  node: GovchainNode;
  /** Fastify logger (default off; the node has its own). */
  logger?: boolean | object;
  /** Largest request body in bytes (default 1 MiB; transactions have their own limit). */
  bodyLimit?: number;
  /** The webhook dispatcher the admin routes manage (none: admin routes answer 403). */
  webhooks?: WebhookDispatcher;
  /** Bearer token of the admin routes (`adminToken` of node.json). */
  adminToken?: string;
  /** Folder of the built web portal served at `/` (default: @govchain/portal's dist, when built); `false` for none. */
  portalDir?: string | false;
}

/** Build the API server (not listening yet; call `listen`). */
export async function createApiServer(opts: ApiServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(given) ? given : randomUUID();
    },
    logger: opts.logger ?? false,
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    requestTimeout: 30_000,
    connectionTimeout: 60_000,
    keepAliveTimeout: 10_000,
    return503OnClosing: true,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  });
  app.addSchema(Problem);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'govchain API', version: '0.1.0', description: 'Permissioned, verifiable ledger for government services. Errors are RFC 9457 problem details (see docs/errors.md).' },
      tags: [
        { name: 'chain', description: 'Transactions, blocks, status' },
        { name: 'proofs', description: 'Inclusion, consistency and state proofs; checkpoints' },
        { name: 'events', description: 'Server-Sent Events' },
        { name: 'ops', description: 'Health and metrics' },
        { name: 'notary', description: 'Notary module' },
        { name: 'admin', description: 'Operator-only routes (Authorization: Bearer <adminToken of node.json>)' },
        { name: 'identity', description: 'DIDs, agencies, governance and sign-in' },
        { name: 'services', description: 'Services, applications, private documents, credentials, payments' },
        ...registryTags,
      ],
      components: { securitySchemes: { adminToken: { type: 'http', scheme: 'bearer', description: 'adminToken of the node\'s node.json' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  // API latency per route and status, in the node's registry (docs/observability.md);
  // every response names its request id (X-Request-Id, taken from the caller when given).
  const httpSeconds =
    (opts.node.metrics.registry.getSingleMetric('govchain_http_request_seconds') as Histogram<'method' | 'route' | 'status'> | undefined) ??
    new Histogram({
      name: 'govchain_http_request_seconds',
      help: 'HTTP request latency by route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 30],
      registers: [opts.node.metrics.registry],
    });
  app.addHook('onRequest', async (req, reply) => {
    void reply.header('x-request-id', req.id);
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    httpSeconds.observe({ method: req.method, route: route.startsWith('/v1/events') ? '/v1/events' : route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  // Strict content types: request bodies are JSON, nothing else (415 otherwise).
  app.removeContentTypeParser('text/plain');

  app.setErrorHandler((err: any, req: FastifyRequest, reply: FastifyReply) => {
    let body;
    if (err instanceof GovchainError) body = problemFromError(err, req.url);
    else if (err.validation) {
      const v = err.validation[0];
      const where = err.validationContext ?? 'request';
      const field = `/${where}${v?.instancePath ?? ''}`;
      body = problem('request.invalid', `${where}${v?.instancePath ?? ''} ${v?.message ?? 'is invalid'}`, { field, instance: req.url });
    } else if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') body = problem('request.too_large', `request body exceeds ${err.message.match(/\d+/)?.[0] ?? 'the'} byte limit`, { instance: req.url });
    else if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') body = problem('request.unsupported_media_type', 'unsupported Content-Type; send application/json', { instance: req.url });
    else if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError) body = problem('request.malformed_json', `request body is not valid JSON: ${err.message}`, { instance: req.url });
    else if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) body = problem('request.invalid', err.message, { instance: req.url });
    else {
      req.log.error({ err }, 'unhandled error');
      body = problem('internal.error', 'internal error', { instance: req.url });
    }
    void reply.code(body.status).type('application/problem+json').send(body);
  });
  let portalFallback: ((method: string, path: string, reply: FastifyReply) => boolean) | undefined;
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0]!;
    if (portalFallback?.(req.method, path, reply)) return;
    const body = problem('route.not_found', `no route ${req.method} ${path}`, { instance: req.url });
    void reply.code(404).type('application/problem+json').send(body);
  });

  const node = opts.node;
  await app.register(coreRoutes, { node });
  await app.register(proofRoutes, { node });
  await app.register(eventRoutes, { node });
  await app.register(opsRoutes, { node });
  await app.register(notaryRoutes, { node });
  await app.register(adminRoutes, { webhooks: opts.webhooks, adminToken: opts.adminToken });
  await app.register(identityRoutes, { node });
  await app.register(servicesRoutes, { node });
  await app.register(registryRoutes, { node });
  await app.register(interopRoutes, { node });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  const portalDir = opts.portalDir === undefined ? findPortalDir() : opts.portalDir;
  if (portalDir !== false && portalDir !== undefined) portalFallback = await registerPortal(app, portalDir);
  else {
    app.get('/', { schema: { hide: true } }, async (_req, reply) => {
      reply.type('text/html; charset=utf-8');
      return portalMissingPage(node.chainId);
    });
  }
  return app;
}

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
import cors from '@fastify/cors';
import helmet from 'helmet';
import rateLimit from '@fastify/rate-limit';
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
import { createSignerRateLimiter } from './signer-limit.js';
import { findPortalDir, portalMissingPage, registerPortal } from './portal.js';

/** Options of {@link createApiServer}. */
export interface ApiServerOptions {
  node: GovchainNode;
  /** Fastify logger (default off; the node has its own). */
  logger?: boolean | object;
  /** Largest request body in bytes on routes other than POST /v1/txs (default 16 KiB). */
  bodyLimit?: number;
  /** Abuse limits (defaults in {@link DEFAULT_RATE_LIMIT}); `false` turns them off (benchmarks). */
  rateLimit?: false | Partial<RateLimitOptions>;
  /**
   * Origins allowed to call the API from a web page on another origin (CORS), e.g.
   * `https://portal.example.gov`; `['*']` allows any. Default: none (same-origin only).
   */
  corsOrigins?: readonly string[];
  /** Slow-client protection (defaults in {@link DEFAULT_TIMEOUTS}). */
  timeouts?: Partial<ServerTimeouts>;
  /** The webhook dispatcher the admin routes manage (none: admin routes answer 403). */
  webhooks?: WebhookDispatcher;
  /** Bearer token of the admin routes (`adminToken` of node.json). */
  adminToken?: string;
  /** Folder of the built web portal served at `/` (default: @govchain/portal's dist, when built); `false` for none. */
  portalDir?: string | false;
}

/** Request rate limits. */
export interface RateLimitOptions {
  /** Requests per client IP per window. */
  perIp: number;
  /** Submitted transactions per signer DID per window (counted once the signature verifies). */
  perSigner: number;
  windowMs: number;
  /** IPs exempt from the per-IP limit. */
  allowList: string[];
}

/** Default rate limits: 6,000 requests per IP and 600 transactions per signer per minute. */
export const DEFAULT_RATE_LIMIT: Readonly<RateLimitOptions> = { perIp: 6000, perSigner: 600, windowMs: 60_000, allowList: [] };

/** Server timeouts (Node http server settings), in ms. */
export interface ServerTimeouts {
  /** Time to receive the complete request head (slow-loris headers). */
  headersMs: number;
  /** Time to receive the complete request, body included (slow bodies). */
  requestMs: number;
  /** Idle time of a kept-alive connection between requests. */
  keepAliveMs: number;
  /** Idle time of a socket with nothing sent or received (SSE streams send heartbeats). */
  idleMs: number;
}

/** Default timeouts: 10 s for headers, 30 s for a whole request, 5 s keep-alive, 60 s idle. */
export const DEFAULT_TIMEOUTS: Readonly<ServerTimeouts> = { headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000, idleMs: 60_000 };

/** Content-Security-Policy of every page but the Swagger UI (which sets its own, with hashes). */
const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  baseUri: ["'self'"],
  connectSrc: ["'self'"],
  fontSrc: ["'self'", 'data:'],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  imgSrc: ["'self'", 'data:'],
  objectSrc: ["'none'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  // Nodes often serve plain HTTP on a LAN or localhost: do not force https subresources.
  upgradeInsecureRequests: null,
};

/** The headers helmet sets (with {@link CSP_DIRECTIVES}), collected once from its middleware. */
function staticSecurityHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: string | number | readonly string[]) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  helmet({ contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES } })({} as never, res as never, (err?: unknown) => {
    if (err !== undefined && err !== null) throw err;
  });
  return headers;
}

/** Build the API server (not listening yet; call `listen`). */
export async function createApiServer(opts: ApiServerOptions): Promise<FastifyInstance> {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...opts.timeouts };
  const limits = opts.rateLimit === false ? undefined : { ...DEFAULT_RATE_LIMIT, ...opts.rateLimit };
  const app = Fastify({
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(given) ? given : randomUUID();
    },
    logger: opts.logger ?? false,
    bodyLimit: opts.bodyLimit ?? 16 * 1024,
    // Slow-loris: the head and the whole request must arrive in time; Node checks
    // pending requests every `connectionsCheckingInterval` ms.
    http: { headersTimeout: timeouts.headersMs, connectionsCheckingInterval: Math.min(1000, timeouts.headersMs) },
    requestTimeout: timeouts.requestMs,
    connectionTimeout: timeouts.idleMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    return503OnClosing: true,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
    // Errors raised by the router before any route runs (e.g. a bad percent-escape in
    // the path, found by fuzzing) also leave as problem bodies.
    frameworkErrors: (err: any, req: FastifyRequest, reply: any) => {
      const body = problem('request.invalid', err.code === 'FST_ERR_BAD_URL' ? 'the URL is not valid (bad percent-encoding)' : err.message, { instance: req.url });
      void reply.code(body.status).type('application/problem+json').send(body);
    },
  });
  app.addSchema(Problem);

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
  app.addHook('onRequest', (req, reply, done) => {
    void reply.header('x-request-id', req.id);
    done();
  });
  // One histogram child per (method, route, status), kept: prom-client would otherwise hash
  // the label set on every request. Routes are the registered patterns, so the set is bounded.
  const httpChildren = new Map<string, { observe(v: number): void }>();
  app.addHook('onResponse', (req, reply, done) => {
    const url = req.routeOptions.url ?? 'unmatched';
    const route = url.startsWith('/v1/events') ? '/v1/events' : url;
    const key = `${req.method} ${route} ${reply.statusCode}`;
    let child = httpChildren.get(key);
    if (child === undefined) {
      child = httpSeconds.labels({ method: req.method, route, status: String(reply.statusCode) });
      httpChildren.set(key, child);
    }
    child.observe(reply.elapsedTime / 1000);
    done();
  });

  // Set before any plugin adds routes: a route keeps the error handler in force when it
  // was added (fuzzing found CORS's OPTIONS route answering with Fastify's own 415 body).
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
    if (body.status === 429 || body.status === 503) {
      const after = typeof body.retryAfter === 'number' ? body.retryAfter : 1;
      if (!reply.hasHeader('retry-after')) void reply.header('retry-after', String(after));
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


  // Security headers on every response; the Swagger UI replaces the CSP with its own (in
  // its onSend hook). Helmet's headers do not depend on the request: they are computed once
  // here (the @fastify/helmet plugin rebuilt helmet's middleware, directives parsed, on
  // every request: 3 % of the CPU of a POST /v1/txs).
  const securityHeaders = staticSecurityHeaders();
  app.addHook('onRequest', (_req, reply, done) => {
    void reply.headers(securityHeaders);
    done();
  });
  // CORS: same-origin only unless origins are configured.
  const origins = opts.corsOrigins ?? [];
  await app.register(cors, { origin: origins.includes('*') ? true : origins.length === 0 ? false : [...origins], methods: ['GET', 'HEAD', 'POST'], exposedHeaders: ['Retry-After', 'Location'] });
  // Per-IP request rate limit (429 + Retry-After, as a problem body via the error handler).
  if (limits !== undefined) {
    await app.register(rateLimit, {
      global: true,
      max: limits.perIp,
      timeWindow: limits.windowMs,
      allowList: limits.allowList,
      errorResponseBuilder: (_req, ctx) =>
        new GovchainError('rate.limited', `too many requests from this address (${ctx.max} per ${Math.round(limits.windowMs / 1000)} s); retry in ${ctx.after}`, {
          details: { retryAfter: Math.max(1, Math.ceil(ctx.ttl / 1000)) },
        }),
    });
  }
  const signerLimit = limits === undefined ? undefined : createSignerRateLimiter({ max: limits.perSigner, windowMs: limits.windowMs });
  // The same per-IP counter, taken once more per extra envelope of a batch (POST /v1/txs/batch).
  const ipLimit = limits === undefined ? undefined : app.createRateLimit();
  const takeIpUnits =
    ipLimit === undefined
      ? undefined
      : async (req: FastifyRequest, n: number): Promise<{ allowed: number; retryAfterSeconds: number }> => {
          let allowed = 0;
          let retryAfterSeconds = 1;
          for (let i = 0; i < n; i++) {
            const r = await ipLimit(req);
            if (r.isAllowed) return { allowed: n, retryAfterSeconds: 0 }; // allow-listed address
            if (r.isExceeded) {
              retryAfterSeconds = Math.max(1, r.ttlInSeconds);
              break;
            }
            allowed++;
          }
          return { allowed, retryAfterSeconds };
        };

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
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    // The UI's own CSP (script hashes from the plugin), adjusted: the UI injects <style>
    // elements at run time (a browser test caught the violation), so styles may be inline
    // (a hash list would disable 'unsafe-inline'); no third-party validator badge; plain
    // HTTP subresources keep working.
    staticCSP: true,
    transformStaticCSP: (header) =>
      header
        .replace(/\s*upgrade-insecure-requests;?/, '')
        .replace(/style-src [^;]*;/, "style-src 'self' 'unsafe-inline';")
        .replace(/ validator\.swagger\.io/, ''),
    uiConfig: { validatorUrl: null },
  });

  // Strict content types: request bodies are JSON, nothing else (415 otherwise).
  app.removeContentTypeParser('text/plain');

  const node = opts.node;
  await app.register(coreRoutes, {
    node,
    requestTimeoutMs: timeouts.requestMs,
    ...(takeIpUnits === undefined ? {} : { takeIpUnits }),
    ...(signerLimit === undefined
      ? {}
      : {
          admit: (tx: { signer: string }) => {
            const r = signerLimit.take(tx.signer);
            if (!r.ok) {
              throw new GovchainError('rate.limited', `too many transactions from ${tx.signer} (${limits!.perSigner} per ${Math.round(limits!.windowMs / 1000)} s); retry in ${r.retryAfterSeconds} s`, {
                details: { retryAfter: r.retryAfterSeconds },
              });
            }
          },
        }),
  });
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

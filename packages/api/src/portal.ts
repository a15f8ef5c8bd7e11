/**
 * The web portal (packages/portal, built by Vite into its dist/) served at `/`. Files are
 * served by @fastify/static; any other GET of a non-API path (e.g. /blocks/7, a portal
 * route opened directly) gets index.html, so the portal's history router can take over.
 * API paths (/v1/*, /docs*, /openapi.json, /metrics, /healthz, /readyz) are never answered
 * with HTML: an unknown one stays a 404 problem body. Hashed assets are cached for a year;
 * index.html is revalidated on every visit and carries a strict Content-Security-Policy.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fastifyStatic from '@fastify/static';

/** CSP of the portal: its own scripts, styles and API only; no framing. */
export const PORTAL_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

const API_ROOTS = ['/v1', '/docs', '/openapi.json', '/metrics', '/healthz', '/readyz'];

/** True for paths that belong to the API (a root or below it): never answered with the portal page. */
export function isApiPath(path: string): boolean {
  return API_ROOTS.some((r) => path === r || path.startsWith(`${r}/`));
}

/** The built portal's folder (with index.html), or undefined when it was not built. */
export function findPortalDir(): string | undefined {
  try {
    const pkg = fileURLToPath(import.meta.resolve('@govchain/portal/package.json'));
    const dir = join(dirname(pkg), 'dist');
    return existsSync(join(dir, 'index.html')) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Serve the portal from `dir`. Returns the SPA fallback for the not-found handler: it
 * answers (and returns true) for a GET/HEAD of a non-API path without a file extension.
 */
export async function registerPortal(app: FastifyInstance, dir: string): Promise<(method: string, path: string, reply: FastifyReply) => boolean> {
  const index = readFileSync(join(dir, 'index.html'));
  const htmlHeaders = (reply: FastifyReply): FastifyReply =>
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('content-security-policy', PORTAL_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer');
  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    wildcard: false,
    decorateReply: false,
    index: false,
    setHeaders(res, path) {
      res.header('x-content-type-options', 'nosniff');
      if (path.includes(`${join('/', 'assets')}/`)) res.header('cache-control', 'public, max-age=31536000, immutable');
      else res.header('cache-control', 'no-cache');
      if (path.endsWith('.html')) res.header('content-security-policy', PORTAL_CSP);
    },
  });
  app.get('/', { schema: { hide: true } }, async (_req, reply) => htmlHeaders(reply).send(index));
  return (method, path, reply) => {
    if ((method !== 'GET' && method !== 'HEAD') || isApiPath(path) || /\.[A-Za-z0-9]+$/.test(path)) return false;
    void htmlHeaders(reply).code(200).send(index);
    return true;
  };
}

/** The page at `/` when the portal was not built (e.g. `tsc -b` alone). */
export function portalMissingPage(chainId: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>govchain</title></head>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem">
<h1>govchain</h1><p>Chain <code>${chainId.replace(/[<>&"]/g, '')}</code>. The web portal is not built: run <code>npm run build</code>.</p>
<ul><li><a href="/docs">API documentation</a> (<a href="/openapi.json">OpenAPI</a>)</li><li><a href="/v1/status">Status</a></li><li><a href="/v1/checkpoint">Latest checkpoint</a></li></ul></body></html>`;
}

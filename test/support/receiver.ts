/** A real HTTP webhook receiver for tests: checks signatures, de-duplicates by idempotency key. */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** What the receiver saw. */
export interface Receiver {
  url: string;
  /** Every request, in arrival order. */
  requests: Array<{ key: string; body: string; signatureOk: boolean }>;
  /** Idempotency keys processed (once each), in processing order. */
  processed: string[];
  /** Requests whose key had already been processed. */
  duplicates: number;
  close(): Promise<void>;
}

/**
 * Start a receiver on 127.0.0.1. `plan(n, key)` decides the answer to request n (1-based):
 * a status code, or 'hold' to process the event and answer only after `holdMs`.
 */
export async function startReceiver(secret: string, plan: (n: number, key: string) => number | 'hold' = () => 200, holdMs = 3000): Promise<Receiver> {
  const r: Receiver = { url: '', requests: [], processed: [], duplicates: 0, close: async () => {} };
  const seen = new Set<string>();
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const key = String(req.headers['idempotency-key'] ?? '');
      const expected = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
      const signatureOk = req.headers['x-govchain-signature'] === expected;
      r.requests.push({ key, body, signatureOk });
      const action = plan(r.requests.length, key);
      if (!signatureOk) {
        res.writeHead(401).end();
        return;
      }
      if (typeof action === 'number' && action >= 300) {
        res.writeHead(action).end();
        return;
      }
      // Process (idempotently), then acknowledge.
      if (seen.has(key)) r.duplicates++;
      else {
        seen.add(key);
        r.processed.push(key);
      }
      if (action === 'hold') setTimeout(() => res.writeHead(200).end(), holdMs).unref();
      else res.writeHead(action).end();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hooks/govchain`;
  r.close = () =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return r;
}

/** Poll until `cond` holds (or throw after `ms`). */
export async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

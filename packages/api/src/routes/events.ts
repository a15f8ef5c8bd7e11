/**
 * Server-Sent Events (CONTRACT.md s.6): one event per committed transaction, `id` = its
 * log leaf index, `data` = its receipt. A client that reconnects with `Last-Event-ID`
 * (or `?from=`) receives every later event, then live ones.
 *
 * Every event is read from storage (the receipt is the log leaf, durable before a commit
 * is announced), so replay and live events are one stream and the node holds no backlog
 * for a client: it writes a chunk, and when the client's socket stops taking data it waits
 * for the socket to drain before reading more. A client that takes nothing for
 * `STALL_MS` is disconnected (it can resume with Last-Event-ID).
 */
import type { Writable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import { fromUtf8 } from '@govchain/core';
import type { GovchainNode } from '@govchain/node';
import { Type } from '@sinclair/typebox';

const HEARTBEAT_MS = 15_000;
const CHUNK = 500;
const STALL_MS = 60_000;

/** What the stream needs of a node: its committed log size, its leaves and its commits. */
export interface EventSource {
  head(): { logSize: number } | undefined;
  readonly store: { leaf(index: number): Uint8Array | undefined };
  onCommit(listener: () => void): () => void;
}

/**
 * Write the events from leaf `from` on to `out`, as they commit, until `out` closes;
 * returns the function that stops the stream.
 */
export function streamEvents(source: EventSource, out: Writable, from: number, opts: { stallMs?: number } = {}): () => void {
  const stallMs = opts.stallMs ?? STALL_MS;
  let next = from;
  let closed = false;
  let pumping = false;
  // Resolves when the socket drained, closed or stalled too long (then it is destroyed).
  const drained = (): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        out.off('drain', done);
        out.off('close', done);
        resolve();
      };
      const timer = setTimeout(() => {
        out.destroy();
        done();
      }, stallMs);
      out.once('drain', done);
      out.once('close', done);
    });
  const pump = async (): Promise<void> => {
    if (pumping) return;
    pumping = true;
    try {
      while (!closed && !out.destroyed) {
        const size = source.head()?.logSize ?? 0;
        if (next >= size) break;
        const end = Math.min(size, next + CHUNK);
        let room = true;
        for (; next < end; next++) {
          const leaf = source.store.leaf(next);
          if (leaf === undefined) return; // not readable yet: the next commit resumes
          room = out.write(`id: ${next}\nevent: tx\ndata: ${fromUtf8(leaf)}\n\n`);
        }
        // Yield between chunks; wait for the client while its socket is full.
        await (room ? new Promise((r) => setImmediate(r)) : drained());
      }
    } finally {
      pumping = false;
    }
  };
  const unsubscribe = source.onCommit(() => void pump());
  const heartbeat = setInterval(() => {
    if (!out.writableNeedDrain) out.write(': keep-alive\n\n');
  }, HEARTBEAT_MS);
  heartbeat.unref();
  const stop = (): void => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    unsubscribe();
  };
  out.on('close', stop);
  out.on('error', stop);
  void pump();
  return stop;
}

export const eventRoutes: FastifyPluginAsync<{ node: GovchainNode }> = async (app, { node }) => {
  app.get(
    '/v1/events',
    {
      schema: {
        tags: ['events'],
        summary: 'Committed transactions as Server-Sent Events (resumable with Last-Event-ID)',
        querystring: Type.Object({ from: Type.Optional(Type.Integer({ minimum: 0, description: 'first leaf index to send' })) }),
        produces: ['text/event-stream'],
      },
    },
    async (req, reply) => {
      const q = req.query as { from?: number };
      const lastId = req.headers['last-event-id'];
      let from = q.from ?? 0;
      if (typeof lastId === 'string' && /^\d+$/.test(lastId)) from = Number(lastId) + 1;
      else if (q.from === undefined) from = node.head()?.logSize ?? 0; // new subscribers start live
      reply.hijack();
      const res = reply.raw;
      // A hijacked reply sends none of the headers set on it so far (security headers,
      // request id, CORS): pass them on.
      res.writeHead(200, { ...(reply.getHeaders() as Record<string, string>), 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      res.write(': govchain events\n\n');
      const stop = streamEvents(node, res, from);
      req.raw.on('close', stop);
    },
  );
};

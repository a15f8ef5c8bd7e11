/**
 * Server-Sent Events (CONTRACT.md s.6): one event per committed transaction, `id` = its
 * log leaf index, `data` = its receipt. A client that reconnects with `Last-Event-ID`
 * (or `?from=`) receives every later event, replayed from storage, then live ones.
 */
import type { FastifyPluginAsync } from 'fastify';
import { fromUtf8 } from '@govchain/core';
import type { CommitEvent, GovchainNode } from '@govchain/node';
import { Type } from '@sinclair/typebox';

const HEARTBEAT_MS = 15_000;
const REPLAY_CHUNK = 500;

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
      let next = q.from ?? 0;
      if (typeof lastId === 'string' && /^\d+$/.test(lastId)) next = Number(lastId) + 1;
      else if (q.from === undefined) next = node.head()?.logSize ?? 0; // new subscribers start live
      reply.hijack();
      const res = reply.raw;
      // A hijacked reply sends none of the headers set on it so far (security headers,
      // request id, CORS): pass them on.
      res.writeHead(200, { ...(reply.getHeaders() as Record<string, string>), 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      res.write(': govchain events\n\n');
      let closed = false;
      let live: CommitEvent[] = [];
      let replaying = true;
      const send = (leafIndex: number, receiptJson: string): boolean => res.write(`id: ${leafIndex}\nevent: tx\ndata: ${receiptJson}\n\n`);
      const unsubscribe = node.onCommit((e) => {
        if (replaying) live.push(e);
        else flushEvent(e);
      });
      const flushEvent = (e: CommitEvent): void => {
        e.receipts.forEach((r, i) => {
          const idx = e.firstLeafIndex + i;
          if (idx >= next) {
            send(idx, JSON.stringify(r));
            next = idx + 1;
          }
        });
      };
      const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
      heartbeat.unref();
      const close = (): void => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        unsubscribe();
      };
      req.raw.on('close', close);
      res.on('error', close);
      // Replay from storage in chunks, yielding between them.
      while (!closed) {
        const size = node.head()?.logSize ?? 0;
        if (next >= size) break;
        const end = Math.min(size, next + REPLAY_CHUNK);
        for (let i = next; i < end; i++) {
          const leaf = node.store.leaf(i);
          if (leaf === undefined) break;
          send(i, fromUtf8(leaf));
          next = i + 1;
        }
        await new Promise((r) => setImmediate(r));
      }
      replaying = false;
      for (const e of live) flushEvent(e);
      live = [];
    },
  );
};

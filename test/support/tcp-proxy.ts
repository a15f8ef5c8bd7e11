/**
 * A TCP proxy a test can cut: it forwards 127.0.0.1:<port> to a target until `partition()`,
 * which drops every forwarded connection and from then on accepts new ones without ever
 * forwarding or answering a byte (a black hole, like a network partition: the client learns
 * only from its own timeouts). `heal()` closes the held connections and forwards again.
 * `slow(ms)` delays every forwarded chunk by `ms`, each way, in order (a slow link).
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** A running proxy. */
export interface TcpProxy {
  port: number;
  url(scheme: string): string;
  partition(): void;
  heal(): void;
  /** Delay every forwarded chunk by `ms` in each direction (0: no delay). */
  slow(ms: number): void;
  close(): Promise<void>;
}

/** Start a proxy to `port` on 127.0.0.1. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  const held = new Set<Socket>();
  let cut = false;
  let delayMs = 0;
  /** Forward `from` to `to`, each chunk `delayMs` later but never before the previous one. */
  const forward = (from: Socket, to: Socket): void => {
    let last = 0;
    from.on('data', (chunk: Buffer) => {
      if (delayMs === 0 && last <= Date.now()) {
        to.write(chunk);
        return;
      }
      last = Math.max(Date.now() + delayMs, last);
      setTimeout(() => to.writable && to.write(chunk), last - Date.now());
    });
  };
  const server: Server = createServer((client) => {
    client.on('error', () => {});
    if (cut) {
      held.add(client);
      client.pause();
      client.on('close', () => held.delete(client));
      return;
    }
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const drop = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', drop);
    upstream.on('close', drop);
    forward(client, upstream);
    forward(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url: (scheme) => `${scheme}://127.0.0.1:${port}`,
    partition() {
      cut = true;
      // Forwarded connections go silent (no FIN, no RST reaches the client): unpipe and
      // hold the client side open.
      for (const [client, upstream] of pairs) {
        pairs.delete([client, upstream]);
        client.removeAllListeners('close');
        upstream.removeAllListeners('close');
        client.removeAllListeners('data');
        upstream.removeAllListeners('data');
        upstream.destroy();
        client.pause();
        held.add(client);
      }
      pairs.clear();
    },
    slow(ms) {
      delayMs = ms;
    },
    heal() {
      cut = false;
      for (const s of held) s.destroy();
      held.clear();
    },
    async close() {
      for (const s of held) s.destroy();
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

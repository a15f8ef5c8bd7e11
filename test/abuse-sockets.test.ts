// Slow-client protection over real sockets: a client that sends its headers or its body
// a byte at a time (slow loris), or idles on a kept-alive connection, is cut off by the
// server's timeouts while everyone else keeps being served; oversized headers are refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { createApiServer } from '@govchain/api';
import { createKey, GovchainNode } from '@govchain/node';
import type { FastifyInstance } from 'fastify';
import { anchorTx, demoChain, openSlowNode, startNode } from './support/chain.js';

let chain: ReturnType<typeof demoChain>;
let node: GovchainNode;
let app: FastifyInstance;
let port: number;
const TIMEOUTS = { headersMs: 500, requestMs: 1500, keepAliveMs: 400, idleMs: 5000 };

before(async () => {
  chain = demoChain();
  node = await startNode(chain.dir);
  app = await createApiServer({ node, timeouts: TIMEOUTS, rateLimit: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as { port: number }).port;
});
after(async () => {
  await app.close();
  await node.stop();
  chain.cleanup();
});

/** Open a raw socket; resolves when connected. Collects what the server sends and when it closes. */
function rawSocket(): Promise<{ socket: Socket; received: () => string; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    const t0 = performance.now();
    const closed = new Promise<number>((r) => socket.on('close', () => r(performance.now() - t0)));
    socket.on('data', (d) => (data += d.toString('latin1')));
    socket.on('error', () => {});
    socket.on('connect', () => resolve({ socket, received: () => data, closed }));
    socket.on('error', reject);
  });
}

/** Write `chunks` one every `everyMs` until the socket closes. */
function drip(socket: Socket, chunks: () => string, everyMs: number): () => void {
  const timer = setInterval(() => {
    if (!socket.destroyed) socket.write(chunks());
  }, everyMs);
  return () => clearInterval(timer);
}

test('slow loris: headers sent a line at a time are cut off after the headers timeout (408), others are served meanwhile', async () => {
  const lorises = await Promise.all(Array.from({ length: 20 }, rawSocket));
  const stops = lorises.map(({ socket }) => {
    socket.write('GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    let n = 0;
    return drip(socket, () => `X-Slow-${n++}: a\r\n`, 100);
  });
  // A normal client is served while twenty slow ones hold connections.
  const res = await fetch(`http://127.0.0.1:${port}/v1/status`);
  assert.equal(res.status, 200);
  const times = await Promise.all(lorises.map((l) => l.closed));
  stops.forEach((s) => s());
  for (const [i, ms] of times.entries()) {
    assert.ok(ms < TIMEOUTS.headersMs + 2000, `loris ${i} held its connection ${ms.toFixed(0)} ms`);
    assert.match(lorises[i]!.received(), /^HTTP\/1\.1 408/);
  }
});

test('slow body: a body sent a byte at a time is cut off after the request timeout (408)', async () => {
  const { socket, received, closed } = await rawSocket();
  socket.write('POST /v1/txs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{');
  const stop = drip(socket, () => ' ', 100);
  const ms = await closed;
  stop();
  assert.ok(ms < TIMEOUTS.requestMs + 2000, `slow body held its connection ${ms.toFixed(0)} ms`);
  assert.match(received(), /^HTTP\/1\.1 408/);
});

test('idle keep-alive connections are closed after the keep-alive timeout', async () => {
  const { socket, received, closed } = await rawSocket();
  socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
  const ms = await closed;
  assert.match(received(), /^HTTP\/1\.1 200/);
  assert.ok(ms < TIMEOUTS.keepAliveMs + 1500, `idle connection kept ${ms.toFixed(0)} ms`);
});

test('oversized request headers are refused with 431 before any route runs', async () => {
  const { socket, received, closed } = await rawSocket();
  socket.write(`GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(32 * 1024)}\r\n\r\n`);
  await closed;
  assert.match(received(), /^HTTP\/1\.1 431/);
  assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
});

test('a ?wait=commit longer than the request timeout ends in a 202 before the server would cut it (408)', { timeout: 30_000 }, async () => {
  // A node whose next block is 4 s away, behind a server with a 1.5 s request timeout.
  const slowChain = demoChain();
  const slow = await openSlowNode(slowChain.dir, { blockIntervalMs: 4000 });
  const slowApp = await createApiServer({ node: slow, timeouts: TIMEOUTS, rateLimit: false });
  await slowApp.listen({ host: '127.0.0.1', port: 0 });
  try {
    const url = `http://127.0.0.1:${(slowApp.server.address() as { port: number }).port}`;
    const t0 = performance.now();
    const res = await fetch(`${url}/v1/txs?wait=commit&timeout=60000`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(anchorTx(createKey())) });
    const ms = performance.now() - t0;
    assert.equal(res.status, 202, 'the wait ends before the request timeout');
    assert.ok(ms < TIMEOUTS.requestMs, `answered after ${ms.toFixed(0)} ms`);
    assert.match(((await res.json()) as { txid: string }).txid, /^[0-9a-f]{64}$/);
  } finally {
    await slowApp.close();
    await slow.stop();
    slowChain.cleanup();
  }
});

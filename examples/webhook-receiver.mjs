#!/usr/bin/env node
// A webhook receiver for an existing system: checks the HMAC-SHA256 signature of each
// delivery, processes each idempotency key once (deliveries are at-least-once), answers
// 2xx only after processing. Prints one JSON line per processed event.
//
//   WEBHOOK_SECRET=... PORT=9000 node examples/webhook-receiver.mjs
//   govchain webhook add --url http://127.0.0.1:9000/govchain --secret ... --type notary.anchor
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const secret = process.env.WEBHOOK_SECRET;
if (secret === undefined || secret.length < 16) {
  console.error('set WEBHOOK_SECRET (at least 16 characters)');
  process.exit(2);
}
const processed = new Set(); // a real system keeps this in its database, in the same transaction as the effect

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
    const given = Buffer.from(String(req.headers['x-govchain-signature'] ?? ''));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.writeHead(401).end();
      return;
    }
    const key = String(req.headers['idempotency-key']);
    if (!processed.has(key)) {
      processed.add(key);
      const event = JSON.parse(body.toString('utf8'));
      console.log(JSON.stringify({ key, type: event.type, txid: event.receipt.txid, status: event.receipt.status }));
    }
    res.writeHead(204).end();
  });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.error(`listening on http://127.0.0.1:${server.address().port}/govchain`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));

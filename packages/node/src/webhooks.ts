/**
 * The webhook dispatcher: delivers committed transactions (one event per log leaf, the
 * same events as the SSE stream) to registered URLs, for systems that would rather be
 * called than hold a stream open.
 *
 * - Filters: transaction types or event types, modules, receipt status.
 * - Each POST carries `X-Govchain-Signature: sha256=<hex HMAC-SHA256(secret, body)>` with
 *   the webhook's own secret, and `Idempotency-Key: <chain id>:<leaf index>`; the body is
 *   byte-identical on every retry.
 * - At-least-once: a webhook's cursor (next leaf index) moves past an event only after the
 *   receiver answered 2xx, and is written to `<data>/webhooks.json` (write, fsync, rename,
 *   fsync the folder) before the next event is sent. Events come from the durable log, so
 *   a restart resumes exactly at the cursor; a crash between the receiver's 2xx and the
 *   cursor write sends that one event again, with the same idempotency key.
 * - Failures are retried with exponential back-off (base x 2^n, capped), for ever: a
 *   webhook never skips an event; `failures` and `lastError` show a stuck receiver.
 */
import { createHmac, randomBytes as nodeRandomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GovchainError, fromUtf8, splitTxType, type Receipt } from '@govchain/core';
import type { GovchainNode } from './node.js';

/** Which events a webhook wants; every present field must match. */
export interface WebhookFilter {
  /** Transaction types (`notary.anchor`) or event types (`notary.anchored`). */
  types?: string[];
  modules?: string[];
  status?: 'ok' | 'failed';
}

/** A registered webhook as stored (the secret stays on the node). */
export interface StoredWebhook {
  id: string;
  url: string;
  secret: string;
  filter: WebhookFilter;
  /** Next log index to consider. */
  cursor: number;
  delivered: number;
  created: string;
}

/** A webhook as shown to operators. */
export interface WebhookInfo {
  id: string;
  url: string;
  filter: WebhookFilter;
  cursor: number;
  delivered: number;
  failures: number;
  lastError?: string;
  created: string;
}

/** What a receiver gets (JSON body). */
export interface WebhookEvent {
  id: string;
  chainId: string;
  leafIndex: number;
  type: string;
  module: string;
  receipt: Receipt;
}

/** Options of {@link WebhookDispatcher}. */
export interface WebhookDispatcherOptions {
  /** First retry delay (default 500 ms). */
  retryBaseMs?: number;
  /** Longest retry delay (default 5 min). */
  retryMaxMs?: number;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
}

/** The file that holds registrations and cursors. */
export function webhooksPath(dataDir: string): string {
  return join(dataDir, 'webhooks.json');
}

/** HMAC-SHA256 signature header value of a body. */
export function webhookSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Delivers events to registered webhooks; one loop per webhook. */
export class WebhookDispatcher {
  private readonly hooks = new Map<string, StoredWebhook>();
  private readonly runtime = new Map<string, { failures: number; lastError?: string; wake?: () => void; stopped: boolean; done: Promise<void> }>();
  private readonly path: string;
  private readonly opts: Required<WebhookDispatcherOptions>;
  private unsubscribe: (() => void) | undefined;
  private running = false;

  constructor(
    private readonly node: GovchainNode,
    dataDir: string,
    opts: WebhookDispatcherOptions = {},
  ) {
    this.path = webhooksPath(dataDir);
    this.opts = { retryBaseMs: opts.retryBaseMs ?? 500, retryMaxMs: opts.retryMaxMs ?? 300_000, timeoutMs: opts.timeoutMs ?? 10_000 };
    if (existsSync(this.path)) {
      let stored: { webhooks: StoredWebhook[] };
      try {
        stored = JSON.parse(readFileSync(this.path, 'utf8'));
      } catch (e) {
        throw new GovchainError('config.invalid', `cannot read ${this.path}: ${(e as Error).message}`);
      }
      for (const h of stored.webhooks ?? []) this.hooks.set(h.id, h);
    }
  }

  /** Start delivering (idempotent). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.node.onCommit(() => {
      for (const r of this.runtime.values()) r.wake?.();
    });
    for (const h of this.hooks.values()) this.spawn(h);
  }

  /** Stop all loops; in-flight requests are abandoned (they will be sent again). */
  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    const done = [...this.runtime.values()].map((r) => {
      r.stopped = true;
      r.wake?.();
      return r.done;
    });
    await Promise.all(done);
    this.runtime.clear();
  }

  /** Register a webhook; `from` is 'now' (default) or a log index. */
  add(p: { url: string; secret: string; filter?: WebhookFilter; from?: 'now' | number }): WebhookInfo {
    let url: URL;
    try {
      url = new URL(p.url);
    } catch {
      throw new GovchainError('webhook.invalid', `not a URL: ${p.url}`, { field: '/body/url' });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new GovchainError('webhook.invalid', 'webhook URLs must be http or https', { field: '/body/url' });
    if (typeof p.secret !== 'string' || p.secret.length < 16) throw new GovchainError('webhook.invalid', 'the secret must have at least 16 characters', { field: '/body/secret' });
    if (this.hooks.size >= 100) throw new GovchainError('webhook.limit', 'at most 100 webhooks per node');
    const size = this.node.head()?.logSize ?? 0;
    const cursor = p.from === undefined || p.from === 'now' ? size : p.from;
    const h: StoredWebhook = { id: `wh_${nodeRandomBytes(9).toString('base64url')}`, url: url.toString(), secret: p.secret, filter: normaliseFilter(p.filter), cursor, delivered: 0, created: new Date().toISOString() };
    this.hooks.set(h.id, h);
    this.persist();
    if (this.running) this.spawn(h);
    return this.info(h);
  }

  /** Remove a webhook; throws `webhook.not_found`. */
  async remove(id: string): Promise<void> {
    if (!this.hooks.delete(id)) throw new GovchainError('webhook.not_found', `no webhook ${id}`);
    const r = this.runtime.get(id);
    this.persist();
    if (r !== undefined) {
      r.stopped = true;
      r.wake?.();
      await r.done;
      this.runtime.delete(id);
    }
  }

  /** The registered webhooks. */
  list(): WebhookInfo[] {
    return [...this.hooks.values()].map((h) => this.info(h));
  }

  private info(h: StoredWebhook): WebhookInfo {
    const r = this.runtime.get(h.id);
    const out: WebhookInfo = { id: h.id, url: h.url, filter: h.filter, cursor: h.cursor, delivered: h.delivered, failures: r?.failures ?? 0, created: h.created };
    if (r?.lastError !== undefined) out.lastError = r.lastError;
    return out;
  }

  private persist(): void {
    const text = JSON.stringify({ webhooks: [...this.hooks.values()] }, null, 2) + '\n';
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    const dfd = openSync(dirname(this.path), 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  }

  private spawn(h: StoredWebhook): void {
    const r: { failures: number; lastError?: string; wake?: () => void; stopped: boolean; done: Promise<void> } = { failures: 0, stopped: false, done: Promise.resolve() };
    this.runtime.set(h.id, r);
    r.done = this.loop(h, r).catch((e) => {
      r.lastError = `dispatcher stopped: ${(e as Error).message}`;
    });
  }

  private sleep(r: { wake?: () => void; stopped: boolean }, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        r.wake = undefined;
        resolve();
      }
      r.wake = done;
    });
  }

  private async loop(h: StoredWebhook, r: { failures: number; lastError?: string; wake?: () => void; stopped: boolean }): Promise<void> {
    const chainId = this.node.chainId;
    while (!r.stopped && this.hooks.get(h.id) === h) {
      const size = this.node.head()?.logSize ?? 0;
      if (h.cursor >= size) {
        await this.sleep(r, 1000);
        continue;
      }
      // Scan a chunk of the durable log; deliver matching events one at a time, in order.
      const end = Math.min(size, h.cursor + 500);
      let skipped = false;
      while (h.cursor < end && !r.stopped) {
        const i = h.cursor;
        const leaf = this.node.store.leaf(i);
        if (leaf === undefined) break;
        const receipt = JSON.parse(fromUtf8(leaf)) as Receipt;
        const type = this.node.getTx(receipt.txid)?.envelope.body.type ?? 'unknown.unknown';
        const event: WebhookEvent = { id: `${chainId}:${i}`, chainId, leafIndex: i, type, module: splitTxType(type).module, receipt };
        if (matches(h.filter, event)) {
          await this.deliver(h, r, event);
          if (r.stopped) return;
          h.delivered++;
          h.cursor = i + 1;
          this.persist(); // acknowledged: not sent again unless the node dies before this line
          skipped = false;
        } else {
          h.cursor = i + 1;
          skipped = true; // non-matching events: the cursor is written once per chunk
        }
      }
      if (skipped) this.persist();
      await new Promise((res) => setImmediate(res));
    }
  }

  /** POST until a 2xx answer (or the dispatcher stops). */
  private async deliver(h: StoredWebhook, r: { failures: number; lastError?: string; wake?: () => void; stopped: boolean }, event: WebhookEvent): Promise<void> {
    const body = JSON.stringify(event);
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'govchain-webhooks/0.1',
      'idempotency-key': event.id,
      'x-govchain-event-id': event.id,
      'x-govchain-signature': webhookSignature(h.secret, body),
    };
    for (let attempt = 0; !r.stopped; attempt++) {
      try {
        const res = await fetch(h.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.opts.timeoutMs), redirect: 'manual' });
        await res.arrayBuffer().catch(() => undefined);
        if (res.status >= 200 && res.status < 300) {
          r.failures = 0;
          delete r.lastError;
          return;
        }
        r.lastError = `HTTP ${res.status} for ${event.id}`;
      } catch (e) {
        r.lastError = `${(e as Error).message} for ${event.id}`;
      }
      r.failures++;
      await this.sleep(r, Math.min(this.opts.retryMaxMs, this.opts.retryBaseMs * 2 ** Math.min(attempt, 20)));
    }
  }
}

function normaliseFilter(f: WebhookFilter | undefined): WebhookFilter {
  const out: WebhookFilter = {};
  if (f?.types !== undefined && f.types.length > 0) out.types = [...f.types];
  if (f?.modules !== undefined && f.modules.length > 0) out.modules = [...f.modules];
  if (f?.status !== undefined) out.status = f.status;
  return out;
}

/** Does `event` pass `filter`? */
export function matches(filter: WebhookFilter, event: WebhookEvent): boolean {
  if (filter.status !== undefined && event.receipt.status !== filter.status) return false;
  if (filter.modules !== undefined && !filter.modules.includes(event.module)) return false;
  if (filter.types !== undefined && !filter.types.includes(event.type) && !(event.receipt.events ?? []).some((e) => filter.types!.includes(e.type))) return false;
  return true;
}

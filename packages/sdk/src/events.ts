/**
 * Committed-transaction events over Server-Sent Events (`GET /v1/events`), read with
 * `fetch` streaming so it works in browsers and Node alike. On a dropped connection the
 * reader reconnects with `Last-Event-ID` = the last log index it yielded, so the caller
 * sees every event once, in log order.
 */
import { GovchainError, type Receipt } from '@govchain/core';

/** One committed transaction: its log index and receipt. */
export interface ChainEvent {
  /** Log leaf index (the SSE id). */
  id: number;
  receipt: Receipt;
}

/** Options of {@link streamEvents}. */
export interface StreamEventsOptions {
  /** Base URL of the node. */
  url: string;
  /** First log index wanted (default: only events committed from now on). */
  from?: number;
  /** Resume after this log index (what `Last-Event-ID` carries). */
  lastEventId?: number;
  signal?: AbortSignal;
  /** Wait before reconnecting (default 500 ms). */
  reconnectMs?: number;
  fetch?: typeof fetch;
}

/** Yield committed transactions until `signal` aborts; reconnects and resumes on its own. */
export async function* streamEvents(opts: StreamEventsOptions): AsyncGenerator<ChainEvent> {
  const doFetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
  const base = opts.url.replace(/\/+$/, '');
  const aborted = (): boolean => opts.signal?.aborted === true;
  const signal = opts.signal === undefined ? {} : { signal: opts.signal };
  // The next log index wanted; a live start is pinned to the log size now, so that a
  // reconnect before the first event still loses nothing.
  let next: number | undefined = opts.lastEventId !== undefined ? opts.lastEventId + 1 : opts.from;
  while (!aborted()) {
    let res: Response;
    try {
      if (next === undefined) {
        const status = await doFetch(`${base}/v1/status`, { headers: { accept: 'application/json' }, ...signal });
        if (!status.ok) throw new GovchainError('client.unreachable', `status: HTTP ${status.status}`);
        next = ((await status.json()) as { logSize: number }).logSize;
      }
      res = await doFetch(`${base}/v1/events?from=${next}`, { headers: { accept: 'text/event-stream' }, ...signal });
      if (!res.ok || res.body === null) throw new GovchainError('client.unreachable', `events: HTTP ${res.status}`);
    } catch {
      if (aborted()) return;
      await delay(opts.reconnectMs ?? 500);
      continue;
    }
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          let id: number | undefined;
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('id:')) id = Number(line.slice(3).trim());
            else if (line.startsWith('data:')) data += line.slice(5).replace(/^ /, '');
          }
          if (id === undefined || data === '' || !Number.isSafeInteger(id) || id < next) continue; // never twice
          next = id + 1;
          yield { id, receipt: JSON.parse(data) as Receipt };
        }
      }
    } catch {
      if (aborted()) return;
    } finally {
      // Also when the caller stops iterating: close the connection.
      await reader.cancel().catch(() => undefined);
    }
    if (aborted()) return;
    await delay(opts.reconnectMs ?? 500);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

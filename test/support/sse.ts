/** A minimal Server-Sent Events reader over fetch, for tests. */
export interface SseEvent {
  id: string | undefined;
  event: string;
  data: string;
}

/** Open `url` and yield events until `signal` aborts. */
export async function* readSse(url: string, opts: { lastEventId?: string; signal: AbortSignal }): AsyncGenerator<SseEvent> {
  const res = await fetch(url, { headers: opts.lastEventId === undefined ? {} : { 'last-event-id': opts.lastEventId }, signal: opts.signal });
  if (!res.ok || res.body === null) throw new Error(`SSE ${url}: HTTP ${res.status}`);
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buf += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, end);
      buf = buf.slice(end + 2);
      const ev: SseEvent = { id: undefined, event: 'message', data: '' };
      let hasData = false;
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'id') ev.id = value;
        else if (field === 'event') ev.event = value;
        else if (field === 'data') {
          ev.data += (hasData ? '\n' : '') + value;
          hasData = true;
        }
      }
      if (hasData) yield ev;
    }
  }
}

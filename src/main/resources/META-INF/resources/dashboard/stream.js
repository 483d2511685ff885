// Live updates: the server's event streams (text/event-stream), read with fetch so that the token travels
// in the Authorization header. A dropped stream is resumed with Last-Event-ID after a growing pause; where
// the service has no stream endpoint (404), the page is refreshed by polling instead.
import { authHeaders, tokenRefused } from './api.js';

const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30000;
export const POLL_MS = 3000;

/**
 * Follows the stream at /api/v1 + path. onEvent({id, event, data}) for each event; onPoll() on each polling
 * round when there is no stream; onStatus('live' | 'reconnecting' | 'polling'). Answers a stop function.
 */
export function follow(path, { lastEventId = null, onEvent, onPoll, onStatus = () => {} }) {
  let stopped = false;
  let controller = null;
  let timer = null;
  let retryMs = FIRST_RETRY_MS;
  let lastId = lastEventId;

  const retry = (afterMs = null) => {
    if (stopped) return;
    onStatus('reconnecting');
    timer = setTimeout(connect, (afterMs ?? retryMs) + Math.floor(Math.random() * 250));
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
  };

  const poll = () => {
    if (stopped) return;
    onStatus('polling');
    timer = setTimeout(async () => {
      try { await onPoll(); } catch (e) { /* the next round tries again */ }
      poll();
    }, POLL_MS);
  };

  const dispatch = (block) => {
    let id = null; let event = 'message'; const data = [];
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue; // comments keep the connection alive
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'id') id = value;
      else if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    if (id !== null) lastId = id;
    if (data.length === 0) return;
    let parsed;
    try { parsed = JSON.parse(data.join('\n')); } catch (e) { return; }
    onEvent({ id, event, data: parsed });
  };

  async function connect() {
    if (stopped) return;
    controller = new AbortController();
    const headers = authHeaders({ Accept: 'text/event-stream' });
    if (lastId !== null && lastId !== undefined) headers['Last-Event-ID'] = String(lastId);
    let response;
    try {
      response = await fetch(`/api/v1${path}`, { headers, signal: controller.signal, cache: 'no-store' });
    } catch (e) {
      retry();
      return;
    }
    if (response.status === 404) { poll(); return; }
    if (response.status === 401) { tokenRefused(); return; }
    if (response.status === 429) {
      // too many streams for this credential (other tabs): come back when the service says
      const seconds = Number(response.headers.get('Retry-After'));
      retry(Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds * 1000, MAX_RETRY_MS) : null);
      return;
    }
    if (!response.ok || !response.body) { retry(); return; }
    onStatus('live');
    retryMs = FIRST_RETRY_MS;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        // a lone \r at the end may be the first half of \r\n: wait for the next chunk
        const end = buffer.endsWith('\r') ? buffer.length - 1 : buffer.length;
        const text = buffer.slice(0, end).replace(/\r\n?/g, '\n');
        const rest = buffer.slice(end);
        const blocks = text.split('\n\n');
        buffer = blocks.pop() + rest;
        blocks.forEach(dispatch);
      }
    } catch (e) {
      // aborted or dropped: resumed below unless stopped
    }
    retry();
  }

  connect();
  return () => {
    stopped = true;
    clearTimeout(timer);
    if (controller) controller.abort();
  };
}

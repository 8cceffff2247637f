// One EventSource per stream URL, shared by every listener that joins it: in the browser's SharedWorker
// (live-worker.js) it is shared by all tabs of the browser, so 6+ console tabs hold one connection per stream and
// stay under HTTP/1.1's six connections per host; where SharedWorker is missing the page runs it for itself.

const retryMs = 3000;

export class LiveHub {
  constructor() {
    this.streams = new Map();
  }

  /**
   * Joins the stream at url. listener.event(name, data, id) hears each named event, listener.state(state, problem)
   * hears connecting, live, reconnecting and refused (with the problem+json answer, e.g. 429 over the cap).
   * A listener that joins an open stream gets its last clock and views at once. Returns leave().
   */
  join(url, names, listener) {
    let stream = this.streams.get(url);
    if (!stream) {
      stream = { url, listeners: new Set(), names: new Set(), last: new Map(), state: 'connecting', problem: null, source: null, retry: null };
      this.streams.set(url, stream);
      this.open(stream);
    }
    stream.listeners.add(listener);
    for (const name of ['clock', ...names]) this.listen(stream, name);
    listener.state(stream.state, stream.problem);
    for (const [name, { data, id }] of stream.last) listener.event(name, data, id);
    return () => this.leave(url, listener);
  }

  leave(url, listener) {
    const stream = this.streams.get(url);
    if (!stream || !stream.listeners.delete(listener) || stream.listeners.size > 0) return;
    // Nobody watches any more: the connection closes, and the server sees the console go (an agent's grace starts).
    clearTimeout(stream.retry);
    stream.source?.close();
    this.streams.delete(url);
  }

  open(stream) {
    this.setState(stream, 'connecting');
    const source = new EventSource(stream.url);
    stream.source = source;
    for (const name of stream.names) this.attach(stream, source, name);
    source.onopen = () => this.setState(stream, 'live');
    source.onerror = () => {
      if (source.readyState !== EventSource.CLOSED) return this.setState(stream, 'reconnecting');
      // EventSource gives up on an answer that is not a stream (429 over the cap, 401, 403, 404) without saying
      // which: ask once more with fetch to show the user why, then try again a little later.
      this.setState(stream, 'reconnecting');
      clearTimeout(stream.retry);
      stream.retry = setTimeout(() => this.probe(stream), retryMs);
    };
  }

  async probe(stream) {
    if (this.streams.get(stream.url) !== stream) return;
    const abort = new AbortController();
    let response = null;
    try {
      response = await fetch(stream.url, { headers: { Accept: 'text/event-stream' }, signal: abort.signal });
    } catch {
      // The server is away: try the stream again.
    }
    if (response && !response.ok) {
      const problem = (response.headers.get('content-type') ?? '').includes('json') ? await response.json().catch(() => null) : null;
      this.setState(stream, 'refused', { status: response.status, ...(problem ?? {}) });
      // Over the cap another tab or device may close its stream; a signed-out session needs the tab to act.
      if (response.status !== 401) stream.retry = setTimeout(() => this.probe(stream), 10 * retryMs);
      return;
    }
    abort.abort();
    if (this.streams.get(stream.url) === stream) this.open(stream);
  }

  listen(stream, name) {
    if (stream.names.has(name)) return;
    stream.names.add(name);
    if (stream.source) this.attach(stream, stream.source, name);
  }

  attach(stream, source, name) {
    source.addEventListener(name, e => {
      stream.last.set(name, { data: e.data, id: e.lastEventId });
      for (const listener of stream.listeners) listener.event(name, e.data, e.lastEventId);
    });
  }

  setState(stream, state, problem = null) {
    stream.state = state;
    stream.problem = problem;
    for (const listener of stream.listeners) listener.state(state, problem);
  }
}

// Talking to the router: JSON calls that turn a problem+json answer into a Problem, and live streams
// (server-sent events) that come back by themselves after the connection drops.
import { LiveHub } from './live-hub.js';

export class Problem extends Error {
  constructor(status, body) {
    super(body?.detail ?? body?.title ?? `HTTP ${status}`);
    this.status = status;
    this.field = body?.field ?? null;
    this.body = body ?? {};
  }
}

/** The signed-in user (GET /api/me), with the antiforgery token every change must carry; fetched once per page. */
let session = null;
export function me() {
  session ??= fetch('/api/me', { headers: { Accept: 'application/json' } }).then(r => r.json());
  return session;
}

/** Set when the user signs out: the page is on its way to the sign-in page, which must then say so. */
let signingOut = false;

/** To the sign-in page, and back here afterwards (not while signing out: a call that meets the ended session then must not win). */
export function signInAgain() {
  if (signingOut) return;
  location.assign(`/login?returnUrl=${encodeURIComponent(location.pathname + location.search)}`);
}

/** Ends the session, then the sign-in page says "signed out". */
export async function signOut() {
  signingOut = true;
  const user = await me();
  if (user.signedInWith === 'provider') {
    // Out at the identity provider too, or its own session signs the next person at this desk straight back in.
    // A form, so the browser follows the answer to the provider; it carries the antiforgery token as a field.
    const form = document.createElement('form');
    form.method = 'post';
    form.action = '/signout/oidc';
    const token = document.createElement('input');
    token.type = 'hidden';
    token.name = '__RequestVerificationToken';
    token.value = user.antiforgeryToken;
    form.append(token);
    document.body.append(form);
    form.submit();
    return;
  }
  try { await api('/api/session', { method: 'DELETE' }); } finally { location.assign('/login?signedOut'); }
}

export async function api(path, { method = 'GET', body, headers = {} } = {}) {
  let response;
  try {
    const changes = method !== 'GET' ? { 'X-CSRF-TOKEN': (await me()).antiforgeryToken } : {};
    response = await fetch(path, {
      method,
      headers: { Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...changes, ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new Problem(0, { title: 'network' });
  }
  // The session ended (idle too long, or signed out in another tab).
  if (response.status === 401 && path !== '/api/session') signInAgain();
  const json = (response.headers.get('content-type') ?? '').includes('json') ? await response.json() : null;
  if (!response.ok) throw new Problem(response.status, json);
  return json;
}

/** The server's clock, as told by each stream's "clock" event, so countdowns end when the server's deadlines do. */
const clock = { offsetMs: 0 };
export const serverNow = () => Date.now() + clock.offsetMs;
export const secondsUntil = iso => Math.max(0, Math.ceil((Date.parse(iso) - serverNow()) / 1000));

/**
 * Follows a server-sent event stream. All tabs of this browser share one connection per stream through a SharedWorker
 * (live-worker.js): HTTP/1.1 allows six connections per host, and six console tabs that each held their own froze them
 * all. Where SharedWorker is missing, this page holds its own connection (live-hub.js). onState hears connecting, live,
 * reconnecting, and refused with the server's problem (429: over the streams per user; the console says so).
 */
export function live(url, handlers, onState = () => {}) {
  const names = Object.keys(handlers);
  const listener = {
    event: (name, data) => {
      if (name === 'clock') clock.offsetMs = Date.parse(JSON.parse(data)) - Date.now();
      else handlers[name]?.(JSON.parse(data));
    },
    state: (state, problem) => {
      if (state === 'refused' && problem?.status === 401) signInAgain();
      onState(state, problem);
    },
  };
  const port = sharedPort();
  if (!port) {
    const leave = ownHub().join(url, names, listener);
    return { close: leave };
  }
  followed.set(url, { names, listener });
  port.postMessage({ join: url, names });
  return { close: () => { followed.delete(url); port.postMessage({ leave: url }); } };
}

/** The streams this page follows through the shared worker, by URL. */
const followed = new Map();
let port;
let hub;

const ownHub = () => hub ??= new LiveHub();

function sharedPort() {
  if (port !== undefined) return port;
  port = null;
  if (typeof SharedWorker !== 'function') return port;
  try {
    const worker = new SharedWorker('/js/live-worker.js', { type: 'module', name: 'contactrouter-live' });
    port = worker.port;
  } catch {
    return port;
  }
  port.onmessage = ({ data }) => {
    const stream = followed.get(data.url);
    if (!stream) return;
    if (data.state) stream.listener.state(data.state, data.problem);
    else stream.listener.event(data.name, data.data, data.id);
  };
  port.start();
  const rejoin = () => ({ alive: [...followed].map(([url, { names }]) => ({ url, names })) });
  // Leaving says so at once, so an agent's console counts as gone from now, not after the worker's silence check.
  addEventListener('pagehide', () => port.postMessage({ gone: true }));
  addEventListener('pageshow', e => { if (e.persisted) port.postMessage(rejoin()); });
  setInterval(() => port.postMessage(rejoin()), 20_000);
  return port;
}

// Talking to the router: JSON calls that turn a problem+json answer into a Problem, and live streams
// (server-sent events) that come back by themselves after the connection drops.

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
 * Opens a server-sent event stream. The browser's EventSource reconnects by itself after a drop; when it gives up
 * (the server was down as it retried) a new one is opened a little later. onState hears connecting, live, reconnecting.
 */
export function live(url, handlers, onState = () => {}) {
  let source;
  let retry;
  const open = () => {
    onState('connecting');
    source = new EventSource(url);
    source.onopen = () => onState('live');
    source.onerror = () => {
      onState('reconnecting');
      if (source.readyState === EventSource.CLOSED) {
        clearTimeout(retry);
        retry = setTimeout(open, 3000);
      }
    };
    source.addEventListener('clock', e => { clock.offsetMs = Date.parse(JSON.parse(e.data)) - Date.now(); });
    for (const [name, handle] of Object.entries(handlers)) {
      source.addEventListener(name, e => handle(JSON.parse(e.data)));
    }
  };
  open();
  return { close: () => { clearTimeout(retry); source.close(); } };
}

// What every console page shares: building elements safely, formatting in the municipality's time zone,
// the page header, the connection light and showing a problem in the user's words.
import { t, tOr, locale, translate } from './i18n.js';
import { me, signInAgain, signOut as endSession, serverNow } from './api.js';

const zone = 'Europe/Amsterdam';

/** An element with attributes and children; text is always text, never parsed as HTML. */
export function h(tag, attributes = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else if (name === 'class') el.className = value;
    else el.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export const $ = selector => document.querySelector(selector);

const timeFormat = new Intl.DateTimeFormat(locale, { timeZone: zone, hour: '2-digit', minute: '2-digit' });
const dayTimeFormat = new Intl.DateTimeFormat(locale, { timeZone: zone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
const longDayFormat = new Intl.DateTimeFormat(locale, { timeZone: zone, weekday: 'long', day: 'numeric', month: 'long' });
const isoDay = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });

export const clockTime = iso => timeFormat.format(new Date(iso));
export const dayTime = iso => dayTimeFormat.format(new Date(iso));
/** A day as said aloud ("zaterdag 5 december"), in Amsterdam. */
export const longDay = iso => longDayFormat.format(new Date(iso));
/** Today in the municipality, as YYYY-MM-DD. */
// The municipality's day on the server's clock (known from the first stream event), not the PC's.
export const today = () => isoDay.format(new Date(serverNow()));
export const percent = share => (share === null || share === undefined ? '–' : `${Math.round(share * 100)} %`);

export function duration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  const m = Math.floor(s / 60);
  return m >= 60 ? `${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}` : `${m}:${String(s % 60).padStart(2, '0')}`;
}

/** A day and wall-clock time in Amsterdam (what the desk types) as an ISO instant, daylight saving included. */
export function amsterdamInstant(day, time) {
  const [y, mo, d] = day.split('-').map(Number);
  const [hh, mm] = time.split(':').map(Number);
  const wall = Date.UTC(y, mo - 1, d, hh, mm);
  const offset = at => {
    const p = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' })
      .formatToParts(new Date(at)).map(x => [x.type, Number(x.value)]));
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) - at;
  };
  const first = wall - offset(wall);
  return new Date(wall - offset(first)).toISOString();
}

/** The consoles, and the role that opens each. */
const consoles = [['agent', 'agent'], ['teamlead', 'teamlead'], ['reception', 'reception'], ['admin', 'admin']];

/**
 * Builds the header (name, the consoles the user's roles open, who is signed in with a sign-out button, the
 * connection light), fills the page's texts and returns the signed-in user and a function that shows the live
 * connection's state.
 */
export async function startPage(current) {
  const user = await me();
  if (!user.signedIn) signInAgain();
  // The light shows once a live stream reports; a page without one has nothing to show there.
  const light = h('span', { id: 'connection', class: 'connection', role: 'status', hidden: true });
  const signOut = h('button', { type: 'button', id: 'sign-out', class: 'link', 'data-t': 'session.signOut' });
  signOut.addEventListener('click', endSession);
  document.body.prepend(h('header', { class: 'bar' },
    h('a', { href: '/', class: 'brand', 'data-t': 'app.name' }),
    h('nav', { 'data-t-label': 'app.name' },
      consoles.filter(([, role]) => user.roles?.includes(role))
        .map(([name]) => h('a', { href: `/${name}`, 'data-t': `nav.${name}`, 'aria-current': name === current ? 'page' : null }))),
    h('div', { class: 'session' },
      light,
      h('span', { id: 'signed-in', class: 'who' }, t('session.signedInAs', { name: user.displayName ?? '', roles: (user.roles ?? []).map(r => tOr(`role.${r}`, r)).join(', ') })),
      signOut)));
  translate();
  const showConnection = (state, problem) => {
    light.hidden = false;
    light.dataset.state = state;
    // Refused: over the open streams per user (429), or no longer allowed; the API's own detail (English) in the title.
    light.textContent = state === 'refused' ? t(problem?.status === 429 ? 'connection.tooMany' : 'connection.refused') : t(`connection.${state}`);
    light.title = state === 'refused' ? problem?.detail ?? '' : '';
  };
  return { user, showConnection };
}

/** A line saying this console is not for the signed-in user's role. */
export function notForYou(role) {
  document.querySelector('main').replaceChildren(h('p', { class: 'problem', role: 'alert' }, t('session.notForYou', { role: tOr(`role.${role}`, role) })));
}

/** A problem from the API in the user's words; the API's own detail (English, for support) goes in the title. */
export function showProblem(target, problem) {
  let message;
  const coded = problem?.body?.code && tOr(`problem.code.${problem.body.code}`, null);
  if (problem?.status === 0) message = t('problem.network');
  else if (coded) message = coded;
  else if (problem?.status === 403) message = t('problem.forbidden');
  else if (problem?.status === 413) message = t('problem.tooLarge');
  else if (problem?.status === 429) message = t('problem.tooMany');
  else if (problem?.status === 503) message = t('problem.unavailable');
  else if (problem?.field && problem.status === 400) message = t('problem.field', { label: fieldLabel(problem.field) });
  else if (problem?.status === 409) message = t('problem.conflict');
  else message = t('problem.generic', { status: problem?.status ?? '?' });
  // A problem the consoles know by its code is said in Dutch alone; otherwise the API's own detail follows, for support.
  target.textContent = problem?.message && problem.status !== 0 && !coded ? `${message} ${problem.message}` : message;
  target.hidden = false;
}

export function clearProblem(target) {
  target.textContent = '';
  target.hidden = true;
}

const fieldLabel = field => tOr(`field.${field.split('.')[0]}`, field);

/** Marks form fields the API named, so the user sees where. */
export function markField(form, problem) {
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  const el = problem?.field && form.querySelector(`[name="${CSS.escape(problem.field)}"]`);
  if (el) {
    el.setAttribute('aria-invalid', 'true');
    el.focus();
  }
}

// Reception: look a customer up by phone, book a callback for any centre (and see where it landed and why),
// cancel one, and the day's callbacks per centre.
import { api } from './api.js';
import { t, tOr, centreName } from './i18n.js';
import { $, h, clockTime, dayTime, longDay, today, amsterdamInstant, startPage, showProblem, clearProblem, markField, notForYou } from './ui.js';
import { customerView } from './card.js';

const { user } = await startPage('reception');
document.title = t('reception.title');
if (!user.roles.includes('reception')) notForYou('reception');
const centres = user.centres;
$('#book-centre').append(...centres.map(c => h('option', { value: c }, centreName(c))));

// ---- Look up ----

$('#lookup').addEventListener('submit', async e => {
  e.preventDefault();
  const form = e.currentTarget;
  clearProblem($('#lookup-problem'));
  $('#customer').replaceChildren();
  const phone = form.phone.value.trim();
  $('#book-caller').value = phone;
  try {
    // The reason goes into the access log with the signed-in user.
    const view = await api(`/api/customers/${encodeURIComponent(phone)}?reason=${encodeURIComponent(form.reason.value.trim())}`);
    markField(form, null);
    $('#customer').replaceChildren(customerView(view));
    if (view.customer.name) $('#book-name').value = view.customer.name;
  } catch (problem) {
    if (problem.status === 404) {
      markField(form, null);
      $('#customer').replaceChildren(h('p', { class: 'muted' }, t('reception.lookup.unknown')));
    } else {
      markField(form, problem);
      showProblem($('#lookup-problem'), problem);
    }
  }
});

// ---- Book ----

/**
 * The window the desk typed. With a day, as instants; times without a day go as wall-clock times and the router
 * takes today while the window is still ahead, else the centre's next opening day. Empty: the router's default
 * (soonest, within two working days).
 */
function callbackWindow(form) {
  const day = form.day.value;
  const from = form.notBefore.value;
  const until = form.notAfter.value;
  if (!day) return { from: from || undefined, until: until || undefined };
  return {
    notBefore: amsterdamInstant(day, from || '00:00'),
    notAfter: amsterdamInstant(day, until || '23:59'),
  };
}

async function book(body) {
  clearProblem($('#book-problem'));
  $('#booked').replaceChildren();
  const form = $('#book');
  try {
    // Moving an appointment places it again by the same rules; its centre, caller and question stay.
    const callback = moving
      ? await api(`/api/callbacks/${moving.callbackId}/window`, { method: 'PUT', body: windowOf(body) })
      : await api('/api/callbacks', { method: 'POST', body, headers: { 'Idempotency-Key': crypto.randomUUID() } });
    markField(form, null);
    showBooked(callback, Boolean(moving));
    stopMoving();
    form.question.value = '';
    await loadDay();
  } catch (problem) {
    if (problem.status === 409 && Array.isArray(problem.body.alternatives)) showAlternatives(body, problem.body.alternatives, problem.body.code === 'closed');
    else {
      markField(form, problem);
      showProblem($('#book-problem'), problem);
    }
  }
}

const windowOf = ({ notBefore, notAfter, from, until }) => ({ notBefore, notAfter, from, until });

/** The appointment being moved ("Verzetten"): the booking form asks for its new window only. */
let moving = null;

function startMoving(callback) {
  moving = callback;
  const form = $('#book');
  form.centre.value = callback.homeCentre;
  form.caller.value = callback.caller;
  form.name.value = callback.name ?? '';
  form.question.value = callback.question;
  for (const field of [form.centre, form.caller, form.name, form.question]) field.disabled = true;
  form.day.value = form.notBefore.value = form.notAfter.value = '';
  $('#book-heading').textContent = t('reception.move.heading', { slot: dayTime(callback.slotStart) });
  $('#book-submit').textContent = t('reception.move.submit');
  $('#book-stop-moving').hidden = false;
  $('#booked').replaceChildren();
  clearProblem($('#book-problem'));
  form.day.focus();
}

function stopMoving() {
  if (!moving) return;
  moving = null;
  const form = $('#book');
  for (const field of [form.centre, form.caller, form.name, form.question]) field.disabled = false;
  form.question.value = '';
  $('#book-heading').textContent = t('reception.book.heading');
  $('#book-submit').textContent = t('reception.book.submit');
  $('#book-stop-moving').hidden = true;
}

$('#book-stop-moving').addEventListener('click', () => { stopMoving(); $('#booked').replaceChildren(); });

$('#book').addEventListener('submit', e => {
  e.preventDefault();
  const form = e.currentTarget;
  book({ centre: form.centre.value, caller: form.caller.value.trim(), name: form.name.value.trim() || undefined, question: form.question.value, ...callbackWindow(form) });
});

function showBooked(callback, moved = false) {
  const slot = dayTime(callback.slotStart);
  const atNeighbour = callback.centre !== callback.homeCentre;
  $('#booked').replaceChildren(h('div', { class: 'notice', id: 'booked-notice', 'data-callback': callback.callbackId },
    h('p', {}, h('strong', {}, t(moved ? 'reception.moved' : 'reception.booked', { slot, centre: centreName(callback.centre) }))),
    atNeighbour && h('p', { id: 'booked-why' }, t('reception.booked.why', { home: centreName(callback.homeCentre), centre: centreName(callback.centre) }))));
}

/** Nothing fits: the router's nearest free slots, each a button that books exactly that slot. */
function showAlternatives(asked, alternatives, closed) {
  // A weekend, holiday or hour outside opening times is said as closed: nobody is there, not "it is full".
  const centre = centreName(asked.centre);
  const why = closed
    ? (asked.notBefore ? t('reception.closedOn', { centre, day: longDay(asked.notBefore) }) : t('reception.closed', { centre }))
    : t('reception.noRoomWindow');
  $('#booked').replaceChildren(h('div', { class: 'problem', id: 'alternatives', 'data-closed': closed ? 'true' : null },
    h('p', {}, why, ' ', t(alternatives.length ? 'reception.pickSlot' : 'reception.widerWindow')),
    h('div', { class: 'alternatives' }, alternatives.map(a => h('button', {
      type: 'button',
      // That very slot, as instants: the times without a day the desk may have typed go.
      onclick: () => book({ ...asked, from: undefined, until: undefined, centre: a.centre, notBefore: a.slotStart, notAfter: a.slotEnd }),
    }, t('reception.alternative', { slot: dayTime(a.slotStart), centre: centreName(a.centre), free: a.free }))))));
  $('#alternatives button')?.focus();
}

// ---- The day's callbacks ----

/** Someone calls about "my appointment": the desk finds it by name or number in the day's list. */
function matches(callback, search) {
  if (!search) return true;
  const digits = search.replace(/\D/g, '');
  return (callback.name ?? '').toLocaleLowerCase('nl').includes(search.toLocaleLowerCase('nl'))
    // 06-12345678 finds +31612345678: compare the digits after the country code or the leading 0.
    || (digits.length >= 4 && callback.caller.replace(/\D/g, '').includes(digits.replace(/^(31|0)/, '')));
}

async function loadDay() {
  clearProblem($('#day-problem'));
  const date = $('#day-date').value;
  const search = $('#day-search').value.trim();
  try {
    const callbacks = (await api(`/api/callbacks${date ? `?date=${date}` : ''}`)).filter(c => matches(c, search));
    $('#day-list').replaceChildren(...centres.map(centre => dayOf(centre, callbacks.filter(c => c.centre === centre))));
  } catch (problem) {
    showProblem($('#day-problem'), problem);
  }
}

function dayOf(centre, callbacks) {
  return h('section', { 'data-centre': centre, 'aria-labelledby': `day-${centre}` },
    // A cancelled appointment stays in the list (the desk sees it went) but is no work for the centre.
    h('h3', { id: `day-${centre}` }, `${centreName(centre)} (${callbacks.filter(c => c.status !== 'cancelled').length})`),
    callbacks.length === 0 ? h('p', { class: 'muted small' }, t('reception.day.none')) : h('table', {},
      h('thead', {}, h('tr', {}, ['reception.day.time', 'reception.day.caller', 'reception.day.question', 'reception.day.status'].map(k => h('th', { scope: 'col' }, t(k))), h('th', {}))),
      h('tbody', {}, callbacks.map(c => h('tr', { 'data-callback': c.callbackId },
        h('td', {}, clockTime(c.slotStart), attemptsOf(c)),
        h('td', {}, c.name ?? '', c.name ? h('br') : null, c.caller),
        h('td', {}, c.question, c.centre !== c.homeCentre ? h('div', { class: 'small muted' }, t('reception.day.movedFrom', { centre: centreName(c.homeCentre) })) : null),
        h('td', {}, tOr(`callbackStatus.${c.status}`, c.status), c.atRisk ? h('div', { class: 'small problem' }, t('reception.day.atRisk')) : null),
        h('td', { class: 'actions' }, c.status === 'booked' ? [
          h('button', { type: 'button', onclick: () => startMoving(c), 'aria-label': t('reception.move.label', { slot: dayTime(c.slotStart) }) }, t('reception.move')),
          h('button', { type: 'button', class: 'danger', onclick: () => cancel(c) }, t('reception.cancel')),
        ] : null))))));
}

/** After "Niet bereikt" the appointment waits for its next attempt: the desk sees when, and how many were made. */
function attemptsOf(c) {
  if (!c.attempts) return null;
  return h('div', { class: 'small muted attempts' },
    t(c.attempts === 1 ? 'reception.day.attemptsOne' : 'reception.day.attempts', { attempts: c.attempts }),
    c.nextAttemptAt && [h('br'), t('reception.day.nextAttempt', { when: dayTime(c.nextAttemptAt) })]);
}

async function cancel(callback) {
  try {
    await api(`/api/callbacks/${callback.callbackId}`, { method: 'DELETE' });
    $('#booked').replaceChildren(h('p', { class: 'notice' }, t('reception.cancelled', { slot: dayTime(callback.slotStart) })));
  } catch (problem) {
    showProblem($('#day-problem'), problem);
  }
  await loadDay();
}

$('#day-date').value = today();
$('#day-date').addEventListener('change', loadDay);
$('#day-search').addEventListener('input', loadDay);
await loadDay();
// Agents call back during the day: the statuses move on without the desk doing anything.
setInterval(loadDay, 15_000);

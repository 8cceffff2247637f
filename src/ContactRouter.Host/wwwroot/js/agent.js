// The agent console: the signed-in agent sets their presence, takes a ringing contact with the caller's customer
// view, records outcome and summary, and sees the wrap-up count down. Fed by the agent's own live stream.
import { api, live, secondsUntil } from './api.js';
import { t, tOr, centreName } from './i18n.js';
import { $, h, duration, startPage, showProblem, clearProblem, markField, notForYou } from './ui.js';
import { contactCard } from './card.js';

const { user, showConnection } = await startPage('agent');
document.title = t('agent.title');
const presences = ['available', 'break', 'offline'];
const outcomes = { callback: ['reached', 'notreached'], other: ['resolved', 'transferred', 'callback'] };

let view = null;
// Who sits at this desk: the signed-in account's own agent, known before the stream's first event.
const agentId = user.agentId;

for (const button of document.querySelectorAll('[data-presence]')) {
  button.addEventListener('click', () => prepareRinging());
  button.addEventListener('click', () => act(() => api(`/api/agents/${encodeURIComponent(agentId)}/status`, { method: 'POST', body: { status: button.dataset.presence } })));
}
$('#accept').addEventListener('click', () => act(() => api(`/api/agents/${encodeURIComponent(agentId)}/accept`, { method: 'POST', body: { contactId: view.offer.contactId } })));
$('#reject').addEventListener('click', () => act(() => api(`/api/agents/${encodeURIComponent(agentId)}/reject`, { method: 'POST', body: { contactId: view.offer.contactId } })));
$('#complete').addEventListener('submit', async e => {
  e.preventDefault();
  const form = e.currentTarget;
  await act(async () => {
    const contactId = view.connected.contactId;
    await api(`/api/contacts/${contactId}/complete`, { method: 'POST', body: { outcome: form.outcome.value, summary: form.summary.value } });
    sessionStorage.removeItem(draftKey(contactId));
    return api(`/api/agents/${encodeURIComponent(agentId)}`);
  }, form);
});

// The summary being typed and the chosen outcome survive a reload during the call (this tab only, per contact).
const draftKey = contactId => `contactrouter.draft.${contactId}`;
$('#complete').addEventListener('input', e => {
  if (!view?.connected) return;
  const form = e.currentTarget;
  sessionStorage.setItem(draftKey(view.connected.contactId), JSON.stringify({ outcome: form.outcome.value, summary: form.summary.value }));
});

/** Runs a user's action; its answer is the new agent view, shown at once rather than at the stream's next beat. */
async function act(action, form = null) {
  clearProblem($('#problem'));
  try {
    const next = await action();
    if (form) markField(form, null);
    if (next?.agentId === agentId) render(next);
  } catch (problem) {
    if (form) markField(form, problem);
    showProblem($('#problem'), problem);
  }
}

// ---- Ringing: an agent with another window in front must still notice an offer ----

let audio = null;
/**
 * Browsers allow sound and ask about notifications only after a user gesture: the presence buttons are the one every
 * agent presses before the first call comes.
 */
function prepareRinging() {
  audio ??= new AudioContext();
  audio.resume();
  if ('Notification' in window && Notification.permission === 'default') Notification.requestPermission();
}

/** Two short tones made on the spot (Web Audio): no sound file to download. */
function ring() {
  if (!audio || audio.state !== 'running') return;
  for (const [start, frequency] of [[0, 880], [0.25, 660]]) {
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = frequency;
    gain.gain.setValueAtTime(0.2, audio.currentTime + start);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + start + 0.2);
    tone.connect(gain).connect(audio.destination);
    tone.start(audio.currentTime + start);
    tone.stop(audio.currentTime + start + 0.2);
  }
}

function announce(offer) {
  ring();
  // Only with the agent's permission, and no caller's number on the desktop: the console shows who it is.
  if ('Notification' in window && Notification.permission === 'granted' && document.visibilityState !== 'visible')
    new Notification(t(offer.callback ? 'agent.offer.callbackHeading' : 'agent.offer.heading'), { body: t('agent.ringing.body'), tag: offer.contactId });
}

let shownOffer = null;
let shownCall = null;

function render(next) {
  view = next;
  $('#agent-name').textContent = view.name;
  $('#agent-centre').textContent = centreName(view.centre);
  $('#agent-status').textContent = tOr(`status.${view.status}`, view.status);
  $('#agent-status').dataset.status = view.status;
  const presence = presences.includes(view.status) ? view.status : view.breakPending ? 'break' : ['offered', 'busy', 'wrapup'].includes(view.status) ? 'available' : null;
  $('#break-pending').hidden = !view.breakPending;
  for (const button of document.querySelectorAll('[data-presence]')) button.setAttribute('aria-pressed', String(button.dataset.presence === presence));

  const offer = view.offer;
  $('#offer').hidden = !offer;
  if (offer && offer.contactId !== shownOffer) {
    $('#offer-heading').textContent = t(offer.callback ? 'agent.offer.callbackHeading' : 'agent.offer.heading');
    $('#offer-card').replaceChildren(contactCard(offer));
    $('#accept').focus();
    announce(offer);
  }
  shownOffer = offer?.contactId ?? null;
  document.title = t(offer ? 'agent.title.ringing' : 'agent.title');

  const call = view.connected;
  $('#call').hidden = !call;
  if (call && call.contactId !== shownCall) {
    $('#call-card').replaceChildren(contactCard(call));
    const form = $('#complete');
    form.reset();
    form.outcome.replaceChildren(...(call.channel === 'callback' ? outcomes.callback : outcomes.other)
      .map(o => h('option', { value: o }, tOr(`outcome.${o}`, o))));
    const draft = JSON.parse(sessionStorage.getItem(draftKey(call.contactId)) ?? 'null');
    if (draft) {
      if ([...form.outcome.options].some(o => o.value === draft.outcome)) form.outcome.value = draft.outcome;
      form.summary.value = draft.summary ?? '';
    }
    form.summary.focus();
  }
  shownCall = call?.contactId ?? null;

  $('#wrapup').hidden = !view.wrapUpUntil;
  $('#idle').hidden = Boolean(offer || call || view.wrapUpUntil);
  $('#idle-text').textContent = tOr(`agent.idle.${view.status}`, '');
  tick();
}

/**
 * Seconds left to take the offer, never more than the offer timeout itself: rounding up against a clock estimated to
 * the millisecond showed 16 s for a 15 s timeout.
 */
function offerSeconds(offer) {
  const left = secondsUntil(offer.expiresAt);
  return offer.offeredAt ? Math.min(left, Math.round((Date.parse(offer.expiresAt) - Date.parse(offer.offeredAt)) / 1000)) : left;
}

/** The countdowns, four times a second against the server's clock. */
function tick() {
  if (view?.offer?.expiresAt) $('#offer-countdown').textContent = t('agent.offer.countdown', { seconds: offerSeconds(view.offer) });
  if (view?.wrapUpUntil) $('#wrapup-countdown').textContent = t('agent.wrapup.countdown', { time: duration(secondsUntil(view.wrapUpUntil)) });
}
setInterval(tick, 250);

if (!user.roles?.includes('agent')) notForYou('agent');
else if (!agentId) $('#desk').replaceWith(h('p', { class: 'problem', role: 'alert' }, t('agent.notLinked')));
else {
  $('#desk').hidden = false;
  live(`/api/agents/${encodeURIComponent(agentId)}/stream`, { agent: render }, showConnection);
}

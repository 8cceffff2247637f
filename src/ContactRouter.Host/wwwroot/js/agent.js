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
  button.addEventListener('click', () => act(() => api(`/api/agents/${encodeURIComponent(agentId)}/status`, { method: 'POST', body: { status: button.dataset.presence } })));
}
$('#accept').addEventListener('click', () => act(() => api(`/api/agents/${encodeURIComponent(agentId)}/accept`, { method: 'POST', body: { contactId: view.offer.contactId } })));
$('#reject').addEventListener('click', () => act(() => api(`/api/agents/${encodeURIComponent(agentId)}/reject`, { method: 'POST', body: { contactId: view.offer.contactId } })));
$('#complete').addEventListener('submit', async e => {
  e.preventDefault();
  const form = e.currentTarget;
  await act(async () => {
    await api(`/api/contacts/${view.connected.contactId}/complete`, { method: 'POST', body: { outcome: form.outcome.value, summary: form.summary.value } });
    return api(`/api/agents/${encodeURIComponent(agentId)}`);
  }, form);
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

let shownOffer = null;
let shownCall = null;

function render(next) {
  view = next;
  $('#agent-name').textContent = view.name;
  $('#agent-centre').textContent = centreName(view.centre);
  $('#agent-status').textContent = tOr(`status.${view.status}`, view.status);
  $('#agent-status').dataset.status = view.status;
  const presence = presences.includes(view.status) ? view.status : ['offered', 'busy', 'wrapup'].includes(view.status) ? 'available' : null;
  for (const button of document.querySelectorAll('[data-presence]')) button.setAttribute('aria-pressed', String(button.dataset.presence === presence));

  const offer = view.offer;
  $('#offer').hidden = !offer;
  if (offer && offer.contactId !== shownOffer) {
    $('#offer-heading').textContent = t(offer.callback ? 'agent.offer.callbackHeading' : 'agent.offer.heading');
    $('#offer-card').replaceChildren(contactCard(offer));
    $('#accept').focus();
  }
  shownOffer = offer?.contactId ?? null;

  const call = view.connected;
  $('#call').hidden = !call;
  if (call && call.contactId !== shownCall) {
    $('#call-card').replaceChildren(contactCard(call));
    const form = $('#complete');
    form.reset();
    form.outcome.replaceChildren(...(call.channel === 'callback' ? outcomes.callback : outcomes.other)
      .map(o => h('option', { value: o }, tOr(`outcome.${o}`, o))));
    form.summary.focus();
  }
  shownCall = call?.contactId ?? null;

  $('#wrapup').hidden = !view.wrapUpUntil;
  $('#idle').hidden = Boolean(offer || call || view.wrapUpUntil);
  $('#idle-text').textContent = tOr(`agent.idle.${view.status}`, '');
  tick();
}

/** The countdowns, four times a second against the server's clock. */
function tick() {
  if (view?.offer?.expiresAt) $('#offer-countdown').textContent = t('agent.offer.countdown', { seconds: secondsUntil(view.offer.expiresAt) });
  if (view?.wrapUpUntil) $('#wrapup-countdown').textContent = t('agent.wrapup.countdown', { time: duration(secondsUntil(view.wrapUpUntil)) });
}
setInterval(tick, 250);

if (!user.roles?.includes('agent')) notForYou('agent');
else if (!agentId) $('#desk').replaceWith(h('p', { class: 'problem', role: 'alert' }, t('agent.notLinked')));
else {
  $('#desk').hidden = false;
  live(`/api/agents/${encodeURIComponent(agentId)}/stream`, { agent: render }, showConnection);
}

// The agent console: choose who you are, set your presence, take a ringing contact with the caller's customer
// view, record outcome and summary, and see the wrap-up count down. Fed by the agent's own live stream.
import { api, live, secondsUntil } from './api.js';
import { t, tOr, centreName } from './i18n.js';
import { $, h, duration, startPage, showProblem, clearProblem, markField } from './ui.js';
import { contactCard } from './card.js';

const showConnection = startPage('agent');
document.title = t('agent.title');
const remembered = 'contactrouter.agent';
const presences = ['available', 'break', 'offline'];
const outcomes = { callback: ['reached', 'notreached'], other: ['resolved', 'transferred', 'callback'] };
const centres = (await api('/api/centres')).map(c => c.centre);

let stream = null;
let view = null;
// Who sits at this desk: known from the start, before the stream's first event brings the view.
let agentId = null;

// ---- Who are you ----

async function chooseAgent() {
  stream?.close();
  stream = null;
  $('#desk').hidden = true;
  $('#who').hidden = false;
  const agents = await api('/api/agents');
  const select = $('#agent-select');
  select.replaceChildren(...agents.map(a => h('option', { value: a.agentId },
    `${a.name} (${a.agentId}) — ${centreName(a.centre)} · ${tOr(`status.${a.status}`, a.status)}`)));
  select.value = localStorage.getItem(remembered) ?? '';
  $('#no-agents').hidden = agents.length > 0;
  $('#register').open = agents.length === 0;
  (agents.length > 0 ? select : $('#reg-id')).focus();
}

$('#reg-centre').append(...centres.map(c => h('option', { value: c }, centreName(c))));
$('#reg-skills').append(...centres.map(c => h('div', { class: 'field' },
  h('label', { for: `skill-${c}` }, centreName(c)),
  h('input', { id: `skill-${c}`, name: `skills.${c}`, type: 'number', min: 0, max: 5, value: 0 }))));
const homeSkill = () => { const input = $(`#skill-${$('#reg-centre').value}`); if (Number(input.value) === 0) input.value = 5; };
$('#reg-centre').addEventListener('change', homeSkill);
homeSkill();

$('#choose').addEventListener('submit', e => {
  e.preventDefault();
  if ($('#agent-select').value) startDesk($('#agent-select').value);
});

$('#register-form').addEventListener('submit', async e => {
  e.preventDefault();
  const form = e.currentTarget;
  clearProblem($('#who-problem'));
  const skills = Object.fromEntries(centres.map(c => [c, Number($(`#skill-${c}`).value)]).filter(([, level]) => level > 0));
  try {
    const id = form.agentId.value.trim();
    await api(`/api/agents/${encodeURIComponent(id)}`, { method: 'PUT', body: { name: form.name.value, centre: form.centre.value, skills } });
    markField(form, null);
    startDesk(id);
  } catch (problem) {
    markField(form, problem);
    showProblem($('#who-problem'), problem);
  }
});

// ---- The desk ----

function startDesk(id) {
  agentId = id;
  view = null;
  localStorage.setItem(remembered, agentId);
  history.replaceState(null, '', `/agent?agent=${encodeURIComponent(agentId)}`);
  $('#who').hidden = true;
  $('#desk').hidden = false;
  clearProblem($('#problem'));
  stream?.close();
  stream = live(`/api/agents/${encodeURIComponent(agentId)}/stream`, { agent: render }, showConnection);
}

$('#switch').addEventListener('click', () => {
  localStorage.removeItem(remembered);
  history.replaceState(null, '', '/agent');
  chooseAgent();
});

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

const asked = new URLSearchParams(location.search).get('agent') ?? localStorage.getItem(remembered);
if (asked) {
  try {
    await api(`/api/agents/${encodeURIComponent(asked)}`);
    startDesk(asked);
  } catch {
    await chooseAgent();
  }
} else {
  await chooseAgent();
}

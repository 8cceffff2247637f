// The team lead's people and queue: the agents of their centre (state, since when, whose caller and its wait) and the
// callers waiting there (wait, priority, overflow), live from /api/centres/{centre}/people/stream, with the actions a
// team lead may take: an agent on break or offline, a waiting caller to a neighbour or up in priority.
import { api, live, serverNow } from './api.js';
import { t, tOr, centreName } from './i18n.js';
import { $, h, clockTime, duration, showProblem, clearProblem } from './ui.js';

/** Starts the panel for the centres the signed-in team lead steers (the API refuses any other). */
export function peoplePanel(root, user) {
  const centres = user.centre ? [user.centre] : [];
  if (centres.length === 0) {
    root.append(h('p', { class: 'hint' }, t('people.noCentre')));
    return;
  }
  const select = h('select', { id: 'people-centre' }, ...centres.map(c => h('option', { value: c }, centreName(c))));
  const problem = h('p', { class: 'problem', role: 'alert', hidden: '' });
  const agents = h('tbody', {});
  const waiting = h('tbody', {});
  const th = key => h('th', { scope: 'col' }, t(key));
  root.append(
    h('h2', { id: 'people-heading' }, t('people.heading')),
    h('div', { class: 'row' }, h('div', { class: 'field' }, h('label', { for: 'people-centre' }, t('people.centre')), select)),
    problem,
    h('h3', { id: 'people-agents-heading' }, t('people.agents')),
    h('table', { class: 'list', id: 'people-agents', 'aria-labelledby': 'people-agents-heading' },
      h('thead', {}, h('tr', {}, th('people.name'), th('people.state'), th('people.since'), th('people.contact'), th('people.wait'), th('people.actions'))),
      agents),
    h('h3', { id: 'people-waiting-heading' }, t('people.waiting')),
    h('table', { class: 'list', id: 'people-waiting', 'aria-labelledby': 'people-waiting-heading' },
      h('thead', {}, h('tr', {}, th('people.caller'), th('people.wait'), th('people.priority'), th('people.overflow'), th('people.actions'))),
      waiting));

  let view = null;
  let stream = null;
  const seconds = (from, to) => ((to ? Date.parse(to) : serverNow()) - Date.parse(from)) / 1000;

  async function act(path, body, done) {
    clearProblem(problem);
    try {
      await api(path, { method: 'POST', body });
      done?.();
    } catch (refusal) {
      showProblem(problem, refusal);
    }
  }

  function render() {
    if (!view) return;
    agents.replaceChildren(...view.agents.map(a => h('tr', { 'data-agent': a.agentId, 'data-state': a.status },
      h('td', {}, a.name || a.agentId),
      h('td', {}, tOr(`status.${a.status}`, a.status)),
      // Since when (Amsterdam time) and how long: "10:42 (12:05)", counting on between pushes.
      h('td', { 'data-f': 'since' }, a.since ? t('people.sinceAt', { time: clockTime(a.since), duration: duration(seconds(a.since)) }) : '–'),
      h('td', {}, a.contactCentre ? centreName(a.contactCentre) : '–'),
      h('td', { 'data-f': 'contact-wait' }, a.contactQueuedAt ? duration(seconds(a.contactQueuedAt, a.contactAnsweredAt)) : '–'),
      h('td', {},
        a.status === 'break' || a.status === 'offline' ? null
          : h('button', { type: 'button', 'data-action': 'break', 'aria-label': t('people.breakFor', { name: a.name || a.agentId }),
            onclick: () => act(`/api/agents/${encodeURIComponent(a.agentId)}/status`, { status: 'break' }) }, t('people.break')),
        a.status === 'offline' ? null
          : h('button', { type: 'button', 'data-action': 'offline', 'aria-label': t('people.offlineFor', { name: a.name || a.agentId }),
            onclick: () => act(`/api/agents/${encodeURIComponent(a.agentId)}/status`, { status: 'offline' }) }, t('people.offline'))))));
    if (view.agents.length === 0) agents.replaceChildren(h('tr', {}, h('td', { colspan: 6 }, t('people.noAgents'))));

    waiting.replaceChildren(...view.waiting.map((c, i) => {
      const label = t('people.callerNo', { n: i + 1 });
      const overflow = !c.overflowEligible ? t('people.overflowNever')
        : Date.parse(c.overflowFrom) <= serverNow() ? t('people.overflowNow') : t('people.overflowFrom', { time: clockTime(c.overflowFrom) });
      return h('tr', { 'data-contact': c.contactId, 'data-status': c.status },
        h('td', {}, label, c.homeCentre !== view.centre ? h('small', {}, ' ', t('people.from', { centre: centreName(c.homeCentre) })) : null,
          c.status === 'offered' ? h('small', {}, ' ', t('people.ringing')) : null),
        h('td', { 'data-f': 'wait' }, duration(seconds(c.queuedAt))),
        h('td', {}, String(c.priority)),
        h('td', {}, overflow),
        h('td', {}, ...moveButtons(c, label)));
    }));
    if (view.waiting.length === 0) waiting.replaceChildren(h('tr', {}, h('td', { colspan: 5 }, t('people.noneWaiting'))));
  }

  function moveButtons(c, label) {
    const buttons = view.neighbours.map(n => h('button', { type: 'button', 'data-action': 'move', 'data-to': n,
      'aria-label': t('people.moveFor', { caller: label, centre: centreName(n) }),
      onclick: () => act(`/api/contacts/${encodeURIComponent(c.contactId)}/move`, { centre: n }) }, t('people.move', { centre: centreName(n) })));
    buttons.push(h('button', { type: 'button', 'data-action': 'priority', 'aria-label': t('people.raiseFor', { caller: label }),
      onclick: () => act(`/api/contacts/${encodeURIComponent(c.contactId)}/priority`, { priority: c.priority + 1 }) }, t('people.raise')));
    return buttons;
  }

  function follow(centre) {
    stream?.close();
    view = null;
    stream = live(`/api/centres/${encodeURIComponent(centre)}/people/stream`, { people: v => { view = v; render(); } },
      (state, refusal) => { if (state === 'refused') showProblem(problem, refusal); });
  }
  select.addEventListener('change', () => follow(select.value));
  follow(select.value);
  // The waits count on between pushes, on the server's clock.
  setInterval(render, 1000);
}

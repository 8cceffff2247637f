// The access log, for team leads and administrators: who read whose data, sign-ins and role changes, filtered by
// user and by customer.
import { api } from './api.js';
import { t, tOr } from './i18n.js';
import { h, dayTime, showProblem, clearProblem, markField } from './ui.js';

/**
 * The reason in the user's words: the log keeps what the system wrote (English words for API users and auditors, like a
 * problem's detail); the reasons the system itself gives are said in Dutch, a reason a person typed is shown as typed.
 */
function why(text) {
  if (text === null || text === undefined) return '';
  const contact = /^contact (\S+)$/.exec(text);
  if (contact) return t('log.why.contact', { id: contact[1] });
  return tOr(`log.why.${text}`, text);
}

export function accessLogPanel(section) {
  const form = h('form', { id: 'log-filter', class: 'row', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'log-user' }, t('log.user')), h('input', { id: 'log-user', name: 'user', autocomplete: 'off' })),
    h('div', { class: 'field' }, h('label', { for: 'log-customer' }, t('log.customer')), h('input', { id: 'log-customer', name: 'customer', type: 'tel', autocomplete: 'off' })),
    h('div', { class: 'field end' }, h('button', { type: 'submit' }, t('log.show'))));
  const problem = h('p', { class: 'problem', role: 'alert', hidden: true });
  const list = h('div', { id: 'log-list' });
  section.replaceChildren(h('h2', { id: 'log-heading' }, t('log.heading')), form, problem, list);

  async function show() {
    clearProblem(problem);
    const query = new URLSearchParams();
    if (form.user.value.trim()) query.set('user', form.user.value.trim());
    if (form.customer.value.trim()) query.set('customer', form.customer.value.trim());
    try {
      const rows = await api(`/api/access-log?${query}`);
      markField(form, null);
      list.replaceChildren(rows.length === 0 ? h('p', { class: 'muted' }, t('log.none')) : h('table', { class: 'list' },
        h('thead', {}, h('tr', {}, ['log.at', 'log.who', 'log.action', 'log.customerColumn', 'log.why'].map(k => h('th', {}, t(k))))),
        h('tbody', {}, rows.map(r => h('tr', {},
          h('td', {}, dayTime(r.at)), h('td', {}, `${r.who} (${r.role.split(',').map(role => tOr(`role.${role}`, role)).join(', ')})`), h('td', {}, tOr(`log.action.${r.action}`, r.action)),
          h('td', {}, r.customer ?? ''), h('td', {}, why(r.why)))))));
    } catch (p) {
      markField(form, p);
      showProblem(problem, p);
    }
  }
  form.addEventListener('submit', e => { e.preventDefault(); show(); });
  show();
}

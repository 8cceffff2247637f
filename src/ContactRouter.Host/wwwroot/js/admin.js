// The administrator's console: built-in accounts and their roles (an agent account linked to its agent id, a team
// lead's to a centre), password resets, agents and their skills, machine clients' keys, and the access log.
// A new password or key is shown once, here, and never again.
import { api } from './api.js';
import { t, tOr, centreName } from './i18n.js';
import { $, h, startPage, showProblem, clearProblem, markField, notForYou } from './ui.js';
import { accessLogPanel } from './accesslog.js';

const { user } = await startPage('admin');
document.title = t('admin.title');
const roles = ['agent', 'teamlead', 'reception', 'admin'];
const scopes = ['contacts:queue', 'contacts:abandon', 'contacts:read'];
const centres = user.centres;

if (!user.roles.includes('admin')) notForYou('admin');
else {
  setUp();
  await Promise.all([showAccounts(), showAgents(), showMachines()]);
  accessLogPanel($('#access-log'));
}

/** Runs a form's action: the API's problem goes next to the field it names. */
async function submit(form, problemEl, action) {
  clearProblem(problemEl);
  try {
    await action();
    markField(form, null);
  } catch (problem) {
    markField(form, problem);
    showProblem(problemEl, problem);
  }
}

const secret = (label, value) => h('p', { class: 'notice' }, label, ' ', h('span', { class: 'secret' }, value), ' ', t('admin.onceOnly'));

function setUp() {
  $('#account-roles').append(...roles.map(r => h('label', {}, h('input', { type: 'checkbox', name: 'roles', value: r }), ' ', tOr(`role.${r}`, r))));
  $('#account-centre').append(h('option', { value: '' }, t('admin.accounts.noCentre')), ...centres.map(c => h('option', { value: c }, centreName(c))));
  $('#agent-centre').append(...centres.map(c => h('option', { value: c }, centreName(c))));
  $('#agent-skills').append(...centres.map(c => h('div', { class: 'field' },
    h('label', { for: `skill-${c}` }, centreName(c)),
    h('input', { id: `skill-${c}`, name: `skills.${c}`, type: 'number', min: 0, max: 5, value: 0 }))));
  const homeSkill = () => { const input = $(`#skill-${$('#agent-centre').value}`); if (Number(input.value) === 0) input.value = 5; };
  $('#agent-centre').addEventListener('change', homeSkill);
  homeSkill();
  $('#machine-scopes').append(...scopes.map(s => h('label', {}, h('input', { type: 'checkbox', name: 'scopes', value: s }), ' ', tOr(`scope.${s}`, s))));

  const accountForm = $('#account');
  accountForm.addEventListener('submit', e => {
    e.preventDefault();
    const editing = accountForm.dataset.editing;
    const body = {
      userName: accountForm.userName.value.trim(), displayName: accountForm.displayName.value.trim() || undefined,
      roles: [...accountForm.querySelectorAll('[name=roles]:checked')].map(c => c.value),
      agentId: accountForm.agentId.value.trim() || undefined, centre: accountForm.centre.value || undefined,
    };
    submit(accountForm, $('#account-problem'), async () => {
      $('#account-result').replaceChildren();
      if (editing) {
        await api(`/api/accounts/${encodeURIComponent(editing)}`, { method: 'PUT', body });
        $('#account-result').replaceChildren(h('p', { class: 'notice' }, t('admin.accounts.saved', { userName: editing })));
      } else {
        const created = await api('/api/accounts', { method: 'POST', body });
        $('#account-result').replaceChildren(secret(t('admin.accounts.created', { userName: created.userName }), created.oneTimePassword));
      }
      stopEditing();
      await showAccounts();
    });
  });
  $('#account-cancel').addEventListener('click', stopEditing);

  const agentForm = $('#agent');
  agentForm.addEventListener('submit', e => {
    e.preventDefault();
    const skills = Object.fromEntries(centres.map(c => [c, Number($(`#skill-${c}`).value)]).filter(([, level]) => level > 0));
    submit(agentForm, $('#agent-problem'), async () => {
      const id = agentForm.agentId.value.trim();
      await api(`/api/agents/${encodeURIComponent(id)}`, { method: 'PUT', body: { name: agentForm.name.value, centre: agentForm.centre.value, skills } });
      $('#agent-result').replaceChildren(h('p', { class: 'notice' }, t('admin.agents.registered', { agentId: id })));
      await showAgents();
    });
  });

  const machineForm = $('#machine');
  machineForm.addEventListener('submit', e => {
    e.preventDefault();
    submit(machineForm, $('#machine-problem'), async () => {
      const created = await api('/api/machine-clients', {
        method: 'POST',
        body: { name: machineForm.name.value.trim(), scopes: [...machineForm.querySelectorAll('[name=scopes]:checked')].map(c => c.value).join(' ') },
      });
      $('#machine-result').replaceChildren(secret(t('admin.machines.created', { name: created.name }), created.key));
      machineForm.reset();
      await showMachines();
    });
  });
}

function edit(account) {
  const form = $('#account');
  form.dataset.editing = account.userName;
  form.userName.value = account.userName;
  form.userName.disabled = true;
  form.displayName.value = account.displayName ?? '';
  for (const box of form.querySelectorAll('[name=roles]')) box.checked = account.roles.includes(box.value);
  form.agentId.value = account.agentId ?? '';
  form.centre.value = account.centre ?? '';
  $('#account-submit').textContent = t('admin.accounts.save');
  $('#account-cancel').hidden = false;
  form.displayName.focus();
}

function stopEditing() {
  const form = $('#account');
  delete form.dataset.editing;
  form.reset();
  form.userName.disabled = false;
  $('#account-submit').textContent = t('admin.accounts.create');
  $('#account-cancel').hidden = true;
}

async function showAccounts() {
  const accounts = await api('/api/accounts');
  $('#account-list').replaceChildren(h('table', { class: 'list' },
    h('thead', {}, h('tr', {}, ['admin.accounts.userName', 'admin.accounts.roles', 'admin.accounts.linked', 'admin.accounts.state', 'admin.accounts.actions'].map(k => h('th', { scope: 'col' }, t(k))))),
    h('tbody', {}, accounts.map(a => h('tr', { 'data-user': a.userName },
      h('td', {}, a.displayName ? `${a.displayName} (${a.userName})` : a.userName),
      h('td', {}, a.roles.map(r => tOr(`role.${r}`, r)).join(', ')),
      h('td', {}, [a.agentId && t('admin.accounts.asAgent', { agentId: a.agentId }), a.centre && centreName(a.centre)].filter(Boolean).join(' · ')),
      h('td', {}, a.lockedOut ? t('admin.accounts.locked') : a.mustChangePassword ? t('admin.accounts.mustChange') : t('admin.accounts.active')),
      h('td', {},
        h('button', { type: 'button', onclick: () => edit(a) }, t('admin.accounts.edit')), ' ',
        h('button', { type: 'button', onclick: () => reset(a.userName) }, t('admin.accounts.reset'))))))));
}

async function reset(userName) {
  await submit($('#account'), $('#account-problem'), async () => {
    const account = await api(`/api/accounts/${encodeURIComponent(userName)}/password`, { method: 'POST' });
    $('#account-result').replaceChildren(secret(t('admin.accounts.resetDone', { userName }), account.oneTimePassword));
    await showAccounts();
  });
}

async function showAgents() {
  const agents = await api('/api/agents');
  $('#agent-list').replaceChildren(agents.length === 0 ? h('p', { class: 'muted' }, t('admin.agents.none')) : h('table', { class: 'list' },
    h('thead', {}, h('tr', {}, ['admin.agents.id', 'admin.agents.name', 'admin.agents.centre', 'admin.agents.status'].map(k => h('th', {}, t(k))))),
    h('tbody', {}, agents.map(a => h('tr', {}, h('td', {}, a.agentId), h('td', {}, a.name), h('td', {}, centreName(a.centre)), h('td', {}, tOr(`status.${a.status}`, a.status)))))));
}

async function showMachines() {
  const machines = await api('/api/machine-clients');
  $('#machine-list').replaceChildren(machines.length === 0 ? h('p', { class: 'muted' }, t('admin.machines.none')) : h('table', { class: 'list' },
    h('tbody', {}, machines.map(m => h('tr', {},
      h('td', {}, m.name), h('td', {}, m.scopes.map(s => tOr(`scope.${s}`, s)).join(', ')),
      h('td', {}, h('button', { type: 'button', class: 'danger', onclick: () => removeMachine(m.name) }, t('admin.machines.delete'))))))));
}

async function removeMachine(name) {
  await submit($('#machine'), $('#machine-problem'), async () => {
    await api(`/api/machine-clients/${encodeURIComponent(name)}`, { method: 'DELETE' });
    await showMachines();
  });
}

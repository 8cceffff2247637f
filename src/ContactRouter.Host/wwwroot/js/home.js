// The landing page: the three consoles, and a way to let a caller in without a telephone exchange.
import { api } from './api.js';
import { t, centreName } from './i18n.js';
import { $, h, startPage, showProblem, clearProblem, markField } from './ui.js';

const { user } = await startPage('home');
document.title = t('home.title');

// Each console for the roles that open it; letting a caller in by hand is the administrator's try-out.
for (const role of ['agent', 'teamlead', 'reception', 'admin']) $(`#to-${role}`).hidden = !user.roles.includes(role);
$('#try-panel').hidden = !user.roles.includes('admin');
$('#try-centre').append(...user.centres.map(c => h('option', { value: c }, centreName(c))));

$('#try').addEventListener('submit', async e => {
  e.preventDefault();
  const form = e.currentTarget;
  clearProblem($('#try-problem'));
  $('#try-result').hidden = true;
  try {
    const queued = await api('/api/contacts', {
      method: 'POST',
      body: { centre: form.centre.value, channel: 'phone', caller: form.caller.value, topic: form.topic.value || undefined },
    });
    markField(form, null);
    $('#try-result').textContent = t('home.try.queued', { centre: centreName(queued.centre) });
    $('#try-result').hidden = false;
  } catch (problem) {
    markField(form, problem);
    showProblem($('#try-problem'), problem);
  }
});

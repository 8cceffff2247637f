// Signing in: a built-in account (user name and password; a one-time password is replaced at once), or the
// municipality's own identity provider when one is configured. Then back to where the user was going.
import { api, me } from './api.js';
import { t, translate } from './i18n.js';
import { $, showProblem, clearProblem, markField } from './ui.js';

translate();
document.title = t('signin.title');
const params = new URLSearchParams(location.search);
// Only back into this site (a link must not send someone elsewhere after signing in).
const asked = params.get('returnUrl') ?? params.get('ReturnUrl') ?? '/';
const back = asked.startsWith('/') && !asked.startsWith('//') && !asked.startsWith('/\\') && !asked.startsWith('/login') ? asked : '/';

const user = await me();
if (user.identityProvider) {
  $('#provider').hidden = false;
  $('#provider-link').textContent = t('signin.withProvider', { provider: user.identityProvider });
  $('#provider-link').href = `/signin/oidc?returnUrl=${encodeURIComponent(back)}`;
}
const errors = { provider: 'provider-failed', 'no-role': 'no-role', forbidden: 'forbidden-page' };
if (errors[params.get('error')]) showProblem($('#signin-problem'), { status: 403, body: { code: errors[params.get('error')] } });
if (params.has('signedOut')) { $('#signin-notice').textContent = t('signin.signedOut'); $('#signin-notice').hidden = false; }
$('#user-name').focus();

$('#signin').addEventListener('submit', async e => {
  e.preventDefault();
  const form = e.currentTarget;
  clearProblem($('#signin-problem'));
  const choosing = !$('#new-password-fields').hidden;
  if (choosing && form.newPassword.value !== form.repeatPassword.value) {
    markField(form, { field: 'repeatPassword' });
    showProblem($('#signin-problem'), { status: 400, body: { code: 'passwords-differ' } });
    return;
  }
  try {
    await api('/api/session', {
      method: 'POST',
      body: { userName: form.userName.value, password: form.password.value, newPassword: choosing ? form.newPassword.value : undefined },
    });
    location.assign(back);
  } catch (problem) {
    if (problem.field === 'newPassword' && !choosing) {
      // A one-time password: the account must choose its own now.
      $('#new-password-fields').hidden = false;
      markField(form, null);
      form.newPassword.focus();
      return;
    }
    markField(form, problem);
    showProblem($('#signin-problem'), problem);
  }
});

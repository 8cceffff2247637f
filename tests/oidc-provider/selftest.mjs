// Self-test of the test OpenID provider: starts provider.mjs the way a test fixture does and drives it
// with plain HTTP (node's fetch + a small cookie jar), no browser. Checks discovery, JWKS, the
// client_credentials JWT for telephony-exchange, the authorization code flow with PKCE for
// contactrouter-web (wrong password, right password, code exchange, ID token and userinfo claims),
// RP-initiated logout, and that the provider exits when its stdin closes or on SIGTERM.
//
//   node tests/oidc-provider/selftest.mjs      exit code 0 = everything passed, 1 = a check failed

import { spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';

const PROVIDER = fileURLToPath(new URL('./provider.mjs', import.meta.url));
const APP = 'http://127.0.0.1:43211'; // never contacted: the redirects to it are only inspected
const REDIRECT_URI = `${APP}/signin-oidc`;
const POST_LOGOUT_URI = `${APP}/signout-callback-oidc`; // ASP.NET Core's SignedOutCallbackPath

let checks = 0;
function check(condition, message, detail) {
  if (!condition) {
    const error = new Error(message);
    error.detail = detail;
    throw error;
  }
  checks += 1;
  console.log(`ok - ${message}`);
}
const sameJson = (a, b) => JSON.stringify(a) === JSON.stringify(b);

// ---- provider process ------------------------------------------------------------------------------

function startProvider() {
  const child = spawn(process.execPath, [PROVIDER, '--port', '0', '--redirect-uri', REDIRECT_URI,
    '--post-logout-redirect-uri', POST_LOGOUT_URI], { stdio: ['pipe', 'pipe', 'pipe'] });
  const proc = { child, stdout: '', stderr: '' };
  child.stderr.on('data', (d) => { proc.stderr += d; });
  proc.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  proc.issuer = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('provider did not print its issuer line within 20 s')), 20000);
    child.stdout.on('data', (d) => {
      proc.stdout += d;
      const m = /^issuer=(\S+)\n/.exec(proc.stdout);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    proc.exited.then(({ code }) => { clearTimeout(timer); reject(new Error(`provider exited early (code ${code})`)); });
  });
  return proc;
}

const within = (promise, ms) => Promise.race([promise, new Promise((r) => setTimeout(() => r('timeout'), ms))]);

// ---- HTTP helpers ----------------------------------------------------------------------------------

// Just enough of a browser's cookie jar: name + path scoping, deletion by expiry.
class CookieJar {
  #cookies = new Map(); // `${path}\n${name}` -> { name, value, path }

  store(url, response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const cookie = { name: pair.slice(0, eq), value: pair.slice(eq + 1), path: '/' };
      let expired = cookie.value === '';
      for (const attr of attrs) {
        const [k, v = ''] = attr.split('=');
        if (/^path$/i.test(k)) cookie.path = v;
        if (/^expires$/i.test(k) && Date.parse(v) <= Date.now()) expired = true;
        if (/^max-age$/i.test(k) && Number(v) <= 0) expired = true;
        if (/^samesite$/i.test(k) && /^none$/i.test(v) && !attrs.some((a) => /^secure$/i.test(a))) {
          expired = true; // what Chromium does with SameSite=None without Secure: drops it
        }
      }
      const key = `${cookie.path}\n${cookie.name}`;
      if (expired) this.#cookies.delete(key); else this.#cookies.set(key, cookie);
    }
  }

  header(url) {
    const { pathname } = new URL(url);
    return [...this.#cookies.values()]
      .filter((c) => pathname === c.path || pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map((c) => `${c.name}=${c.value}`).join('; ');
  }

  names() { return [...this.#cookies.values()].map((c) => c.name); }
}

// One request, no automatic redirects (like a browser, but we look at each hop).
async function request(jar, url, { method = 'GET', form, headers = {} } = {}) {
  const cookie = jar?.header(url);
  const res = await fetch(url, {
    method,
    redirect: 'manual',
    headers: {
      ...(cookie ? { cookie } : {}),
      ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      ...headers,
    },
    body: form ? new URLSearchParams(form).toString() : undefined,
  });
  jar?.store(url, res);
  const location = res.headers.get('location');
  return { status: res.status, location: location && new URL(location, url).href, text: await res.text(), res };
}

// Follow redirects within the provider; stop at the first one that leaves it (to the app).
async function follow(jar, issuer, first) {
  let res = first;
  for (let hops = 0; res.location && res.location.startsWith(`${issuer}/`); hops += 1) {
    if (hops > 10) throw new Error('too many redirects');
    res = await request(jar, res.location);
  }
  return res;
}

const b64urlJson = (part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

// Verify an RS256 JWT against the provider's JWKS with node:crypto (independent of the provider's jose).
function verifyJwt(jwt, jwks) {
  const [h, p, s] = jwt.split('.');
  const header = b64urlJson(h);
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  if (header.alg !== 'RS256' || !jwk) return { header, valid: false };
  const key = crypto.createPublicKey({ key: jwk, format: 'jwk' });
  const valid = crypto.verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'));
  return { header, payload: b64urlJson(p), valid };
}

// ---- the checks --------------------------------------------------------------------------------------

async function discoveryAndJwks(issuer) {
  const meta = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
  check(meta.issuer === issuer, `discovery: issuer is ${issuer}`, meta);
  for (const name of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri',
    'end_session_endpoint']) {
    check(typeof meta[name] === 'string' && meta[name].startsWith(`${issuer}/`), `discovery: ${name} = ${meta[name]}`);
  }
  check(['openid', 'profile', 'contactrouter'].every((s) => meta.scopes_supported.includes(s)),
    'discovery: scopes_supported has openid, profile, contactrouter', meta.scopes_supported);
  check(['name', 'roles', 'agent_id', 'centre'].every((c) => meta.claims_supported.includes(c)),
    'discovery: claims_supported has name, roles, agent_id, centre', meta.claims_supported);
  check(sameJson(meta.code_challenge_methods_supported, ['S256']), 'discovery: PKCE S256');
  check(meta.id_token_signing_alg_values_supported.includes('RS256'), 'discovery: ID tokens RS256');
  check(['client_secret_post', 'client_secret_basic'].every((m) => meta.token_endpoint_auth_methods_supported.includes(m)),
    'discovery: client_secret_post and client_secret_basic');
  check(meta.grant_types_supported.includes('client_credentials'), 'discovery: client_credentials grant');

  const jwks = await (await fetch(meta.jwks_uri)).json();
  check(jwks.keys.length >= 1 && jwks.keys.every((k) => k.kty === 'RSA' && k.kid && !('d' in k)),
    `JWKS: ${jwks.keys.length} public RSA key(s) with kid, no private parts`, jwks);
  return { meta, jwks };
}

async function clientCredentials(meta, jwks) {
  const now = Math.floor(Date.now() / 1000);
  const checkToken = (body, label, expectScope) => {
    check(typeof body.access_token === 'string' && body.token_type === 'Bearer', `${label}: access token issued`, body);
    const { header, payload, valid } = verifyJwt(body.access_token, jwks);
    check(valid, `${label}: access token is a JWT signed RS256 (typ ${header.typ}, kid ${header.kid}) that verifies against the JWKS`);
    check(payload.iss === meta.issuer && payload.aud === 'contactrouter-api' && payload.client_id === 'telephony-exchange'
      && payload.sub === 'telephony-exchange' && payload.exp > now,
    `${label}: iss, aud=contactrouter-api, client_id=sub=telephony-exchange, exp`, payload);
    check(payload.scope === expectScope, `${label}: scope claim "${payload.scope}"`, payload);
  };

  let res = await request(null, meta.token_endpoint, {
    method: 'POST',
    form: {
      grant_type: 'client_credentials', scope: 'contacts:queue contacts:abandon',
      client_id: 'telephony-exchange', client_secret: 'telephony-exchange-secret',
    },
  });
  check(res.status === 200, 'client_credentials (client_secret_post, scope requested): 200', res.text);
  checkToken(JSON.parse(res.text), 'client_credentials', 'contacts:queue contacts:abandon');

  const basic = `Basic ${Buffer.from('telephony-exchange:telephony-exchange-secret').toString('base64')}`;
  res = await request(null, meta.token_endpoint, {
    method: 'POST', form: { grant_type: 'client_credentials', scope: 'contacts:queue' }, headers: { authorization: basic },
  });
  check(res.status === 200, 'client_credentials (client_secret_basic, one scope): 200', res.text);
  checkToken(JSON.parse(res.text), 'client_credentials one scope', 'contacts:queue');

  res = await request(null, meta.token_endpoint, {
    method: 'POST', form: { grant_type: 'client_credentials' }, headers: { authorization: basic },
  });
  check(res.status === 200, 'client_credentials without scope parameter: 200', res.text);
  checkToken(JSON.parse(res.text), 'client_credentials default scope', 'contacts:queue contacts:abandon');

  res = await request(null, meta.token_endpoint, {
    method: 'POST',
    form: { grant_type: 'client_credentials', client_id: 'telephony-exchange', client_secret: 'wrong' },
  });
  check(res.status === 401 && JSON.parse(res.text).error === 'invalid_client', 'client_credentials with a wrong secret: 401 invalid_client', res.text);

  res = await request(null, meta.token_endpoint, {
    method: 'POST',
    form: {
      grant_type: 'client_credentials', client_id: 'contactrouter-web', client_secret: 'contactrouter-web-secret',
    },
  });
  check(res.status === 400 && JSON.parse(res.text).error === 'invalid_request',
    'client_credentials for contactrouter-web: refused (grant type not allowed for this client)', res.text);
}

function authorizeUrl(meta, challenge, extra = {}) {
  const params = new URLSearchParams({
    client_id: 'contactrouter-web', response_type: 'code', response_mode: 'query',
    scope: 'openid profile contactrouter', redirect_uri: REDIRECT_URI,
    code_challenge: challenge, code_challenge_method: 'S256', state: 'x', nonce: 'y', ...extra,
  });
  return `${meta.authorization_endpoint}?${params}`;
}

// Log in as `login` through the login form; returns the ID token and the userinfo response.
async function signIn(meta, jwks, jar, login, password, { wrongPasswordFirst = false } = {}) {
  const verifier = crypto.randomBytes(32).toString('base64url');
  const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');

  let res = await follow(jar, meta.issuer, await request(jar, authorizeUrl(meta, challenge)));
  check(res.status === 200 && /<form[^>]*method="post"/.test(res.text) && res.text.includes('name="login"')
    && res.text.includes('name="password"') && res.text.includes('>Username<') && res.text.includes('>Password<')
    && res.text.includes('>Sign in</button>'),
  `${login}: /auth leads to the login form (Username, Password, Sign in)`, res.text);
  const action = new URL(/<form[^>]*action="([^"]+)"/.exec(res.text)[1], meta.issuer).href;
  check(/^\/interaction\/[\w-]+\/login$/.test(new URL(action).pathname), `${login}: form posts to ${new URL(action).pathname}`);

  if (wrongPasswordFirst) {
    res = await request(jar, action, { method: 'POST', form: { login, password: 'not-the-password' } });
    check(res.status === 200 && res.text.includes('Invalid username or password') && res.text.includes('name="password"'),
      `${login}: wrong password stays on the login form with an error`, res.text);
    res = await request(jar, action, { method: 'POST', form: { login: 'nobody', password } });
    check(res.status === 200 && res.text.includes('Invalid username or password'), `${login}: unknown user stays on the login form`);
  }

  res = await follow(jar, meta.issuer, await request(jar, action, { method: 'POST', form: { login, password } }));
  check(res.status === 303 && res.location?.startsWith(`${REDIRECT_URI}?`),
    `${login}: right password redirects (after automatic consent) to the redirect_uri`, res);
  const callback = new URL(res.location).searchParams;
  check(callback.get('code') && callback.get('state') === 'x' && callback.get('iss') === meta.issuer,
    `${login}: redirect carries code, state=x, iss (query response mode)`, res.location);

  res = await request(null, meta.token_endpoint, {
    method: 'POST',
    form: {
      grant_type: 'authorization_code', code: callback.get('code'), redirect_uri: REDIRECT_URI, code_verifier: verifier,
      client_id: 'contactrouter-web', client_secret: 'contactrouter-web-secret',
    },
  });
  check(res.status === 200, `${login}: code exchange (client_secret_post + code_verifier): 200`, res.text);
  const tokens = JSON.parse(res.text);
  check(tokens.id_token && tokens.access_token && tokens.token_type === 'Bearer'
    && sameJson(tokens.scope.split(' ').sort(), ['contactrouter', 'openid', 'profile']),
  `${login}: id_token + access_token, scope "${tokens.scope}"`, tokens);

  const { header, payload: idToken, valid } = verifyJwt(tokens.id_token, jwks);
  check(valid, `${login}: id_token signed ${header.alg}, verifies against the JWKS`);
  check(idToken.iss === meta.issuer && idToken.aud === 'contactrouter-web' && idToken.nonce === 'y' && idToken.sub === login,
    `${login}: id_token iss, aud=contactrouter-web, nonce=y, sub=${login}`, idToken);

  res = await request(null, meta.userinfo_endpoint, { headers: { authorization: `Bearer ${tokens.access_token}` } });
  check(res.status === 200, `${login}: userinfo: 200`, res.text);
  const userinfo = JSON.parse(res.text);
  return { idToken, userinfo, tokens };
}

async function authorizationCodeFlow(meta, jwks) {
  const jar = new CookieJar();
  const { idToken, userinfo, tokens } = await signIn(meta, jwks, jar, 'tl.jansen', 'Teamlead-Passw0rd!', { wrongPasswordFirst: true });
  for (const [where, claims] of [['id_token', idToken], ['userinfo', userinfo]]) {
    check(sameJson(claims.roles, ['teamlead']) && claims.centre === 'sociaal' && claims.name === 'Tineke Jansen'
      && claims.preferred_username === 'tl.jansen' && !('agent_id' in claims) && !('password' in claims),
    `tl.jansen: ${where} has roles ["teamlead"], centre, name, preferred_username (no agent_id, no password)`, claims);
  }
  check(jar.names().includes('oidc_session'), 'provider session cookie oidc_session kept (SameSite=Lax, no Secure needed)', jar.names());

  // A second authorization in the same browser: single sign-on, no login form.
  const challenge = crypto.createHash('sha256').update('v'.repeat(43)).digest('base64url');
  const res = await follow(jar, meta.issuer, await request(jar, authorizeUrl(meta, challenge)));
  check(res.status === 303 && res.location.startsWith(`${REDIRECT_URI}?code=`), 'second /auth in the same browser: straight back with a code (SSO)', res);

  // RP-initiated logout as ASP.NET Core does it (id_token_hint + post_logout_redirect_uri + state).
  const logout = new URLSearchParams({ id_token_hint: tokens.id_token, post_logout_redirect_uri: POST_LOGOUT_URI, state: 'z' });
  let page = await request(jar, `${meta.end_session_endpoint}?${logout}`);
  check(page.status === 200 && page.text.includes('id="op.logoutForm"'), 'end_session: sign-out page with the auto-submitting form', page.text);
  const action = new URL(/<form[^>]*action="([^"]+)"/.exec(page.text)[1], meta.issuer).href;
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(page.text)[1];
  page = await request(jar, action, { method: 'POST', form: { xsrf, logout: 'yes' } });
  check(page.status === 303 && page.location === `${POST_LOGOUT_URI}?state=z`, `end_session: redirects to ${POST_LOGOUT_URI}?state=z`, page);
  const again = await follow(jar, meta.issuer, await request(jar, authorizeUrl(meta, challenge)));
  check(again.status === 200 && again.text.includes('name="password"'), 'after sign-out /auth shows the login form again');

  const anna = await signIn(meta, jwks, new CookieJar(), 'anna', 'Agent-Passw0rd!');
  check(sameJson(anna.idToken.roles, ['agent']) && anna.idToken.agent_id === 'anna' && anna.idToken.centre === 'sociaal'
    && anna.idToken.name === 'Anna de Vries' && sameJson(anna.userinfo.roles, ['agent']) && anna.userinfo.agent_id === 'anna',
  'anna: id_token and userinfo have roles ["agent"], agent_id "anna", centre, name', anna.idToken);
  const rob = await signIn(meta, jwks, new CookieJar(), 'rc.bakker', 'Receptie-Passw0rd!');
  check(sameJson(rob.idToken.roles, ['reception']) && rob.idToken.name === 'Rob Bakker' && !('centre' in rob.idToken),
    'rc.bakker: id_token has roles ["reception"], name, no centre', rob.idToken);
}

// ---- main ----------------------------------------------------------------------------------------------

let provider;
try {
  provider = startProvider();
  const issuer = await provider.issuer;
  check(/^http:\/\/127\.0\.0\.1:\d+$/.test(issuer), `provider printed "issuer=${issuer}"`);
  const { meta, jwks } = await discoveryAndJwks(issuer);
  await clientCredentials(meta, jwks);
  await authorizationCodeFlow(meta, jwks);

  check(provider.stdout === `issuer=${issuer}\n`, 'provider wrote nothing to stdout but the issuer line', provider.stdout);
  // The two refused token requests above are logged; nothing else may be.
  const expected = ['oidc-provider grant.error: invalid_client (client authentication failed)',
    'oidc-provider grant.error: invalid_request (requested grant type is not allowed for this client)'];
  check(sameJson(provider.stderr.split('\n').filter(Boolean), expected),
    'provider wrote nothing to stderr but the two refused token requests', provider.stderr);
  provider.child.stdin.end();
  const exit = await within(provider.exited, 5000);
  check(exit !== 'timeout' && exit.code === 0, 'provider exits (code 0) when its stdin closes', exit);

  const second = startProvider();
  await second.issuer;
  second.child.kill('SIGTERM');
  const exit2 = await within(second.exited, 5000);
  check(exit2 !== 'timeout' && exit2.code === 0, 'provider exits (code 0) on SIGTERM', exit2);

  console.log(`selftest: PASS (${checks} checks)`);
} catch (err) {
  console.error(`not ok - ${err.message}`);
  if (err.detail !== undefined) {
    const detail = err.detail?.res ? { status: err.detail.status, location: err.detail.location, body: err.detail.text } : err.detail;
    console.error(typeof detail === 'string' ? detail : JSON.stringify(detail, null, 2));
  }
  if (!err.detail && err.stack) console.error(err.stack);
  if (provider?.stderr) console.error(`---- provider stderr ----\n${provider.stderr}`);
  console.error(`selftest: FAIL (after ${checks} passed checks)`);
  process.exitCode = 1;
} finally {
  if (provider && provider.child.exitCode === null) provider.child.kill('SIGTERM');
}

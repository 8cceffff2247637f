// TEST-ONLY OpenID Connect provider for ContactRouter's test fixtures, built on oidc-provider
// (https://github.com/panva/node-oidc-provider). Listens on 127.0.0.1 over plain http, keeps everything in
// memory, generates a fresh signing key on every start, and never fetches anything from the network.
// Every secret and password it knows (clients.json, users.json, COOKIE_KEYS below) is a test value.
//
//   node tests/oidc-provider/provider.mjs --port 0 \
//       --redirect-uri http://127.0.0.1:43211/signin-oidc --post-logout-redirect-uri http://127.0.0.1:43211/
//
// Once listening it writes exactly one line to stdout, "issuer=http://127.0.0.1:<port>", and nothing else
// (errors go to stderr). It exits when its stdin closes (so a test process that dies never leaves it
// behind; pass --ignore-stdin when running it by hand in the background) and on SIGTERM/SIGINT.
// See README.md for the clients, users and claims.

import * as crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import { parseArgs } from 'node:util';

import Provider, { errors } from 'oidc-provider';
// Both deep imports below are stable within the exact oidc-provider version pinned in package.json.
import MemoryAdapter from 'oidc-provider/lib/adapters/memory_adapter.js';
import * as clientCredentialsGrant from 'oidc-provider/lib/actions/grants/client_credentials.js';

// stdout carries the one issuer line the fixture waits for; send any other console output to stderr.
const writeIssuerLine = (line) => process.stdout.write(`${line}\n`);
console.log = console.info = console.debug = (...args) => console.error(...args);

const usage = `usage: node provider.mjs [--port N] --redirect-uri URI [--redirect-uri URI ...]
                        [--post-logout-redirect-uri URI ...] [--ignore-stdin]`;
let args;
try {
  ({ values: args } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      'redirect-uri': { type: 'string', multiple: true, default: [] },
      'post-logout-redirect-uri': { type: 'string', multiple: true, default: [] },
      'ignore-stdin': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  }));
} catch (err) {
  console.error(`${err.message}\n${usage}`);
  process.exit(2);
}
if (args.help) {
  console.error(usage);
  process.exit(0);
}
const port = Number(args.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`invalid --port '${args.port}'\n${usage}`);
  process.exit(2);
}

const readJson = (name) => JSON.parse(readFileSync(new URL(name, import.meta.url), 'utf8'));
const users = readJson('./users.json'); // { login: { password, name, roles, agent_id?, centre? } }
// Clients that use redirects get the redirect URIs from the command line.
const clients = readJson('./clients.json').map((client) => (client.grant_types.includes('authorization_code')
  ? {
    ...client,
    redirect_uris: args['redirect-uri'],
    post_logout_redirect_uris: args['post-logout-redirect-uri'],
  }
  : client));
if (clients.some((c) => c.grant_types.includes('authorization_code')) && args['redirect-uri'].length === 0) {
  console.error(`at least one --redirect-uri is required\n${usage}`);
  process.exit(2);
}

// The API that machine clients get JWT access tokens for. A resource indicator must be an absolute URI;
// the tokens' "aud" is API_AUDIENCE. Clients need not send "resource": it defaults to this one.
const API_RESOURCE = 'urn:contactrouter:api';
const API_AUDIENCE = 'contactrouter-api';
const API_SCOPE = 'contacts:queue contacts:abandon';

const COOKIE_KEYS = ['contactrouter-test-oidc-provider-cookie-key (TEST ONLY)'];

// A fresh RS256 signing key per start; clients read it from jwks_uri.
const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS256' };
signingKey.kid = crypto.createHash('sha256').update(signingKey.n).digest('base64url').slice(0, 16);

// The library's default in-memory store; a subclass only so that it doesn't print its "development-only
// adapter" warning at every start (in-memory is exactly what a test provider wants).
class InMemoryAdapter extends MemoryAdapter {}

const configuration = {
  adapter: InMemoryAdapter,
  clients,
  jwks: { keys: [signingKey] },
  cookies: {
    keys: COOKIE_KEYS,
    // SameSite=Lax, not the library's default "none" for the session cookie: Chromium drops SameSite=None
    // cookies that are not Secure, and this provider runs over plain http.
    long: { httpOnly: true, sameSite: 'lax', signed: true },
    short: { httpOnly: true, sameSite: 'lax', signed: true },
    // Distinct names: the ASP.NET app runs on the same host (127.0.0.1), and cookies ignore ports.
    names: { session: 'oidc_session', interaction: 'oidc_interaction', resume: 'oidc_interaction_resume' },
  },
  async findAccount(ctx, id) {
    const user = Object.hasOwn(users, id) ? users[id] : undefined;
    if (!user) return undefined;
    return {
      accountId: id,
      // oidc-provider releases only the claims the granted scopes (see `claims` below) allow.
      async claims() {
        const { password, ...claims } = user;
        return { sub: id, preferred_username: id, ...claims };
      },
    };
  },
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username'],
    contactrouter: ['name', 'roles', 'agent_id', 'centre'],
  },
  // Scopes besides the ones defined by `claims`: the API's, so clients may register them.
  scopes: ['openid', ...API_SCOPE.split(' ')],
  // Put scope-requested claims into the ID token too (not only the userinfo response).
  conformIdTokenClaims: false,
  responseTypes: ['code'],
  pkce: { methods: ['S256'], required: () => true },
  features: {
    devInteractions: { enabled: false }, // they accept any login without a password; see routes below
    clientCredentials: { enabled: true },
    userinfo: { enabled: true },
    rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
    resourceIndicators: {
      enabled: true,
      async defaultResource(ctx, client, oneOf) {
        if (oneOf) return oneOf;
        return client.grantTypes.includes('client_credentials') ? API_RESOURCE : undefined;
      },
      async getResourceServerInfo(ctx, resourceIndicator) {
        if (resourceIndicator !== API_RESOURCE) throw new errors.InvalidTarget();
        return { audience: API_AUDIENCE, scope: API_SCOPE, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
      },
      useGrantedResource: async () => false,
    },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  clientBasedCORS: () => false,
  renderError,
  ttl: {
    AccessToken: 3600,
    AuthorizationCode: 60,
    ClientCredentials: 3600,
    IdToken: 3600,
    Interaction: 3600,
    Session: 8 * 3600,
    Grant: 8 * 3600,
  },
};

// ---- HTML ------------------------------------------------------------------------------------------

const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:sans-serif;max-width:24em;margin:3em auto}label,input,button{display:block;margin:.3em 0}
.error{color:#b00020}</style></head>
<body>
<p><small>ContactRouter test OpenID provider</small></p>
${body}
</body>
</html>`;
}

function loginPage(uid, clientName, login, error) {
  return page('Sign in', `<h1>Sign in to ${esc(clientName)}</h1>
${error ? `<p class="error" role="alert">${esc(error)}</p>` : ''}
<form method="post" action="/interaction/${esc(uid)}/login" autocomplete="off">
  <label for="login">Username</label>
  <input id="login" name="login" type="text" value="${esc(login)}" required ${login ? '' : 'autofocus'}>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" required ${login ? 'autofocus' : ''}>
  <button type="submit">Sign in</button>
</form>`);
}

// RP-initiated logout: sign out of the provider without asking (the form has the xsrf token; the
// script submits it with logout=yes). Without JavaScript the user presses "Sign out".
async function logoutSource(ctx, form) {
  ctx.type = 'html';
  ctx.body = page('Sign out', `<h1>Signing out…</h1>
${form}
<input type="hidden" name="logout" value="yes" form="op.logoutForm">
<button type="submit" form="op.logoutForm">Sign out</button>
<script>document.getElementById('op.logoutForm').submit();</script>`);
}

async function postLogoutSuccessSource(ctx) {
  ctx.type = 'html';
  ctx.body = page('Signed out', '<h1>Signed out</h1>');
}

async function renderError(ctx, out) {
  ctx.type = 'html';
  ctx.body = page('Error', `<h1>Error</h1>
${Object.entries(out).map(([key, value]) => `<p><strong>${esc(key)}</strong>: ${esc(value)}</p>`).join('\n')}`);
}

// ---- interactions (login + automatic consent) ----------------------------------------------------

async function readForm(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 16 * 1024) throw new errors.InvalidRequest('request body too large');
  }
  return new URLSearchParams(body);
}

function interactionRoutes(provider) {
  return async (ctx, next) => {
    const match = /^\/interaction\/([\w-]+)(\/login)?$/.exec(ctx.path);
    if (!match) return next();
    ctx.set('cache-control', 'no-store');
    const [, uid, login] = match;
    try {
      const details = await provider.interactionDetails(ctx.req, ctx.res);
      if (details.uid !== uid) throw new errors.SessionNotFound('interaction mismatch');
      const { prompt, params } = details;
      const client = await provider.Client.find(params.client_id);
      const clientName = client?.clientName || params.client_id;

      if (ctx.method === 'GET' && !login) {
        if (prompt.name === 'login') {
          ctx.type = 'html';
          ctx.body = loginPage(uid, clientName, params.login_hint, undefined);
          return undefined;
        }
        if (prompt.name === 'consent') return consent(provider, details, ctx);
      }

      if (ctx.method === 'POST' && login && prompt.name === 'login') {
        const form = await readForm(ctx.req);
        const name = form.get('login') ?? '';
        const user = Object.hasOwn(users, name) ? users[name] : undefined;
        if (!user || user.password !== (form.get('password') ?? '')) {
          ctx.type = 'html';
          ctx.body = loginPage(uid, clientName, name, 'Invalid username or password.');
          return undefined;
        }
        // remember: false makes the provider's session cookie a browser-session cookie.
        return provider.interactionFinished(ctx.req, ctx.res, { login: { accountId: name, remember: false } }, {
          mergeWithLastSubmission: false,
        });
      }
      ctx.status = 405;
      ctx.body = 'unexpected request for this interaction';
      return undefined;
    } catch (err) {
      if (!(err instanceof errors.OIDCProviderError)) throw err;
      ctx.status = err.status;
      await renderError(ctx, { error: err.message, error_description: err.error_description });
      return undefined;
    }
  };
}

// First-party clients only: grant what was asked for without showing a consent page.
async function consent(provider, details, ctx) {
  const { prompt: { details: missing }, params, session: { accountId } } = details;
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId, clientId: params.client_id });
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  const grantId = await grant.save();
  const result = { consent: details.grantId ? {} : { grantId } };
  return provider.interactionFinished(ctx.req, ctx.res, result, { mergeWithLastSubmission: true });
}

// ---- start ---------------------------------------------------------------------------------------

// Listen first: the issuer URL contains the port, which is only known once the socket is bound.
const server = http.createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(port, '127.0.0.1', resolve);
});
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, configuration);

// client_credentials without a "scope" parameter: grant the client's registered scopes (RFC 6749 3.3
// allows a default), so the JWT always carries "scope". Delegates to the library's own handler.
provider.registerGrantType('client_credentials', async (ctx, next) => {
  if (!ctx.oidc.params.scope && ctx.oidc.client.scope) ctx.oidc.params.scope = ctx.oidc.client.scope;
  return clientCredentialsGrant.handler(ctx, next);
}, clientCredentialsGrant.parameters);

provider.use(interactionRoutes(provider));

for (const event of ['authorization.error', 'grant.error', 'userinfo.error', 'end_session.error',
  'discovery.error', 'jwks.error', 'backchannel.error', 'revocation.error', 'introspection.error']) {
  provider.on(event, (ctx, err) => {
    console.error(`oidc-provider ${event}: ${err.message}${err.error_description ? ` (${err.error_description})` : ''}`);
  });
}
provider.on('server_error', (ctx, err) => console.error('oidc-provider server_error:', err));

server.on('request', provider.callback());

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  server.close();
  server.closeAllConnections();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
if (!args['ignore-stdin']) {
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
}

writeIssuerLine(`issuer=${issuer}`);

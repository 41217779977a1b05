/**
 * A real OpenID Provider for tests (the `oidc-provider` package, certified by the OpenID
 * Foundation), on node:http at 127.0.0.1 with a random port, so Latchkey's sign-in runs against
 * genuine discovery, signed ID tokens, PKCE and end-session, not a mock.
 *
 * Used by the API tests (vitest) and the Playwright e2e tests, so it must not import vitest.
 *
 * What it does, on purpose:
 * - Its own sign-in page (devInteractions off): GET /interaction/:uid is a small accessible form
 *   ("Username" and a "Sign in" button); the person is whoever was set with `setAccount`.
 * - Every authorization request shows that form, even when the browser is still signed in at the
 *   provider, so a test (or a Playwright browser) can sign in as someone else without signing out.
 * - Consent is granted automatically (oidc-provider 9 wants a Grant for the requested scopes).
 * - Generous claims: the `profile` scope also carries `title`, `groups` and `phone_number`, so
 *   Latchkey's default scopes (openid email profile) get everything; they are in the ID token too
 *   (conformIdTokenClaims: false), and the userinfo endpoint serves them as well.
 * - PKCE (S256) is required; the confidential client authenticates with client_secret_basic; a
 *   public client (`publicClientId`, no secret) exists for PKCE-only configurations.
 * - RP-initiated logout (end_session_endpoint) accepts the registered post-logout redirect URIs.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type ProviderClass from 'oidc-provider';
import type { KoaContext, OidcAdapter } from 'oidc-provider';

export interface TestOidcProvider {
  /** http://127.0.0.1:<port> */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** A second client with no secret (token_endpoint_auth_method none; PKCE only). */
  publicClientId: string;
  /** Claims for the person who types `username` at the provider's sign-in form (sub defaults to username). */
  setAccount(username: string, claims: Record<string, unknown>): void;
  close(): Promise<void>;
}

type OidcModule = typeof import('oidc-provider');
let oidcModule: Promise<OidcModule> | undefined;

/**
 * oidc-provider warns "Unsupported runtime" at import time on Node 20 (it targets 22+; it works
 * here, and Latchkey's tests pin Node 20). Loading it lazily lets us drop exactly that one line
 * without hiding anything else it says.
 */
function loadOidcProvider(): Promise<OidcModule> {
  oidcModule ??= (async () => {
    const warn = console.warn;
    console.warn = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].includes('Unsupported runtime')) return;
      warn(...args);
    };
    try {
      return await import('oidc-provider');
    } finally {
      console.warn = warn;
    }
  })();
  return oidcModule;
}

/**
 * The provider's storage (sessions, interactions, codes, tokens, grants), in memory and private
 * to one test provider. Passing our own adapter also keeps oidc-provider from warning that its
 * development adapter is in use.
 */
function createMemoryAdapterFactory(): new (model: string) => OidcAdapter {
  const store = new Map<string, { payload: Record<string, unknown>; expiresAt: number }>();
  const read = (key: string) => {
    const entry = store.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      store.delete(key);
      return undefined;
    }
    return entry.payload;
  };
  return class MemoryAdapter implements OidcAdapter {
    constructor(private readonly model: string) {}
    private key(id: string) {
      return `${this.model}:${id}`;
    }
    async upsert(id: string, payload: Record<string, unknown>, expiresIn?: number) {
      const expiresAt = expiresIn ? Date.now() + expiresIn * 1000 : Infinity;
      store.set(this.key(id), { payload, expiresAt });
      if (this.model === 'Session' && typeof payload.uid === 'string')
        store.set(`SessionUid:${payload.uid}`, { payload: { id }, expiresAt });
    }
    async find(id: string) {
      return read(this.key(id));
    }
    async findByUid(uid: string) {
      const index = read(`SessionUid:${uid}`);
      return typeof index?.id === 'string' ? this.find(index.id) : undefined;
    }
    async findByUserCode(_userCode: string) {
      return undefined; // device flow is not enabled
    }
    async consume(id: string) {
      const payload = read(this.key(id));
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      store.delete(this.key(id));
    }
    async revokeByGrantId(grantId: string) {
      for (const [key, entry] of store) if (entry.payload.grantId === grantId) store.delete(key);
    }
  };
}

function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main>${body}</main></body>
</html>`;
}

function signInPage(uid: string, error?: string): string {
  const alert = error ? `<p role="alert">${escapeHtml(error)}</p>` : '';
  return page(
    'Sign in to the test identity provider',
    `<h1>Test identity provider</h1>${alert}
<form method="post" action="/interaction/${encodeURIComponent(uid)}">
<label for="username">Username</label>
<input id="username" name="username" type="text" autocomplete="username" required autofocus>
<button type="submit">Sign in</button>
</form>`,
  );
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

/** Starts a fresh provider with its own keys, clients, accounts and storage. */
export async function startTestOidcProvider(options: {
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
}): Promise<TestOidcProvider> {
  const { default: Provider, interactionPolicy } = await loadOidcProvider();

  /** username → claims; and sub → username, because tokens name the account by `sub`. */
  const accounts = new Map<string, Record<string, unknown>>();
  const subjectOf = (username: string) => {
    const sub = accounts.get(username)?.sub;
    return typeof sub === 'string' && sub ? sub : username;
  };
  const usernameOfSubject = (sub: string) => [...accounts.keys()].find((username) => subjectOf(username) === sub);

  // The issuer names the port, so the provider is made after the server listens.
  const started: { provider?: ProviderClass; handleProtocol?: (req: IncomingMessage, res: ServerResponse) => void } =
    {};

  const handleInteraction = async (req: IncomingMessage, res: ServerResponse, uid: string) => {
    const provider = started.provider;
    if (!provider) throw new Error('provider not started');
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) return sendHtml(res, 400, page('Bad request', '<p>This sign-in has expired.</p>'));

    if (details.prompt.name === 'consent') {
      // Consent is automatic: grant exactly what was asked for, as a first-party provider would.
      const accountId = details.session?.accountId;
      if (!accountId) throw new Error('consent without a signed-in account');
      const grant =
        (details.grantId ? await provider.Grant.find(details.grantId) : undefined) ??
        new provider.Grant({ accountId, clientId: details.params.client_id });
      const missing = details.prompt.details;
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {}))
        grant.addResourceScope(indicator, scopes.join(' '));
      const grantId = await grant.save();
      return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    }

    if (req.method === 'GET') return sendHtml(res, 200, signInPage(uid));
    if (req.method !== 'POST') return sendHtml(res, 405, page('Method not allowed', '<p>Method not allowed.</p>'));
    const username = (await readForm(req)).get('username')?.trim() ?? '';
    if (!accounts.has(username)) return sendHtml(res, 200, signInPage(uid, 'Unknown username.'));
    return provider.interactionFinished(
      req,
      res,
      { login: { accountId: subjectOf(username) } },
      { mergeWithLastSubmission: false },
    );
  };

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const interaction = /^\/interaction\/([^/]+)$/.exec(path);
    const work = interaction ? handleInteraction(req, res, decodeURIComponent(interaction[1]!)) : undefined;
    if (!work) {
      if (!started.handleProtocol) return sendHtml(res, 503, page('Starting', '<p>Starting.</p>'));
      return started.handleProtocol(req, res);
    }
    work.catch((error: unknown) => {
      // An unknown or finished interaction (a stale tab, a replayed form) is the person's problem,
      // not the provider's: say so plainly.
      if (!res.headersSent)
        sendHtml(res, 400, page('Sign-in failed', `<p>${escapeHtml(String((error as Error).message ?? error))}</p>`));
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const clientId = `latchkey-${randomBytes(4).toString('hex')}`;
  const clientSecret = randomBytes(24).toString('base64url');
  const publicClientId = `${clientId}-public`;
  const postLogoutRedirectUris = options.postLogoutRedirectUris ?? [];
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

  // Every authorization request asks for the sign-in form, even with a live provider session, so
  // tests decide who signs in. `result.login` is set when the form was just submitted.
  const policy = interactionPolicy.base();
  policy
    .get('login')!
    .checks.add(
      new interactionPolicy.Check('always_sign_in', 'the test provider asks every time', (ctx: KoaContext) =>
        ctx.oidc.result?.login ? interactionPolicy.Check.NO_NEED_TO_PROMPT : interactionPolicy.Check.REQUEST_PROMPT,
      ),
    );

  const shared = {
    redirect_uris: options.redirectUris,
    post_logout_redirect_uris: postLogoutRedirectUris,
    response_types: ['code'],
    grant_types: ['authorization_code'],
  };
  const provider = new Provider(issuer, {
    adapter: createMemoryAdapterFactory(),
    clients: [
      {
        ...shared,
        client_id: clientId,
        client_secret: clientSecret,
        token_endpoint_auth_method: 'client_secret_basic',
      },
      { ...shared, client_id: publicClientId, token_endpoint_auth_method: 'none' },
    ],
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' }] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    pkce: { required: () => true },
    // Fixed lifetimes (seconds); oidc-provider's defaults are functions that print a notice.
    ttl: { AuthorizationCode: 60, Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
    scopes: ['openid', 'email', 'profile', 'phone', 'groups'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name', 'title', 'groups', 'phone_number'],
      phone: ['phone_number'],
      groups: ['groups'],
    },
    conformIdTokenClaims: false,
    findAccount: async (_ctx: unknown, sub: string) => {
      const username = usernameOfSubject(sub);
      if (username === undefined) return undefined;
      return {
        accountId: sub,
        // Read at token time, so setAccount between two sign-ins changes what the second one gets.
        claims: () => ({ ...accounts.get(username), sub }),
      };
    },
    interactions: {
      policy,
      url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}`,
    },
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx: KoaContext, form: string) => {
          ctx.type = 'html';
          ctx.body = page(
            'Sign out of the test identity provider',
            `<h1>Sign out?</h1>${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>`,
          );
        },
        postLogoutSuccessSource: async (ctx: KoaContext) => {
          ctx.type = 'html';
          ctx.body = page('Signed out', '<h1>Signed out</h1><p>You have signed out of the test identity provider.</p>');
        },
      },
    },
    renderError: async (ctx: KoaContext, out: Record<string, string>) => {
      ctx.type = 'html';
      ctx.body = page(
        'Identity provider error',
        `<h1>Identity provider error</h1>${Object.entries(out)
          .map(([key, value]) => `<p>${escapeHtml(key)}: ${escapeHtml(String(value))}</p>`)
          .join('')}`,
      );
    },
  });
  started.provider = provider;
  started.handleProtocol = provider.callback();

  return {
    issuer,
    clientId,
    clientSecret,
    publicClientId,
    setAccount(username, claims) {
      accounts.set(username, { ...claims });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { sql } from 'kysely';
import pino from 'pino';
import Fastify, {
  LogController,
  type FastifyError,
  type FastifyServerOptions,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Config } from './config.js';
import type { AppDeps } from './app-deps.js';
import { isDatabaseUnreachable } from './db/connection.js';
import { AppError } from './app-error.js';
import { registerGate } from './auth/gate.js';
import { streamAuditEntriesTo } from './services/audit.js';
import { createAuthenticator, type Authenticator } from './auth/authenticate.js';
import { redactUrlForLog } from './security/redact-url.js';
import { registerCompression } from './compression.js';
import { responseSerializerCompiler } from './response-serializer.js';
import { REQUEST_ID_HEADER, registerRequestId, requestIdFor } from './request-id.js';
import { lazyRequestLoggerFactory } from './request-logger.js';
import { apiSecurityHeadersFor, isJsonApiPath, securityHeadersFor } from './security-headers.js';
import { pageChunksFrom, pagePreloads } from './page-preloads.js';
import { ERRORS, type ErrorBody, type ErrorCode, type RefusedItem } from '../shared/errors.js';
import { isUiRoute } from '../shared/ui-routes.js';
import { sessionRoutes } from './routes/session.js';
import { passwordResetRoutes } from './routes/password-reset.js';
import { userRoutes } from './routes/users.js';
import { userBulkRoutes } from './routes/users-bulk.js';
import { securityGroupRoutes } from './routes/security-groups.js';
import { setupRoutes } from './routes/setup.js';
import { accountSecurityRoutes } from './routes/account-security.js';
import { accountSessionRoutes } from './routes/account-sessions.js';
import { logRoutes } from './routes/logs.js';
import { recordRoutes } from './routes/records.js';
import { taskRoutes } from './routes/tasks.js';
import { reportRoutes } from './routes/reports.js';
import { mfaRoutes } from './routes/mfa.js';
import { identityProviderRoutes } from './routes/identity-providers.js';
import { ssoOidcRoutes } from './routes/sso-oidc.js';
import { ssoSamlRoutes } from './routes/sso-saml.js';
import { settingsRoutes } from './routes/settings.js';
import { emailRoutes } from './routes/email.js';
import { API_DOCS_CSS, API_DOCS_FAVICON, API_DOCS_JS, API_DOCS_TITLE } from './api-docs-theme.js';
import { registerMetrics } from './routes/metrics.js';
import { SCIM_PREFIX, scimRoutes } from './routes/scim.js';
import { createMailDelivery, type MailDelivery } from './mail/delivery.js';
import { attachOutbox } from './mail/outbox.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Authentication and its credential cache (tests wait on authenticator.catchUp()). */
    authenticator: Authenticator;
    /** This node's email delivery worker (tests call mail.deliverDue()). */
    mail: MailDelivery;
  }
}

/** The session cookie: `__Host-` and Secure over HTTPS; always HttpOnly and SameSite=Lax. */
export function sessionCookieFor(publicUrl: URL): AppDeps['sessionCookie'] {
  const https = publicUrl.protocol === 'https:';
  return {
    name: https ? '__Host-latchkey_session' : 'latchkey_session',
    options: { path: '/', httpOnly: true, sameSite: 'lax', secure: https },
  };
}

/** Vite's output folder for bundles and assets: every file name in it carries a hash of its content. */
const HASHED_ASSETS_PREFIX = '/assets/';
const ONE_YEAR_S = 365 * 24 * 60 * 60;

function findWebRoot(): string | null {
  // Built: dist/server/main.js (one bundle) → dist/web. From source (tests): src/server/app.ts → dist/web.
  for (const relative of ['../web', '../../dist/web']) {
    const dir = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(`${dir}/index.html`)) return dir;
  }
  return null;
}

/** A browser navigating to a page asks for HTML first; API clients and monitors do not. */
function acceptsHtml(request: FastifyRequest): boolean {
  return /\btext\/html\b/i.test(request.headers.accept ?? '');
}

/** Walks any parsed input without recursion (a 1 MiB body can nest 500,000 levels deep). */
function containsNulCharacter(input: unknown): boolean {
  const pending: unknown[] = [input];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return true;
    } else if (value !== null && typeof value === 'object') {
      // for…in rather than Object.entries: no array per object, on every request. Parsed JSON,
      // query strings and route parameters have no enumerable inherited keys.
      for (const key in value) {
        if (key.includes('\u0000')) return true;
        pending.push((value as Record<string, unknown>)[key]);
      }
    }
  }
  return false;
}

/** The one error shape, with the request's id for the person to quote to an operator. */
function errorBody(
  request: FastifyRequest,
  code: ErrorCode,
  message?: string,
  fields?: Record<string, string>,
  items?: RefusedItem[],
): ErrorBody {
  return {
    error: {
      code,
      message: message ?? ERRORS[code].message,
      ...(fields ? { fields } : {}),
      ...(items ? { items } : {}),
      requestId: request.id,
    },
  };
}

/** An answer that took this long is logged as a failure would be: someone should look at it. */
const SLOW_ANSWER_MS = 1_000;

/**
 * The access log (LATCHKEY_ACCESS_LOG): one line per answer, written when it is sent (Fastify's
 * default writes two, one on arrival), for every answer or only for failures and slow answers.
 */
class AccessLog extends LogController {
  constructor(private readonly mode: Config['accessLog']) {
    super();
  }

  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) {
      reply.log.error({ req: request, res: reply, responseTime: reply.elapsedTime, err: error }, 'request errored');
      return;
    }
    if (this.mode === 'off') return;
    const responseTime = reply.elapsedTime;
    if (this.mode === 'failures' && reply.statusCode < 400 && responseTime < SLOW_ANSWER_MS) return;
    reply.log.info({ req: request, res: reply, responseTime }, 'request completed');
  }
}

/** Builds the whole application without listening, so tests can `inject` requests. */
export async function buildApp(deps: Omit<AppDeps, 'sessionCookie' | 'outbox'>): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    // Zod validates every route's input (fastify-type-provider-zod); answers are written from the
    // same zod schemas by response-serializer.ts. Named here rather than set after construction,
    // so Fastify never builds its default compilers at start-up: they were 45 % of building the app.
    // (Fastify's types describe only ajv-style factories; setValidatorCompiler installs exactly these.)
    schemaController: {
      compilersFactory: {
        buildValidator: () => validatorCompiler,
        buildSerializer: () => responseSerializerCompiler,
      } as unknown as NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>,
    },
    trustProxy: config.trustProxy,
    genReqId: requestIdFor,
    bodyLimit: 1024 * 1024,
    // Errors Fastify raises before routing (a malformed URL such as /api/v1/users/%ff) get the one
    // JSON error shape too, instead of Fastify's own.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const status = error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 400;
      reply.header(REQUEST_ID_HEADER, request.id);
      void reply.code(status).send(errorBody(request, 'bad_request', error.message));
    },
    logController: new AccessLog(config.accessLog),
    childLoggerFactory: lazyRequestLoggerFactory,
    logger: {
      level: config.logLevel,
      // JSON lines on stdout, written in the background: what piles up while one write is under
      // way goes out with the next, so a busy server makes few system calls (a synchronous write
      // per line cost a quarter of a health check). Flushed when the process exits.
      stream: pino.destination({ dest: 1, sync: false }),
      serializers: {
        // Secrets never reach the log: no header is logged (credentials travel in Authorization and
        // Cookie), and a token sent in a URL (refused by the gate) is redacted from it.
        req: (request: FastifyRequest) => ({
          method: request.method,
          url: redactUrlForLog(request.url),
          remoteAddress: request.ip,
        }),
      },
    },
  }).withTypeProvider<ZodTypeProvider>();
  registerRequestId(app, { streamAudit: config.auditStdout });
  if (config.auditStdout) {
    // Each committed audit entry as a log line of its own, under the key "audit" (no other line
    // has it), whatever LOG_LEVEL says: the same stream as the log, so lines never interleave.
    const auditLog = app.log.child({}, { level: 'info' });
    const stopStreaming = streamAuditEntriesTo((entry) => auditLog.info({ audit: entry }, 'audit entry'));
    app.addHook('onClose', async () => stopStreaming());
  }

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof AppError) {
      if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
      return reply.code(error.status).send(errorBody(request, error.code, error.message, error.fields, error.items));
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      // One message per field (the first problem found), keyed by the field's path ("email", "settings.theme").
      const fields: Record<string, string> = {};
      for (const issue of error.validation) {
        if (issue.keyword === 'unrecognized_keys') {
          for (const key of (issue.params as { keys?: string[] }).keys ?? [])
            fields[key] = `"${key}" cannot be set here.`;
          continue;
        }
        const field = issue.instancePath.replace(/^\//, '').replace(/\//g, '.') || 'request';
        fields[field] ??= issue.message ?? 'Not valid.';
      }
      const first = Object.values(fields)[0];
      return reply
        .code(400)
        .send(errorBody(request, 'validation_failed', first ?? ERRORS.validation_failed.message, fields));
    }
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(error.statusCode).send(errorBody(request, 'bad_request', error.message));
    }
    if (isDatabaseUnreachable(error)) {
      // Fail closed: nothing is served from memory; the load balancer may retry on another node.
      request.log.warn({ err: error }, 'database unreachable');
      return reply.code(503).header('retry-after', '5').send(errorBody(request, 'database_unavailable'));
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send(errorBody(request, 'internal'));
  });

  await app.register(fastifyCookie);
  registerCompression(app);
  const pageSecurityHeaders = securityHeadersFor(config.publicUrl);
  const apiSecurityHeaders = apiSecurityHeadersFor(config.publicUrl);
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(isJsonApiPath(request.url) ? apiSecurityHeaders : pageSecurityHeaders);
    done();
  });

  // One email worker per node: it starts with the app (ready) and stops with it.
  const mail = createMailDelivery({ db: deps.db, smtp: config.smtp, secretKey: config.secretKey, log: app.log });
  app.decorate('mail', mail);
  attachOutbox(deps.db, mail);
  app.addHook('onReady', async () => mail.start());
  app.addHook('onClose', () => mail.stop());
  const full: AppDeps = { ...deps, sessionCookie: sessionCookieFor(config.publicUrl), outbox: mail };

  const authenticator = createAuthenticator(deps.db);
  app.addHook('onClose', () => authenticator.close());
  app.decorate('authenticator', authenticator);
  registerGate(app, { authenticator, cookieName: full.sessionCookie.name, allowedOrigins: [config.publicUrl.origin] });
  registerMetrics(app, full);
  // PostgreSQL cannot store U+0000 in text (it answered 500) and no field needs it: refuse it in
  // any path, query or body value, on both databases alike, before any handler runs.
  app.addHook('preValidation', (request, _reply, done) => {
    if (containsNulCharacter([request.params, request.query, request.body])) {
      return done(new AppError('bad_request', 'The request contains a NUL character (U+0000), which is not allowed.'));
    }
    done();
  });

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Latchkey API',
        version: '1',
        description:
          'User, security and API-access administration. Authenticate scripts with `Authorization: Bearer <API token>`; ' +
          'the browser UI uses a session cookie plus the `X-Latchkey-CSRF: 1` header on changes.',
      },
      components: {
        securitySchemes: {
          apiToken: {
            type: 'http',
            scheme: 'bearer',
            description: 'The API token generated on the Password & Security tab.',
          },
        },
      },
      security: [{ apiToken: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, {
    routePrefix: '/api/docs',
    staticCSP: true,
    // Swagger UI sets inline styles on its own elements (its scripts stay hash-locked).
    transformStaticCSP: (header) => header.replace(/style-src [^;]*/, "style-src 'self' 'unsafe-inline'"),
    theme: {
      title: API_DOCS_TITLE,
      css: [{ filename: 'latchkey.css', content: API_DOCS_CSS }],
      js: [{ filename: 'latchkey.js', content: API_DOCS_JS }],
      favicon: [
        { filename: 'favicon.svg', rel: 'icon', type: 'image/svg+xml', sizes: 'any', content: API_DOCS_FAVICON },
      ],
    },
    // No link inside each operation's summary button (a nested interactive element: axe's
    // nested-interactive); the operations stay reachable by their buttons, not by #fragments.
    uiConfig: { deepLinking: false },
  });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.get('/api/health', { config: { access: { kind: 'public' } }, schema: { hide: true } }, async () => ({
    status: 'ok',
  }));

  // Readiness for a load balancer: 503 while this node cannot reach its database (or it does not
  // answer within a second: a probe gives up soon, and a silent database must not hold it) or, on
  // PostgreSQL, cannot prove it hears revocations (it would then read the database on every
  // request: correct, but slower, so traffic is better sent elsewhere).
  app.get('/api/ready', { config: { access: { kind: 'public' } }, schema: { hide: true } }, async (_request, reply) => {
    const credentialChanges = authenticator.changeFeedStatus();
    const database = await databaseAnswersWithin(deps.db, READINESS_DATABASE_TIMEOUT_MS);
    const ready = database === 'ok' && credentialChanges !== 'not listening';
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', database, credentialChanges });
  });

  await app.register(setupRoutes, full);
  await app.register(sessionRoutes, full);
  await app.register(passwordResetRoutes, full);
  await app.register(userRoutes, full);
  await app.register(userBulkRoutes, full);
  await app.register(securityGroupRoutes, full);
  await app.register(accountSecurityRoutes, full);
  await app.register(accountSessionRoutes, full);
  await app.register(logRoutes, full);
  await app.register(recordRoutes, full);
  await app.register(taskRoutes, full);
  await app.register(reportRoutes, full);
  await app.register(mfaRoutes, full);
  await app.register(identityProviderRoutes, full);
  await app.register(ssoOidcRoutes, full);
  await app.register(ssoSamlRoutes, full);
  await app.register(settingsRoutes, full);
  await app.register(emailRoutes, full);
  // SCIM 2.0 for identity providers' directories: its own authentication, errors and content type.
  await app.register(scimRoutes, { ...full, prefix: SCIM_PREFIX });

  const webRoot = deps.webRoot === undefined ? findWebRoot() : deps.webRoot;
  if (webRoot) {
    const assetsDir = path.join(webRoot, HASHED_ASSETS_PREFIX);
    await app.register(fastifyStatic, {
      root: webRoot,
      wildcard: false,
      index: false,
      // Sends dist/web's <file>.br or <file>.gz (scripts/compress-web.mjs) to a browser that
      // accepts it, with Content-Encoding and Vary: Accept-Encoding; the file itself otherwise.
      preCompressed: true,
      // Runs after @fastify/send has set its own Cache-Control, so these win. The path is the file
      // sent: index.html.br for index.html, so the encoding's suffix is left out here.
      setHeaders: (reply, sentPath) => {
        const filePath = sentPath.replace(/\.(br|gz)$/, '');
        if (filePath.startsWith(assetsDir)) {
          // A new build gives changed files new names, so a name's content never changes: keep it.
          reply.header('cache-control', `public, max-age=${ONE_YEAR_S}, immutable`);
        } else if (filePath === path.join(webRoot, 'index.html')) {
          // index.html names the current build's files; a kept copy would load an old build.
          reply.header('cache-control', 'no-store');
        }
      },
    });
  }
  const pageChunks = webRoot ? pageChunksFrom(webRoot) : new Map<string, readonly string[]>();
  /** Who is signed in, for a page's preloads: no one when that cannot be told (the page itself never fails). */
  const pageActor = (request: FastifyRequest) =>
    authenticator.authenticate(request, full.sessionCookie.name).catch(() => null);
  // Unknown paths. The UI's page with 200 only for the UI's own routes
  // (UI_ROUTES, shared with its router); HEAD answers as GET does, without the body. Anything
  // else is a 404: the JSON error for API paths and for non-browser clients (monitoring,
  // provisioning, scripts), and for a browser asking for a page (Accept: text/html) the UI's page
  // with status 404, so the person sees the UI's own "Page not found" instead of raw JSON.
  app.setNotFoundHandler(async (request, reply) => {
    const pathname = request.url.split('?', 1)[0]!;
    const mayBePage =
      webRoot !== null &&
      (request.method === 'GET' || request.method === 'HEAD') &&
      pathname !== '/api' &&
      !pathname.startsWith('/api/') &&
      // A missing bundle (an old build's name) must be a 404, not index.html served as JavaScript.
      !pathname.startsWith(HASHED_ASSETS_PREFIX);
    if (mayBePage && isUiRoute(pathname)) {
      const search = request.url.slice(pathname.length + 1);
      const links = await pagePreloads(pathname, search, pageChunks, () => pageActor(request));
      if (links.length > 0) reply.header('link', links.join(', '));
      return reply.sendFile('index.html');
    }
    if (mayBePage && acceptsHtml(request)) return reply.code(404).sendFile('index.html');
    return reply.code(404).send(errorBody(request, 'not_found'));
  });

  return app;
}

/** How long readiness waits for the database: within a load balancer's usual probe timeout. */
const READINESS_DATABASE_TIMEOUT_MS = 1_000;

/** 'ok' if the database answers a trivial query within `ms`; the query may finish later, unheeded. */
function databaseAnswersWithin(db: AppDeps['db'], ms: number): Promise<'ok' | 'unreachable'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('unreachable'), ms);
    void sql`select 1`
      .execute(db)
      .then(
        () => resolve('ok'),
        () => resolve('unreachable'),
      )
      .finally(() => clearTimeout(timer));
  });
}

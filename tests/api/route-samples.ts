/**
 * One valid request per API route, keyed "METHOD url" exactly as `app.accessTable` lists it. The
 * route × group matrix (access-matrix.test.ts) sends each of them as every kind of account; the
 * CSRF, 401 and token-in-URL checks reuse them. A route in accessTable without a sample here fails
 * the suite, so a new route cannot escape the matrix: add its sample when you add the route.
 *
 * Each sample must be a request that SUCCEEDS when the gate lets it through (so a refusal can only
 * come from the gate), and a write must really change something (so "nothing changed" means
 * something when it is refused).
 */
import { randomBytes } from 'node:crypto';
import { PUBLIC, requires, SIGNED_IN, type Access } from '../../src/server/auth/access.js';
import type { UserWithGroup } from '../../src/server/db/schema.js';
import { findUserById } from '../../src/server/services/users.js';
import type { AuditAction } from '../../src/shared/audit-actions.js';
import { isoFromMs, nowIso, nowMs } from '../../src/server/clock.js';
import { giveApiToken, givePasswordResetLink, uniqueEmail } from '../helpers/fixtures.js';
import { TEST_PASSWORD, type TestApp } from '../helpers/test-app.js';
import { RECORDS_ROUTE_SAMPLES } from './route-samples/records.js';
import { REPORTS_ROUTE_SAMPLES } from './route-samples/reports.js';
import { SECURITY_GROUPS_ROUTE_SAMPLES } from './route-samples/security-groups.js';
import { TASKS_ROUTE_SAMPLES } from './route-samples/tasks.js';
import { MFA_ROUTE_SAMPLES } from './route-samples/mfa.js';
import { IDENTITY_PROVIDERS_ROUTE_SAMPLES } from './route-samples/identity-providers.js';
import { SSO_OIDC_ROUTE_SAMPLES } from './route-samples/sso-oidc.js';
import { SSO_SAML_ROUTE_SAMPLES } from './route-samples/sso-saml.js';
import { SETTINGS_ROUTE_SAMPLES } from './route-samples/settings.js';
import { SESSIONS_ROUTE_SAMPLES } from './route-samples/sessions.js';
import { USERS_BULK_ROUTE_SAMPLES } from './route-samples/users-bulk.js';

/** A one-account import file in the caller's own group (never more rights than the caller has). */
async function userImportCsv(ctx: SampleContext): Promise<string> {
  const group = await ctx.t.db
    .selectFrom('security_groups')
    .select('name')
    .where('id', '=', ctx.caller.security_group_id)
    .executeTakeFirstOrThrow();
  const name = /[",]/.test(group.name) ? `"${group.name.replace(/"/g, '""')}"` : group.name;
  return `Email,First Name,Last Name,Security Group\r\n${uniqueEmail('imported')},Imported,Person,${name}\r\n`;
}

export interface SampleContext {
  t: TestApp;
  /** The account making the request. */
  caller: UserWithGroup;
  /** The account an `:id` route acts on: the caller itself in "own account" cases, else another (non-Administrator) account. */
  targetId: string;
  self: boolean;
  /** A new account (Regular User unless told), for requests that use up their target (delete). */
  newAccount(groupId?: string): Promise<UserWithGroup>;
}

export interface SampleRequest {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  /** Headers the request needs (a multipart Content-Type, say); the matrix's own headers go on top. */
  headers?: Record<string, string>;
}

export interface RouteSample {
  /**
   * What the route must declare, stated here independently of the route's own code: the matrix is
   * generated from accessTable, so only this catches a route that asks for the wrong permission.
   */
  access: Access;
  /** Builds the request; runs before the "nothing changed" snapshot is taken. */
  build(ctx: SampleContext): Promise<SampleRequest> | SampleRequest;
  /** Status of the request when the gate lets it through (default: any 2xx). */
  allowedStatus?: number;
  /**
   * State-changing routes: the audit actions one successful call (by an Administrator) writes,
   * exactly; [] with a comment saying why not (a sign-in is in the login history, say).
   */
  audits?: readonly AuditAction[];
  /** The request ends or changes the caller's own credentials: every case gets a fresh caller. */
  freshCaller?: boolean;
}

/** Changing your password stays open while a password change is pending. */
const SIGNED_IN_EVEN_IF_PASSWORD_CHANGE_REQUIRED: Access = { kind: 'signed-in', openWhilePending: ['password_change'] };
/** Sign-out and reading who you are stay open whatever step (password change, MFA enrollment) is pending. */
const SIGNED_IN_EVEN_IF_ANY_STEP_PENDING: Access = {
  kind: 'signed-in',
  openWhilePending: ['password_change', 'mfa_enrollment'],
};

const random = () => randomBytes(4).toString('hex');

export const ROUTE_SAMPLES: Record<string, RouteSample> = {
  'GET /api/v1/setup': { access: PUBLIC, build: () => ({}) },
  // Accounts exist, so a well-formed setup request is answered 409 setup_not_available: that is its success here.
  'POST /api/v1/setup': {
    access: PUBLIC,
    // No audit entry: answered 409 here: accounts exist, nothing is set up.
    audits: [],
    allowedStatus: 409,
    build: () => ({
      body: {
        token: 'not-a-real-setup-token',
        email: uniqueEmail('setup'),
        firstName: 'Set',
        lastName: 'Up',
        password: TEST_PASSWORD,
        confirmPassword: TEST_PASSWORD,
      },
    }),
  },
  'POST /api/v1/session': {
    access: PUBLIC,
    // No audit entry: a sign-in is recorded in the login history.
    audits: [],
    // Signing in ends the session the browser presented (rotation): use a session of its own.
    freshCaller: true,
    build: (ctx) => ({ body: { email: ctx.caller.email, password: TEST_PASSWORD } }),
  },
  'GET /api/v1/auth/forgot-password': { access: PUBLIC, build: () => ({}) },
  'POST /api/v1/auth/forgot-password': {
    access: PUBLIC,
    audits: ['password_reset.requested'],
    // The matrix asks many times from one address: start each case within the limits.
    build: async (ctx) => {
      await ctx.t.db.deleteFrom('login_throttle').where('key', 'like', 'password_reset:%').execute();
      return { body: { email: ctx.caller.email } };
    },
  },
  // A link of an account of its own (its sessions end), created as the emailed one would be.
  'POST /api/v1/auth/reset-password': {
    access: PUBLIC,
    audits: ['user.password_reset'],
    build: async (ctx) => {
      const account = await ctx.newAccount();
      return { body: { token: await givePasswordResetLink(ctx.t, account.id), newPassword: `${TEST_PASSWORD} new` } };
    },
  },
  'DELETE /api/v1/session': {
    access: SIGNED_IN_EVEN_IF_ANY_STEP_PENDING,
    audits: ['session.signed_out'],
    freshCaller: true,
    build: () => ({}),
  },
  'GET /api/v1/me': { access: SIGNED_IN_EVEN_IF_ANY_STEP_PENDING, build: () => ({}) },
  'PATCH /api/v1/me': {
    access: SIGNED_IN,
    audits: ['user.updated'],
    build: () => ({ body: { title: `Title ${random()}` } }),
  },
  'GET /api/v1/users': {
    access: requires('users_groups:view'),
    build: () => ({ query: { search: 'user', sort: 'lastName', order: 'desc', pageSize: '5' } }),
  },
  'GET /api/v1/users/export.csv': {
    access: requires('users_groups:export'),
    build: () => ({ query: { sort: 'email' } }),
  },
  'POST /api/v1/users': {
    access: requires('users_groups:create'),
    audits: ['user.created'],
    build: (ctx) => ({
      body: {
        email: uniqueEmail('created'),
        firstName: 'New',
        lastName: 'Person',
        password: TEST_PASSWORD,
        confirmPassword: TEST_PASSWORD,
        // The caller's own group: never more rights than the caller has, so only the gate can refuse.
        securityGroupId: ctx.caller.security_group_id,
        sessionTimeoutMinutes: 30,
      },
    }),
  },
  'POST /api/v1/users/import/preview': {
    access: requires('users_groups:create'),
    // No audit entry: checks a file; stores nothing.
    audits: [],
    build: async (ctx) => ({ body: { csv: await userImportCsv(ctx) } }),
  },
  'POST /api/v1/users/import': {
    access: requires('users_groups:create'),
    audits: ['user.created', 'users.imported'],
    build: async (ctx) => ({ body: { csv: await userImportCsv(ctx) } }),
  },
  'GET /api/v1/users/:id': {
    access: requires('users_groups:view', { orSelfParam: 'id' }),
    build: (ctx) => ({ params: { id: ctx.targetId } }),
  },
  'PATCH /api/v1/users/:id': {
    access: requires('users_groups:update', { orSelfParam: 'id' }),
    audits: ['user.updated'],
    build: (ctx) => ({ params: { id: ctx.targetId }, body: { title: `Title ${random()}` } }),
  },
  'DELETE /api/v1/users/:id': {
    access: requires('users_groups:delete'),
    audits: ['user.deleted'],
    build: async (ctx) => ({ params: { id: (await ctx.newAccount()).id } }),
  },
  'GET /api/v1/logs/audit': {
    access: requires('event_logs:view'),
    build: () => ({ query: { action: 'user.created', pageSize: '5' } }),
  },
  'GET /api/v1/logs/audit/export.csv': {
    access: requires('event_logs:export'),
    build: () => ({ query: { from: '2020-01-01T00:00:00Z' } }),
  },
  'GET /api/v1/logs/logins': {
    access: requires('event_logs:view'),
    build: () => ({ query: { result: 'failure', pageSize: '5' } }),
  },
  'GET /api/v1/logs/logins/export.csv': {
    access: requires('event_logs:export'),
    build: () => ({ query: { email: 'user' } }),
  },
  'GET /api/v1/users/:id/security': {
    access: requires('users_groups:view', { orSelfParam: 'id' }),
    build: (ctx) => ({ params: { id: ctx.targetId } }),
  },
  'PATCH /api/v1/users/:id/security': {
    access: requires('users_groups:update', { orSelfParam: 'id' }),
    audits: ['user.security_updated'],
    build: async (ctx) => {
      if (ctx.self) return { params: { id: ctx.targetId }, body: {} };
      const target = await findUserById(ctx.t.db, ctx.targetId);
      return { params: { id: ctx.targetId }, body: { mfaEnrolled: target?.mfa_enrolled !== 1 } };
    },
  },
  // A fresh account each time: disabling the shared "other" account would break later samples.
  'PUT /api/v1/users/:id/account-status': {
    access: requires('users_groups:update'),
    audits: ['user.security_updated'],
    build: async (ctx) => ({ params: { id: (await ctx.newAccount()).id }, body: { accountStatus: 'disabled' } }),
  },
  'DELETE /api/v1/users/:id/sign-in-lock': {
    access: requires('users_groups:update'),
    audits: ['account.unlocked'],
    build: async (ctx) => {
      // A locked account, as ten failed sign-ins leave it (written directly: argon2 ten times per case is slow).
      const account = await ctx.newAccount();
      await ctx.t.db
        .insertInto('login_throttle')
        .values({
          key: `account:${account.email.toLowerCase()}`,
          failures: 10,
          window_started_at: nowIso(),
          locked_until: isoFromMs(nowMs() + 15 * 60_000),
        })
        .execute();
      return { params: { id: account.id } };
    },
  },
  'POST /api/v1/users/:id/api-token': {
    access: requires('administration:generate_api_tokens'),
    audits: ['api_token.generated'],
    build: (ctx) => ({ params: { id: ctx.targetId } }),
  },
  'DELETE /api/v1/users/:id/api-token': {
    access: requires('administration:generate_api_tokens'),
    audits: ['api_token.revoked'],
    build: async (ctx) => {
      await giveApiToken(ctx.t, ctx.targetId);
      return { params: { id: ctx.targetId } };
    },
  },
  'POST /api/v1/me/password': {
    access: SIGNED_IN_EVEN_IF_PASSWORD_CHANGE_REQUIRED,
    audits: ['user.password_reset'],
    freshCaller: true,
    build: () => {
      const next = `a brand new passphrase ${random()}`;
      return { body: { currentPassword: TEST_PASSWORD, newPassword: next, confirmNewPassword: next } };
    },
  },
  // Each area keeps its samples in its own file under route-samples/.
  ...SECURITY_GROUPS_ROUTE_SAMPLES,
  ...SESSIONS_ROUTE_SAMPLES,
  ...USERS_BULK_ROUTE_SAMPLES,
  ...RECORDS_ROUTE_SAMPLES,
  ...TASKS_ROUTE_SAMPLES,
  ...REPORTS_ROUTE_SAMPLES,
  ...MFA_ROUTE_SAMPLES,
  ...IDENTITY_PROVIDERS_ROUTE_SAMPLES,
  ...SSO_OIDC_ROUTE_SAMPLES,
  ...SSO_SAML_ROUTE_SAMPLES,
  ...SETTINGS_ROUTE_SAMPLES,
};

// Every list export also comes as Excel (routes/exports.ts): the same request as its CSV route
// (reports' summaries stay CSV only).
for (const [key, sample] of Object.entries(ROUTE_SAMPLES)) {
  if (key.startsWith('GET ') && key.endsWith('/export.csv') && !key.includes('/reports/'))
    ROUTE_SAMPLES[key.replace(/\.csv$/, '.xlsx')] = sample;
}

/** The URL of a sample request: path parameters filled in, query string appended. */
export function sampleUrl(routeUrl: string, request: SampleRequest, extraQuery: Record<string, string> = {}): string {
  const path = routeUrl.replace(/:(\w+)/g, (_, name: string) => {
    const value = request.params?.[name];
    if (value === undefined) throw new Error(`sample for ${routeUrl} has no value for :${name}`);
    return encodeURIComponent(value);
  });
  const query = new URLSearchParams({ ...request.query, ...extraQuery }).toString();
  return query ? `${path}?${query}` : path;
}

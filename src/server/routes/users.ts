import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requires } from '../auth/access.js';
import { actorOf } from '../auth/gate.js';
import type { AppDeps } from '../app.js';
import { unlockSignIn } from '../services/login-throttle.js';
import { createUser, deleteUser, getUser, listUsers, updateAccountSettings } from '../services/users.js';
import { ERROR_RESPONSES, IdParamsSchema } from '../../shared/schemas/common.js';
import {
  AccountSettingsSchema,
  CreateUserRequestSchema,
  ListUsersQuerySchema,
  UserListSchema,
  UserSchema,
} from '../../shared/schemas/users.js';
import { loadGroupPermissions } from '../services/security-groups.js';
import { csvRow } from './csv.js';
import { presentUser, presentUserInDetail } from './presenters.js';

const CSV_COLUMNS = [
  ['Email', (u: z.infer<typeof UserSchema>) => u.email],
  ['First Name', (u) => u.firstName],
  ['Last Name', (u) => u.lastName],
  ['Title', (u) => u.title],
  ['Telephone', (u) => u.telephone],
  ['Security Group', (u) => u.securityGroup.name],
  ['Functional Group', (u) => u.functionalGroup],
  ['Account Status', (u) => (u.accountStatus === 'enabled' ? 'Enabled' : 'Disabled')],
  ['MFA', (u) => ({ on: 'On', pending: 'Pending', off: 'Off' })[u.mfaStatus]],
  ['User Type', (u) => (u.userType === 'sso' ? 'SSO' : 'Native')],
  ['Last Login', (u) => u.lastLoginAt ?? ''],
  ['Timeout', (u) => u.sessionTimeoutMinutes],
] as const satisfies ReadonlyArray<readonly [string, (u: z.infer<typeof UserSchema>) => unknown]>;

export const userRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, { db }) => {
  app.get(
    '/api/v1/users',
    {
      config: { access: requires('users_groups:view') },
      schema: {
        tags: ['Users'],
        summary: 'List user accounts (search, sort, paginate)',
        description:
          'Search matches the start of the email, first name, last name or "first last". ' +
          "Each account's `can` says what the caller may do to it.",
        querystring: ListUsersQuerySchema,
        response: { 200: UserListSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      // Every group's rights at once (a small table): `can` per row without a query per row.
      const [{ users, total }, groupPermissions] = await Promise.all([
        listUsers(db, request.query),
        loadGroupPermissions(db),
      ]);
      return {
        users: users.map((user) => presentUser(user, actor, groupPermissions)),
        total,
        page: request.query.page,
        pageSize: request.query.pageSize,
      };
    },
  );

  app.get(
    '/api/v1/users/export.csv',
    {
      config: { access: requires('users_groups:export') },
      schema: {
        tags: ['Users'],
        summary: 'Export user accounts as CSV (same search and sort as the list)',
        querystring: ListUsersQuerySchema.omit({ page: true, pageSize: true }),
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const pageSize = 1000;
      const groupPermissions = await loadGroupPermissions(db);
      async function* rows() {
        yield csvRow(CSV_COLUMNS.map(([header]) => header));
        for (let page = 1; ; page++) {
          const { users } = await listUsers(db, { ...request.query, page, pageSize });
          for (const user of users.map((row) => presentUser(row, actor, groupPermissions)))
            yield csvRow(CSV_COLUMNS.map(([, value]) => value(user)));
          if (users.length < pageSize) return;
        }
      }
      const date = new Date().toISOString().slice(0, 10);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="latchkey-users-${date}.csv"`)
        .send(Readable.from(rows()));
    },
  );

  app.post(
    '/api/v1/users',
    {
      config: { access: requires('users_groups:create') },
      schema: {
        tags: ['Users'],
        summary: 'Create a user account',
        description:
          'Native accounts need a password and its confirmation; SSO accounts must not have one, and need ' +
          'ssoProvider, the name of their identity provider.',
        body: CreateUserRequestSchema,
        response: { 201: UserSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const user = await createUser(db, { actor, ip: request.ip }, request.body);
      return reply.code(201).send(presentUser(user, actor, await loadGroupPermissions(db, [user.security_group_id])));
    },
  );

  app.get(
    '/api/v1/users/:id',
    {
      config: { access: requires('users_groups:view', { orSelfParam: 'id' }) },
      schema: {
        tags: ['Users'],
        summary: 'One user account',
        description:
          '`can` says what the caller may do to it (update its Account Settings, delete it). ' +
          '`signInLockedUntil`: when its sign-in lock after failed attempts ends (null: not locked).',
        params: IdParamsSchema,
        response: { 200: UserSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => presentUserInDetail(db, await getUser(db, request.params.id), actorOf(request)),
  );

  app.delete(
    '/api/v1/users/:id/sign-in-lock',
    {
      config: { access: requires('users_groups:update') },
      schema: {
        tags: ['Users'],
        summary: "End an account's sign-in lock early",
        description:
          'After too many failed attempts sign-in is locked for 15 minutes; this ends the lock now and forgets the ' +
          'failures (audited as account.unlocked). The same rule as changing the account status: not your own ' +
          'account, an Administrator account only as an Administrator. 404 when sign-in is not locked.',
        params: IdParamsSchema,
        response: { 204: z.null(), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      await unlockSignIn(db, { actor: actorOf(request), ip: request.ip }, request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.patch(
    '/api/v1/users/:id',
    {
      config: { access: requires('users_groups:update', { orSelfParam: 'id' }) },
      schema: {
        tags: ['Users'],
        summary: "Update an account's Account Settings",
        params: IdParamsSchema,
        body: AccountSettingsSchema,
        response: { 200: UserSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const user = await updateAccountSettings(db, { actor, ip: request.ip }, request.params.id, request.body);
      return presentUserInDetail(db, user, actor);
    },
  );

  app.delete(
    '/api/v1/users/:id',
    {
      config: { access: requires('users_groups:delete') },
      schema: {
        tags: ['Users'],
        summary: 'Delete a user account',
        params: IdParamsSchema,
        response: { 204: z.null(), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      await deleteUser(db, { actor: actorOf(request), ip: request.ip }, request.params.id);
      return reply.code(204).send(null);
    },
  );
};

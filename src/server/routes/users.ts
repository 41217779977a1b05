import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requires } from '../auth/access.js';
import { actorOf, contextOf } from '../auth/gate.js';
import type { AppDeps } from '../app-deps.js';
import { unlockSignIn } from '../services/login-throttle.js';
import { createUser, deleteUser, getUser, updateAccountSettings } from '../services/users.js';
import { exportUserBatches, listUsers } from '../services/user-list.js';
import { ERROR_RESPONSES, ErrorBodySchema, IdParamsSchema } from '../../shared/schemas/common.js';
import { importUsers, previewUserImport } from '../services/users-import.js';
import {
  ImportUsersSchema,
  USER_IMPORT_ROWS_MAX,
  UserImportPreviewSchema,
  UserImportResultSchema,
} from '../../shared/schemas/users-import.js';
import {
  AccountSettingsSchema,
  CreateUserRequestSchema,
  ExportUsersQuerySchema,
  ListUsersQuerySchema,
  UserListSchema,
  UserSchema,
} from '../../shared/schemas/users.js';
import { loadGroupPermissions } from '../services/security-groups.js';
import { EXPORT_FORMAT_NAMES, EXPORT_FORMATS, presentEach, sendExport } from './exports.js';
import { presentUser, presentUserInDetail } from '../presenters/accounts.js';
import { loadAccountDetail } from '../services/account-detail.js';

export const CSV_COLUMNS = [
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
  // Times as ISO 8601 in UTC, offset written (Z): what every spreadsheet and script reads without guessing.
  ['Last Login (ISO 8601 UTC)', (u) => u.lastLoginAt ?? ''],
  ['Timeout', (u) => u.sessionTimeoutMinutes],
] as const satisfies ReadonlyArray<readonly [string, (u: z.infer<typeof UserSchema>) => unknown]>;

/** The import answers 409 when an email was taken meanwhile, 413 over 1 MiB, 422 when the file has errors. */
const IMPORT_ERROR_RESPONSES = { ...ERROR_RESPONSES, 413: ErrorBodySchema, 422: ErrorBodySchema } as const;
const IMPORT_DESCRIPTION =
  'Body: `{csv}`. A header row (any letter case) with Email, First Name, Last Name and Security Group (its ' +
  'name), and optionally Title, Telephone, Functional Group, Session Timeout (minutes; default an hour or the ' +
  'installation maximum) and User Must Change Password at Next Login (yes or empty). Columns of the export ' +
  'an import cannot set (Account Status, MFA, Last Login) are read past; User Type must be Native. Every row ' +
  'is checked as New User checks it, emails unique in any letter case in the file and in the installation. ' +
  'Native accounts only, and never a password: an imported account has no password until one is set with ' +
  'Reset Password, and must change that one at its next sign-in. ' +
  `At most ${USER_IMPORT_ROWS_MAX} rows and a 1 MiB body.`;

export const userRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, { db }) => {
  app.get(
    '/api/v1/users',
    {
      config: { access: requires('users_groups:view') },
      schema: {
        tags: ['Users'],
        summary: 'List user accounts (search, filter, sort, page)',
        description:
          'Keyset paging: no cursor for the first page, `cursor=last` for the last, else the `next` or `previous` ' +
          'cursor of an answer (a cursor belongs to its sort; with another, 400). A search of three characters or ' +
          'more matches anywhere in the email or in "first last", case-insensitively; a shorter one matches the ' +
          'start of the email, first name or last name. `total` is exact up to 10,000 matches (5,000 with a ' +
          'search or a filter), else `exact: false` and "more than" that. ' +
          "Each account's `can` says what the caller may do to it.",
        querystring: ListUsersQuerySchema,
        response: { 200: UserListSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      // Every group's rights at once (a small table): `can` per row without a query per row.
      const [page, groupPermissions] = await Promise.all([listUsers(db, request.query), loadGroupPermissions(db)]);
      return {
        users: page.rows.map((user) => presentUser(user, actor, groupPermissions)),
        pageSize: request.query.pageSize,
        next: page.next,
        previous: page.previous,
        total: page.total,
      };
    },
  );

  for (const format of EXPORT_FORMATS) {
    app.get(
      `/api/v1/users/export.${format}`,
      {
        config: { access: requires('users_groups:export') },
        schema: {
          tags: ['Users'],
          summary: `Export user accounts as ${EXPORT_FORMAT_NAMES[format]} (same search, filters and sort as the list)`,
          description:
            'Every matching account, streamed, as the database was when the export started: accounts added, ' +
            'removed or changed meanwhile neither appear twice nor go missing.',
          querystring: ExportUsersQuerySchema,
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const groupPermissions = await loadGroupPermissions(db);
        const batches = exportUserBatches(db, request.query);
        const presented = presentEach(batches, (batch) =>
          batch.map((row) => presentUser(row, actor, groupPermissions)),
        );
        return sendExport(reply, format, { file: 'users', sheet: 'User Accounts' }, CSV_COLUMNS, presented);
      },
    );
  }

  app.post(
    '/api/v1/users',
    {
      config: { access: requires('users_groups:create') },
      schema: {
        tags: ['Users'],
        summary: 'Create a user account',
        description:
          'Native accounts need a password and its confirmation; SSO accounts must not have one, and need ' +
          'ssoProvider, the name of their identity provider. `mustChangePassword: true` (native accounts only, and ' +
          'only for callers who may force a password change: Administrators) makes the account choose a new ' +
          'password at its first sign-in.',
        body: CreateUserRequestSchema,
        response: { 201: UserSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const user = await createUser(db, contextOf(request), request.body);
      return reply.code(201).send(presentUser(user, actor, await loadGroupPermissions(db, [user.security_group_id])));
    },
  );

  app.post(
    '/api/v1/users/import/preview',
    {
      config: { access: requires('users_groups:create') },
      schema: {
        tags: ['Users'],
        summary: 'Preview a CSV import of accounts: each row as it would be created, and every error. Writes nothing.',
        description: IMPORT_DESCRIPTION,
        body: ImportUsersSchema,
        response: { 200: UserImportPreviewSchema, ...IMPORT_ERROR_RESPONSES },
      },
    },
    async (request) => previewUserImport(db, contextOf(request), request.body),
  );

  app.post(
    '/api/v1/users/import',
    {
      config: { access: requires('users_groups:create') },
      schema: {
        tags: ['Users'],
        summary: 'Import accounts from CSV: every row, or none (422 import_has_errors with the errors by line)',
        description: IMPORT_DESCRIPTION,
        body: ImportUsersSchema,
        response: { 200: UserImportResultSchema, ...IMPORT_ERROR_RESPONSES },
      },
    },
    async (request) => importUsers(db, contextOf(request), request.body),
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
    async (request) =>
      presentUserInDetail(await loadAccountDetail(db, await getUser(db, request.params.id)), actorOf(request)),
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
      await unlockSignIn(db, contextOf(request), request.params.id);
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
      const user = await updateAccountSettings(db, contextOf(request), request.params.id, request.body);
      return presentUserInDetail(await loadAccountDetail(db, user), actor);
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
      await deleteUser(db, contextOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
};

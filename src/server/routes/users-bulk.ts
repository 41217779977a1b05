import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requires } from '../auth/access.js';
import { actorOf, contextOf } from '../auth/gate.js';
import type { AppDeps } from '../app-deps.js';
import { bulkDeleteUsers, bulkUpdateUsers, usersForExport } from '../services/users-bulk.js';
import { loadGroupPermissions } from '../services/security-groups.js';
import { ERROR_RESPONSES } from '../../shared/schemas/common.js';
import {
  BULK_USERS_MAX,
  BulkDeleteUsersResultSchema,
  BulkUserActionSchema,
  BulkUserIdsBodySchema,
  BulkUserResultSchema,
} from '../../shared/schemas/users-bulk.js';
import { presentUser } from '../presenters/accounts.js';
import { sendExport } from './exports.js';
import { CSV_COLUMNS } from './users.js';

const ALL_OR_NOTHING =
  'All or nothing, in one transaction: each account is checked and changed exactly as its single action ' +
  'does it (the same rules, the same audit entry per account). If any account is refused, nothing changes ' +
  'and the answer is 409 `bulk_refused` whose `items` lists every refused account (`id`, `email` — null ' +
  "for an unknown ID — and the single action's `code` and `message`). " +
  `\`userIds\`: 1 to ${BULK_USERS_MAX} account IDs, each once (else 400).`;

export const userBulkRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, { db }) => {
  app.post(
    '/api/v1/users/bulk',
    {
      // The right of the single actions (Account Status, Security Group, MFA on the Password &
      // Security tab, and PUT /users/{id}/account-status): Users & Groups Update.
      config: { access: requires('users_groups:update') },
      schema: {
        tags: ['Users'],
        summary: 'Enable, disable, change the security group of, or require MFA for many accounts',
        description:
          '`enable` / `disable`: the Account Status (never your own; an Administrator account only as an ' +
          'Administrator; never the last enabled Administrator); disabling ends the sessions and destroys the API ' +
          'token of each account at once, on every node. `changeSecurityGroup` to `securityGroupId` (a group whose ' +
          'rights you hold). `requireMfa`: "Enroll in Multi-Factor Authentication", as an Administrator sets it on ' +
          'the Password & Security tab (the account must set it up at its next sign-in). ' +
          'SSO accounts accept only enable and disable. `updated` counts the accounts changed (one already as ' +
          `asked is not). ${ALL_OR_NOTHING}`,
        body: BulkUserActionSchema,
        response: { 200: BulkUserResultSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => ({ updated: await bulkUpdateUsers(db, contextOf(request), request.body) }),
  );

  app.post(
    '/api/v1/users/bulk-delete',
    {
      config: { access: requires('users_groups:delete') },
      schema: {
        tags: ['Users'],
        summary: 'Delete many accounts',
        description:
          'Never your own account; an Administrator account only as an Administrator; never the last enabled ' +
          `Administrator. Each account's sessions and API token go with it. ${ALL_OR_NOTHING}`,
        body: BulkUserIdsBodySchema,
        response: { 200: BulkDeleteUsersResultSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => ({ deleted: await bulkDeleteUsers(db, contextOf(request), request.body.userIds) }),
  );

  app.post(
    '/api/v1/users/export.csv',
    {
      config: { access: requires('users_groups:export') },
      schema: {
        tags: ['Users'],
        summary: 'Export the selected accounts as CSV',
        description:
          'The same columns as GET /api/v1/users/export.csv, for the accounts given (sorted by email). IDs of ' +
          `accounts that no longer exist are left out. \`userIds\`: 1 to ${BULK_USERS_MAX}, each once.`,
        body: BulkUserIdsBodySchema,
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const rows = await usersForExport(db, request.body.userIds);
      const groupPermissions = await loadGroupPermissions(db);
      async function* batches() {
        yield rows.map((row) => presentUser(row, actor, groupPermissions));
      }
      return sendExport(reply, 'csv', { file: 'users', sheet: 'User Accounts' }, CSV_COLUMNS, batches());
    },
  );
};

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requires } from '../auth/access.js';
import type { AppDeps } from '../app-deps.js';
import {
  exportAuditEventBatches,
  auditNamesFor,
  exportLoginAttemptBatches,
  listAuditEvents,
  listLoginAttempts,
  utcTimeRange,
} from '../services/logs.js';
import { ERROR_RESPONSES } from '../../shared/schemas/common.js';
import {
  AuditFilterSchema,
  AuditPageSchema,
  AuditQuerySchema,
  LoginHistoryFilterSchema,
  LoginHistoryPageSchema,
  LoginHistoryQuerySchema,
  type AuditEvent,
  type LoginAttempt,
} from '../../shared/schemas/logs.js';
import { EXPORT_FORMAT_NAMES, EXPORT_FORMATS, presentEach, sendExport } from './exports.js';
import { presentAuditEvent, presentLoginAttempt } from '../presenters/logs.js';
import { AUDIT_CATEGORIES } from '../../shared/audit-actions.js';

/*
 * Times in the exports are ISO 8601 in UTC with its offset written (…T14:03:05.123Z): the one
 * format every spreadsheet and script reads without guessing a zone or a day/month order; the
 * header says so. The words (action, changes) are the API's, so the export reads as the page does.
 */
const AUDIT_CSV_COLUMNS = [
  ['Time (ISO 8601 UTC)', (e: AuditEvent) => e.occurredAt],
  ['Actor', (e) => e.actorEmail ?? ''],
  ['Actor Name', (e) => e.actorName ?? ''],
  ['Actor Group', (e) => e.actorGroup ?? ''],
  ['Target', (e) => e.targetEmail ?? ''],
  ['Target Name', (e) => e.targetName ?? ''],
  ['Category', (e) => (e.category ? AUDIT_CATEGORIES[e.category] : '')],
  ['Action', (e) => e.actionLabel],
  ['Action Code', (e) => e.action],
  ['Changes', (e) => e.summary.join('; ')],
  ['Details (JSON)', (e) => (Object.keys(e.details).length ? JSON.stringify(e.details) : '')],
  ['IP', (e) => e.ip ?? ''],
] as const satisfies ReadonlyArray<readonly [string, (e: AuditEvent) => unknown]>;

const LOGIN_CSV_COLUMNS = [
  ['Time (ISO 8601 UTC)', (a: LoginAttempt) => a.occurredAt],
  ['Email', (a) => a.email],
  ['Result', (a) => (a.success ? 'Success' : 'Failure')],
  ['Reason', (a) => a.reason ?? ''],
  ['Method', (a) => a.method],
  ['IP', (a) => a.ip],
  ['User Agent', (a) => a.userAgent],
] as const satisfies ReadonlyArray<readonly [string, (a: LoginAttempt) => unknown]>;

export const logRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, { db }) => {
  app.get(
    '/api/v1/logs/audit',
    {
      config: { access: requires('event_logs:view') },
      schema: {
        tags: ['Logs'],
        summary: 'System events (filter, page), newest first',
        description:
          'actor and target match the whole email, in any letter case; action is exact; category is one of the ' +
          'groups of actions (accounts, security, sessions, groups, identity-providers, records, tasks, settings, ' +
          'system); from and to bound the ' +
          'time, both inclusive (from must not be after to). Paged by cursor: omit it for the newest page, ' +
          '"last" for the oldest, else a `next` or `previous` from an earlier answer. `total` is exact up to ' +
          '10,000, else "more than 10,000".',
        querystring: AuditQuerySchema,
        response: { 200: AuditPageSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { rows, next, previous, total } = await listAuditEvents(db, request.query);
      const names = await auditNamesFor(db, rows);
      return {
        events: rows.map((row) => presentAuditEvent(row, names)),
        pageSize: request.query.pageSize,
        next,
        previous,
        total,
      };
    },
  );

  for (const format of EXPORT_FORMATS) {
    app.get(
      `/api/v1/logs/audit/export.${format}`,
      {
        config: { access: requires('event_logs:export') },
        schema: {
          tags: ['Logs'],
          summary: `Export system events as ${EXPORT_FORMAT_NAMES[format]} (same filters as the list)`,
          querystring: AuditFilterSchema,
        },
      },
      async (request, reply) => {
        utcTimeRange(request.query);
        const batches = exportAuditEventBatches(db, request.query);
        const presented = presentEach(batches, async (batch) => {
          const names = await auditNamesFor(db, batch);
          return batch.map((row) => presentAuditEvent(row, names));
        });
        return sendExport(
          reply,
          format,
          { file: 'system-events', sheet: 'System Events' },
          AUDIT_CSV_COLUMNS,
          presented,
        );
      },
    );
  }

  app.get(
    '/api/v1/logs/logins',
    {
      config: { access: requires('event_logs:view') },
      schema: {
        tags: ['Logs'],
        summary: 'Login history (filter, page), newest first',
        description:
          'email matches the whole email typed at sign-in, in any letter case; from and to bound the time, both ' +
          'inclusive (from must not be after to). Paged by cursor as the system events are.',
        querystring: LoginHistoryQuerySchema,
        response: { 200: LoginHistoryPageSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { rows, next, previous, total } = await listLoginAttempts(db, request.query);
      return { attempts: rows.map(presentLoginAttempt), pageSize: request.query.pageSize, next, previous, total };
    },
  );

  for (const format of EXPORT_FORMATS) {
    app.get(
      `/api/v1/logs/logins/export.${format}`,
      {
        config: { access: requires('event_logs:export') },
        schema: {
          tags: ['Logs'],
          summary: `Export login history as ${EXPORT_FORMAT_NAMES[format]} (same filters as the list)`,
          querystring: LoginHistoryFilterSchema,
        },
      },
      async (request, reply) => {
        utcTimeRange(request.query);
        const batches = exportLoginAttemptBatches(db, request.query);
        return sendExport(
          reply,
          format,
          { file: 'login-history', sheet: 'Login History' },
          LOGIN_CSV_COLUMNS,
          presentEach(batches, (batch) => batch.map(presentLoginAttempt)),
        );
      },
    );
  }
};

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requires } from '../auth/access.js';
import type { AppDeps } from '../app-deps.js';
import {
  exportAuditEventBatches,
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
import { csvAttachmentHeader, csvStream } from './csv.js';
import { presentAuditEvent, presentLoginAttempt } from '../presenters/logs.js';

const AUDIT_CSV_COLUMNS = [
  ['Time (UTC)', (e: AuditEvent) => e.occurredAt],
  ['Actor', (e) => e.actorEmail ?? ''],
  ['Actor Group', (e) => e.actorGroup ?? ''],
  ['Target', (e) => e.targetEmail ?? ''],
  ['Action', (e) => e.action],
  ['Details', (e) => (Object.keys(e.details).length ? JSON.stringify(e.details) : '')],
  ['IP', (e) => e.ip ?? ''],
] as const satisfies ReadonlyArray<readonly [string, (e: AuditEvent) => unknown]>;

const LOGIN_CSV_COLUMNS = [
  ['Time (UTC)', (a: LoginAttempt) => a.occurredAt],
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
          'actor and target match the whole email, in any letter case; action is exact; from and to bound the ' +
          'time, both inclusive (from must not be after to). Paged by cursor: omit it for the newest page, ' +
          '"last" for the oldest, else a `next` or `previous` from an earlier answer. `total` is exact up to ' +
          '10,000, else "more than 10,000".',
        querystring: AuditQuerySchema,
        response: { 200: AuditPageSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { rows, next, previous, total } = await listAuditEvents(db, request.query);
      return { events: rows.map(presentAuditEvent), pageSize: request.query.pageSize, next, previous, total };
    },
  );

  app.get(
    '/api/v1/logs/audit/export.csv',
    {
      config: { access: requires('event_logs:export') },
      schema: {
        tags: ['Logs'],
        summary: 'Export system events as CSV (same filters as the list)',
        querystring: AuditFilterSchema,
      },
    },
    async (request, reply) => {
      utcTimeRange(request.query);
      const batches = exportAuditEventBatches(db, request.query);
      async function* presented() {
        for await (const batch of batches) yield batch.map(presentAuditEvent);
      }
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', csvAttachmentHeader('system-events'))
        .send(csvStream(AUDIT_CSV_COLUMNS, presented()));
    },
  );

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

  app.get(
    '/api/v1/logs/logins/export.csv',
    {
      config: { access: requires('event_logs:export') },
      schema: {
        tags: ['Logs'],
        summary: 'Export login history as CSV (same filters as the list)',
        querystring: LoginHistoryFilterSchema,
      },
    },
    async (request, reply) => {
      utcTimeRange(request.query);
      const batches = exportLoginAttemptBatches(db, request.query);
      async function* presented() {
        for await (const batch of batches) yield batch.map(presentLoginAttempt);
      }
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', csvAttachmentHeader('login-history'))
        .send(csvStream(LOGIN_CSV_COLUMNS, presented()));
    },
  );
};

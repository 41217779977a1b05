import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requires } from '../auth/access.js';
import type { AppDeps } from '../app.js';
import { listAuditEvents, listLoginAttempts, type AuditEventRow, type LoginAttemptRow } from '../services/logs.js';
import { ERROR_RESPONSES } from '../../shared/schemas/common.js';
import {
  AuditPageSchema,
  AuditQuerySchema,
  LoginHistoryPageSchema,
  LoginHistoryQuerySchema,
  type AuditEvent,
  type LoginAttempt,
} from '../../shared/schemas/logs.js';
import { csvAttachmentHeader, csvRow } from './csv.js';

/** An audit row as the API shows it: every field listed, details parsed from their JSON. */
export function presentAuditEvent(row: AuditEventRow): AuditEvent {
  let details: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(row.details);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) details = parsed as Record<string, unknown>;
  } catch {
    details = {};
  }
  return {
    id: row.id,
    occurredAt: row.occurred_at,
    actorUserId: row.actor_user_id,
    actorEmail: row.actor_email,
    actorGroup: row.actor_group_name,
    targetUserId: row.target_user_id,
    targetEmail: row.target_email,
    action: row.action,
    details,
    ip: row.ip,
  };
}

/** A login history row as the API shows it. */
export function presentLoginAttempt(row: LoginAttemptRow): LoginAttempt {
  return {
    id: row.id,
    occurredAt: row.occurred_at,
    userId: row.user_id,
    email: row.email,
    success: Boolean(Number(row.success)),
    reason: row.reason,
    method: row.method,
    ip: row.ip,
    userAgent: row.user_agent,
  };
}

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

const EXPORT_PAGE_SIZE = 1000;

export const logRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, { db }) => {
  app.get(
    '/api/v1/logs/audit',
    {
      config: { access: requires('event_logs:view') },
      schema: {
        tags: ['Logs'],
        summary: 'System events (filter, paginate), newest first',
        description:
          'actor and target match the start of the email, in any letter case; action is exact; ' +
          'from and to bound the time, both inclusive.',
        querystring: AuditQuerySchema,
        response: { 200: AuditPageSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { events, total } = await listAuditEvents(db, request.query);
      return {
        events: events.map(presentAuditEvent),
        total,
        page: request.query.page,
        pageSize: request.query.pageSize,
      };
    },
  );

  app.get(
    '/api/v1/logs/audit/export.csv',
    {
      config: { access: requires('event_logs:export') },
      schema: {
        tags: ['Logs'],
        summary: 'Export system events as CSV (same filters as the list)',
        querystring: AuditQuerySchema.omit({ page: true, pageSize: true }),
      },
    },
    async (request, reply) => {
      async function* rows() {
        yield csvRow(AUDIT_CSV_COLUMNS.map(([header]) => header));
        for (let page = 1; ; page++) {
          const { events } = await listAuditEvents(db, { ...request.query, page, pageSize: EXPORT_PAGE_SIZE });
          for (const event of events.map(presentAuditEvent))
            yield csvRow(AUDIT_CSV_COLUMNS.map(([, value]) => value(event)));
          if (events.length < EXPORT_PAGE_SIZE) return;
        }
      }
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', csvAttachmentHeader('system-events'))
        .send(Readable.from(rows()));
    },
  );

  app.get(
    '/api/v1/logs/logins',
    {
      config: { access: requires('event_logs:view') },
      schema: {
        tags: ['Logs'],
        summary: 'Login history (filter, paginate), newest first',
        description:
          'email matches the start of the email typed at sign-in, in any letter case; from and to bound ' +
          'the time, both inclusive.',
        querystring: LoginHistoryQuerySchema,
        response: { 200: LoginHistoryPageSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { attempts, total } = await listLoginAttempts(db, request.query);
      return {
        attempts: attempts.map(presentLoginAttempt),
        total,
        page: request.query.page,
        pageSize: request.query.pageSize,
      };
    },
  );

  app.get(
    '/api/v1/logs/logins/export.csv',
    {
      config: { access: requires('event_logs:export') },
      schema: {
        tags: ['Logs'],
        summary: 'Export login history as CSV (same filters as the list)',
        querystring: LoginHistoryQuerySchema.omit({ page: true, pageSize: true }),
      },
    },
    async (request, reply) => {
      async function* rows() {
        yield csvRow(LOGIN_CSV_COLUMNS.map(([header]) => header));
        for (let page = 1; ; page++) {
          const { attempts } = await listLoginAttempts(db, { ...request.query, page, pageSize: EXPORT_PAGE_SIZE });
          for (const attempt of attempts.map(presentLoginAttempt))
            yield csvRow(LOGIN_CSV_COLUMNS.map(([, value]) => value(attempt)));
          if (attempts.length < EXPORT_PAGE_SIZE) return;
        }
      }
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', csvAttachmentHeader('login-history'))
        .send(Readable.from(rows()));
    },
  );
};

/**
 * GET /metrics for Prometheus: off unless LATCHKEY_METRICS_TOKEN is set, and then only for a
 * request that sends that token as a bearer token. The request-duration hook is installed only
 * then too, so an installation without a scraper pays nothing per request.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../app-deps.js';
import { databaseHandleOf } from '../db/connection.js';
import { httpRequestDuration, METRICS_CONTENT_TYPE, renderMetrics, type GaugeReading } from '../metrics.js';
import { constantTimeEquals } from '../security/secrets.js';
import { AppError } from '../app-error.js';
import { countEmailsByStatus } from '../services/email-status.js';

/** The database pool's connections (PostgreSQL; SQLite has one connection and no pool). */
function poolGauges(deps: AppDeps): GaugeReading[] {
  const handle = databaseHandleOf(deps.db);
  if (handle.kind !== 'postgres') return [];
  const { pool } = handle;
  return [
    {
      name: 'latchkey_db_pool_connections',
      help: 'PostgreSQL pool connections: open (total), idle, and requests waiting for one.',
      samples: [
        { labels: { state: 'total' }, value: pool.totalCount },
        { labels: { state: 'idle' }, value: pool.idleCount },
        { labels: { state: 'waiting' }, value: pool.waitingCount },
      ],
    },
  ];
}

/** Emails waiting (queued, including retries) and being sent, on every node: the queue's depth. */
async function emailQueueGauges(deps: AppDeps): Promise<GaugeReading[]> {
  const counts = await countEmailsByStatus(deps.db);
  return [
    {
      name: 'latchkey_email_queue_messages',
      help: 'Emails in the outbox not sent yet: queued (waiting, or waiting for a retry) and sending.',
      samples: [
        { labels: { status: 'queued' }, value: counts.queued ?? 0 },
        { labels: { status: 'sending' }, value: counts.sending ?? 0 },
      ],
    },
  ];
}

function bearerMatches(request: FastifyRequest, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  return match?.[1] !== undefined && constantTimeEquals(match[1], token);
}

export function registerMetrics(app: FastifyInstance, deps: AppDeps): void {
  const token = deps.config.metricsToken;
  // Off: no route at all, so /metrics is an unknown path like any other.
  if (!token) return;

  // By route pattern (`/api/v1/users/:id`), never the URL: one series per route, not per account.
  app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done) => {
    httpRequestDuration.observe(
      { route: request.routeOptions.url ?? 'unmatched', method: request.method, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  });

  app.get('/metrics', { config: { access: { kind: 'public' } }, schema: { hide: true } }, async (request, reply) => {
    if (!bearerMatches(request, token)) {
      reply.header('www-authenticate', 'Bearer realm="latchkey-metrics"');
      throw new AppError('unauthenticated', 'Send the metrics token: Authorization: Bearer <LATCHKEY_METRICS_TOKEN>.');
    }
    return reply
      .header('content-type', METRICS_CONTENT_TYPE)
      .header('cache-control', 'no-store')
      .send(await renderMetrics([...poolGauges(deps), ...(await emailQueueGauges(deps))]));
  });
}

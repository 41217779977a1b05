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
import { PUBLIC } from '../auth/access.js';
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
  // Each series is looked up by one short string (few routes × methods × statuses), not by a label
  // object and a key built from it on every answer.
  const durations = new Map<string, ReturnType<typeof httpRequestDuration.series>>();
  app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const key = `${reply.statusCode} ${request.method} ${route}`;
    let series = durations.get(key);
    if (!series) {
      series = httpRequestDuration.series({ route, method: request.method, status: String(reply.statusCode) });
      durations.set(key, series);
    }
    series.observe(reply.elapsedTime / 1000);
    done();
  });

  // No account signs in here: the scraper's token is checked first, before anything else runs.
  const requireMetricsToken = (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => {
    if (bearerMatches(request, token)) return done();
    reply.header('www-authenticate', 'Bearer realm="latchkey-metrics"');
    done(new AppError('unauthenticated', 'Send the metrics token: Authorization: Bearer <LATCHKEY_METRICS_TOKEN>.'));
  };

  const options = { config: { access: PUBLIC }, onRequest: requireMetricsToken, schema: { hide: true } };
  app.get('/metrics', options, async (_request, reply) =>
    reply
      .header('content-type', METRICS_CONTENT_TYPE)
      .header('cache-control', 'no-store')
      .send(await renderMetrics([...poolGauges(deps), ...(await emailQueueGauges(deps))])),
  );
}

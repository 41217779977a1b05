import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

/**
 * The request id: on every log line written while serving a request (Fastify's `reqId`), in the
 * X-Request-Id answer header, in every error body and on every audit entry streamed to stdout, so
 * a person can quote it and an operator find everything that request did.
 */
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * What an incoming X-Request-Id (set by a reverse proxy, so its log and ours share the id) may be:
 * short and of characters that are safe anywhere it is written (logs, headers, JSON). Anything
 * else is replaced, never cleaned up: a half-kept id would match nothing in the proxy's log.
 * The id only labels log lines; it decides nothing, so a client may send one too.
 */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:+/=-]{1,128}$/;

/** Fastify's genReqId: the incoming X-Request-Id when it is sane, otherwise a random UUID. */
export function requestIdFor(request: IncomingMessage): string {
  const incoming = request.headers[REQUEST_ID_HEADER];
  return typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

const requestIds = new AsyncLocalStorage<string>();

/** The id of the request being served here, or null (the CLI, a timer, start-up). */
export function currentRequestId(): string | null {
  return requestIds.getStore() ?? null;
}

/**
 * Sends X-Request-Id on every answer. With `streamAudit` (LATCHKEY_AUDIT_STDOUT), also makes the id
 * readable by `currentRequestId` from anything the request runs (services writing audit entries
 * are not handed the request). Only then: AsyncLocalStorage turns on Node's promise hooks for the
 * whole process, a cost every request would pay for lines nobody streams.
 */
export function registerRequestId(app: FastifyInstance, options: { streamAudit: boolean }): void {
  app.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    if (!options.streamAudit) return done();
    // Every later hook, the handler and whatever they call run inside this (even when the body
    // arrives in many packets: tests/api/audit-stream.test.ts sends one over a real connection).
    requestIds.run(request.id, done);
  });
}

import type { FastifyRequest } from 'fastify';
import { AppError } from '../app-error.js';

/** The header the web UI sends on every API call. Browsers cannot add it cross-site without a CORS preflight, which we never allow. */
export const CSRF_HEADER = 'x-latchkey-csrf';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses state-changing requests that a browser sends on behalf of another site. Requests with an
 * API token in the Authorization header are not cookie-authenticated and need no such check.
 */
export function assertSameOriginRequest(request: FastifyRequest, allowedOrigins: readonly string[]): void {
  if (SAFE_METHODS.has(request.method) || request.headers.authorization) return;
  const fetchSite = request.headers['sec-fetch-site'];
  if (fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') {
    throw new AppError('csrf_failed');
  }
  const origin = request.headers.origin;
  if (origin !== undefined) {
    const hostOrigin = `${request.protocol}://${request.headers.host ?? ''}`;
    if (origin !== hostOrigin && !allowedOrigins.includes(origin)) throw new AppError('csrf_failed');
  }
  if (request.headers[CSRF_HEADER] !== '1') throw new AppError('csrf_failed');
}

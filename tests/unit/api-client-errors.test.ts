/**
 * The web UI's API client (src/web/api/client.ts) turns an error answer into an ApiError whose
 * message a person reads: a failure on Latchkey's side (5xx) names its request id for them to
 * quote to an operator; a refusal (4xx) is the server's message alone. `fetch` is the browser's,
 * stood in for by answers the server gives (our own code is not replaced).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, request } from '../../src/web/api/client.js';

afterEach(() => vi.unstubAllGlobals());

function answerWith(status: number, body: unknown, requestId: string): void {
  const response = new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'x-request-id': requestId },
  });
  vi.stubGlobal('fetch', () => Promise.resolve(response));
}

async function errorFor(status: number, code: string, message: string): Promise<ApiError> {
  answerWith(status, { error: { code, message, requestId: 'req-4711' } }, 'req-4711');
  const failure: unknown = await request('/api/v1/records').catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(ApiError);
  return failure as ApiError;
}

describe('error messages in the UI', () => {
  it('name the request id of a failure on the server side (5xx)', async () => {
    for (const [status, code] of [
      [500, 'internal'],
      [503, 'database_unavailable'],
    ] as const) {
      const error = await errorFor(status, code, 'Something failed.');
      expect(error.code).toBe(code);
      expect(error.message).toBe('Something failed. (Reference: req-4711)');
    }
  });

  it('leave a refusal (4xx) as the server worded it', async () => {
    const error = await errorFor(409, 'email_taken', 'An account with this email already exists.');
    expect(error.message).toBe('An account with this email already exists.');
  });
});

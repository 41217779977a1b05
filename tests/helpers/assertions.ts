/**
 * Assertions the API tests share: what an API error answer must look like, and that a refused
 * request changed nothing. One version each, so every test checks as much as the strictest did.
 */
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { errorOf, stateSnapshot } from './fixtures.js';
import type { TestApp } from './test-app.js';

/** The JSON error body every API error has (see errorOf). */
export type ApiErrorBody = ReturnType<typeof errorOf>;

/**
 * The response is an API error with `status` and the error `code` (errorOf fails on any other body)
 * and, when `field` is named, a message under that field. Returns the error body.
 */
export function expectApiError(
  response: LightMyRequestResponse,
  status: number,
  code: string,
  field?: string,
): ApiErrorBody {
  expect(response.statusCode, response.body).toBe(status);
  const error = errorOf(response);
  expect(error.code, response.body).toBe(code);
  if (field) expect(error.fields?.[field], `fields.${field} in ${response.body}`).toEqual(expect.any(String));
  return error;
}

/**
 * Sends a request that must be refused: it is answered as expectApiError says, and every row of
 * every application table (stateSnapshot, audit and login history included) is as it was before.
 * Returns the error body.
 */
export async function expectRefused(
  t: TestApp,
  send: () => Promise<LightMyRequestResponse>,
  status: number,
  code: string,
  field?: string,
): Promise<ApiErrorBody> {
  const before = await stateSnapshot(t);
  const response = await send();
  const error = expectApiError(response, status, code, field);
  expect(await stateSnapshot(t), `a refused request must change nothing: ${response.body}`).toEqual(before);
  return error;
}

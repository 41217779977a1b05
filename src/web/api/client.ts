/**
 * The one way the UI talks to the Latchkey API. Every request is same-origin, carries the session
 * cookie and the `X-Latchkey-CSRF: 1` header (the server refuses cookie-authenticated changes
 * without it), and every error becomes an {@link ApiError} with the server's code, message and
 * per-field messages.
 */
import type { ErrorBody, RefusedItem } from '../../shared/errors.js';

export const CSRF_HEADER = 'X-Latchkey-CSRF';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Record<string, string> = {},
    /** A refused bulk action (bulk_refused): each refused item and why. */
    readonly items: RefusedItem[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function isApiError(error: unknown, code?: string): error is ApiError {
  return error instanceof ApiError && (code === undefined || error.code === code);
}

/** A message for people, whatever went wrong (the server's own message when there is one). */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return 'Latchkey could not be reached. Check your connection and try again.';
}

type UnauthorizedHandler = (error: ApiError) => void;
let onUnauthorized: UnauthorizedHandler = () => undefined;
let onPendingStepRequired: () => void = () => undefined;

/**
 * Called when the server answers `password_change_required` or `mfa_enrollment_required` (an
 * administrator set "User Must Change Password at Next Login" or "Enroll in Multi-Factor
 * Authentication" while this page was open): the app re-reads the account and shows the screen
 * of that step.
 */
export function setPendingStepHandler(handler: () => void): void {
  onPendingStepRequired = handler;
}

/** Called on every 401 (except where a caller expects one): the app sends the person to sign in. */
export function setUnauthorizedHandler(handler: UnauthorizedHandler): void {
  onUnauthorized = handler;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  /** A 401 is an ordinary answer here (signing in, asking who is signed in): do not redirect. */
  expectUnauthenticated?: boolean;
  signal?: AbortSignal;
}

export function buildUrl(path: string, query?: RequestOptions['query']): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/**
 * A failure on Latchkey's side (5xx) names its request id, so the person can quote it to whoever
 * runs Latchkey, who finds that request's log lines by it. Refusals (4xx) say what to do instead.
 */
function withReference(message: string, response: Response): string {
  const requestId = response.headers.get('x-request-id');
  return response.status >= 500 && requestId ? `${message} (Reference: ${requestId})` : message;
}

async function send(path: string, options: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { [CSRF_HEADER]: '1', Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(buildUrl(path, options.query), {
      method: options.method ?? 'GET',
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? null : JSON.stringify(options.body),
      signal: options.signal ?? null,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'network_error', 'Latchkey could not be reached. Check your connection and try again.');
  }
  if (response.ok) return response;

  // Not every failure has our JSON body (a proxy's 502 page, say): fall back to the status.
  const body = (await response.json().catch(() => null)) as Partial<ErrorBody> | null;
  const error = new ApiError(
    response.status,
    body?.error?.code ?? 'http_error',
    withReference(body?.error?.message ?? `The request failed (HTTP ${response.status}).`, response),
    body?.error?.fields ?? {},
    body?.error?.items ?? [],
  );
  if (response.status === 401 && !options.expectUnauthenticated) onUnauthorized(error);
  if (error.code === 'password_change_required' || error.code === 'mfa_enrollment_required') onPendingStepRequired();
  throw error;
}

/** Sends a request and returns its JSON body (undefined for 204 No Content). */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const response = await send(path, options);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** Sends a request and returns the body as a file (name from Content-Disposition). */
export async function requestFile(
  path: string,
  options: RequestOptions = {},
): Promise<{ blob: Blob; filename: string }> {
  const response = await send(path, options);
  const disposition = response.headers.get('content-disposition') ?? '';
  const filename = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? 'download';
  return { blob: await response.blob(), filename };
}

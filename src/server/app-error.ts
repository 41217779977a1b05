import { ERRORS, type ErrorCode, type RefusedItem } from '../shared/errors.js';

/** The one error type services throw; its status and default message come from shared/errors.ts. */
export class AppError extends Error {
  readonly status: number;
  /** For 429 answers: sent as Retry-After (seconds), when trying again can help. */
  retryAfterSeconds?: number;
  /** For bulk_refused: each item refused and why. */
  items?: RefusedItem[];
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message ?? ERRORS[code].message);
    this.name = 'AppError';
    this.status = ERRORS[code].status;
  }
}

/** A 400 with one message per field, shown next to that field in the UI. */
export function fieldError(field: string, message: string): AppError {
  return new AppError('validation_failed', message, { [field]: message });
}

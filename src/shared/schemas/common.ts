import { z } from 'zod';

export const ErrorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    fields: z.record(z.string(), z.string()).optional(),
    /** A bulk action refused (409 bulk_refused, nothing changed): every refused item and why. */
    items: z
      .array(z.object({ id: z.string(), email: z.string().nullable(), code: z.string(), message: z.string() }))
      .optional(),
    /** The request's id (also its X-Request-Id header), for a person to quote to an operator. */
    requestId: z.string(),
  }),
});

/** The error answers an API route may give, for its OpenAPI description (all share one shape). */
export const ERROR_RESPONSES = {
  400: ErrorBodySchema,
  401: ErrorBodySchema,
  403: ErrorBodySchema,
  404: ErrorBodySchema,
  409: ErrorBodySchema,
  429: ErrorBodySchema,
} as const;

export const IdParamsSchema = z.object({ id: z.string().min(1).max(64) });

/** Password limits shared by the UI (for early messages) and the server (which decides). */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;
/**
 * The request schemas' limit, in UTF-16 code units (what zod counts): an emoji takes two, so 256
 * characters may need up to 512. The password policy then counts real characters.
 */
export const PASSWORD_MAX_INPUT_UNITS = PASSWORD_MAX_LENGTH * 2;

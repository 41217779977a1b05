import { z } from 'zod';
import { ERRORS, type ErrorCode } from '../errors.js';

const ERROR_CODES = Object.keys(ERRORS) as [ErrorCode, ...ErrorCode[]];

/**
 * Whether the signed-in viewer may do one thing, as the server decides it (src/server/policies/):
 * allowed, or refused with the error code and message the server answers if it is tried anyway.
 * The UI shows that message as the reason and never works one out itself.
 */
export const DecisionSchema = z.discriminatedUnion('allowed', [
  z.object({ allowed: z.literal(true) }),
  z.object({ allowed: z.literal(false), code: z.enum(ERROR_CODES), message: z.string() }),
]);
export type Decision = z.infer<typeof DecisionSchema>;

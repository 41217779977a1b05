import { z } from 'zod';
import { PASSWORD_MAX_INPUT_UNITS } from './common.js';
import { EmailSchema, UserSchema } from './users.js';

export const SignInSchema = z
  .object({
    email: z.string().trim().min(1, 'Email is required.').max(254),
    password: z.string().min(1, 'Password is required.').max(PASSWORD_MAX_INPUT_UNITS),
  })
  .strict();

/** What the signed-in account may do: computed once per request by the server, only read by the UI. */
export const AbilitiesSchema = z.object({
  permissions: z.array(z.string()),
  isAdministrator: z.boolean(),
});
export type Abilities = z.infer<typeof AbilitiesSchema>;

export const MeSchema = z.object({
  user: UserSchema,
  abilities: AbilitiesSchema,
  authenticatedBy: z.enum(['session', 'api_token']),
  /** The account must set up multi-factor authentication before anything else (this session may only enroll). */
  mfaEnrollmentRequired: z.boolean(),
  /**
   * The identity provider this session signed in through (null for password sign-ins and API
   * tokens), and where to sign out there too after signing out of Latchkey (null: it offers none).
   */
  identityProvider: z.object({ id: z.string(), name: z.string(), signOutUrl: z.string().nullable() }).nullable(),
});
export type Me = z.infer<typeof MeSchema>;

export const SetupStatusSchema = z.object({ setupRequired: z.boolean() });

export const SetupSchema = z
  .object({
    token: z.string().min(1).max(200),
    email: EmailSchema,
    firstName: z.string().trim().min(1, 'First Name is required.').max(100),
    lastName: z.string().trim().min(1, 'Last Name is required.').max(100),
    password: z.string().max(PASSWORD_MAX_INPUT_UNITS),
    confirmPassword: z.string().max(PASSWORD_MAX_INPUT_UNITS),
  })
  .strict();

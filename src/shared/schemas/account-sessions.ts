import { z } from 'zod';
import { DecisionSchema } from './decision.js';

/** How a session signed in: a password alone, with an authenticator app (or recovery code), with a passkey, or single sign-on. */
export const SIGN_IN_METHODS = ['password', 'mfa', 'passkey', 'sso'] as const;

/** What the viewer may do with one session, as the server decides it. */
export const AccountSessionAbilitiesSchema = z.object({ signOut: DecisionSchema });

/** One live session of an account (its Sessions tab). Never its secret: `id` only names it. */
export const AccountSessionSchema = z.object({
  id: z.string().describe('A public name for the session (not the session ID of its cookie, which is secret)'),
  browser: z.string().describe('Parsed from the user agent, e.g. "Firefox 132"; "Unknown browser" when not recognised'),
  operatingSystem: z
    .string()
    .describe('Parsed from the user agent, e.g. "Windows 10/11"; "Unknown" when not recognised'),
  userAgent: z.string(),
  ip: z.string(),
  createdAt: z.string().describe('When it signed in (ISO 8601)'),
  lastActiveAt: z.string().describe('Its last request, to within a minute (ISO 8601)'),
  expiresAt: z.string().describe('When it ends however active it is (ISO 8601)'),
  method: z.enum(SIGN_IN_METHODS),
  identityProvider: z.string().nullable().describe("The identity provider's name for single sign-on, else null"),
  current: z.boolean().describe('The session making this request'),
  can: AccountSessionAbilitiesSchema,
});
export type AccountSession = z.infer<typeof AccountSessionSchema>;

export const AccountSessionListSchema = z.object({ sessions: z.array(AccountSessionSchema) });
export type AccountSessionList = z.infer<typeof AccountSessionListSchema>;

export const AccountSessionParamsSchema = z.object({
  id: z.string().min(1).max(64),
  sessionId: z.string().min(1).max(64),
});

/** The answer to signing sessions out. */
export const SessionsEndedSchema = z.object({
  ended: z.number().int().describe('How many sessions ended'),
  currentEnded: z
    .boolean()
    .describe("The caller's own session was among them: this browser is signed out, go to the sign-in page"),
});
export type SessionsEnded = z.infer<typeof SessionsEndedSchema>;

/**
 * "Forgot password" for accounts with a Latchkey password (issue 17): an emailed, single-use link.
 *
 * Asking (requestPasswordResetLink) gives one answer, after about the same time, whatever the email
 * is: an account with a password, an SSO or disabled account, no account at all, the feature turned
 * off or email not configured. Only the audit entry (for Administrators) says which it was. The
 * limits count the email as typed and the client address, whether or not an account exists, in the
 * database (every node shares them): being limited says nothing about an account either.
 *
 * A link holds 256 random bits; only their SHA-256 is stored. It works once, for 30 minutes, and
 * every outstanding link of an account ends on any password change (passwords.ts applyNewPassword).
 * Using one (resetPasswordWithLink) sets the password through that same path: the password policy,
 * every session of the account ends (the API token stays, as after an Administrator's reset), and
 * "must change password" is cleared. It signs nobody in: the next sign-in asks for the password and
 * the second factor as always.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Db } from '../db/connection.js';
import type { Database } from '../db/schema.js';
import { isoFromMs, nowIso, nowMs } from '../clock.js';
import { AppError, fieldError } from '../app-error.js';
import { hashPassword } from '../security/password-hashing.js';
import { checkPasswordPolicy } from '../security/password-policy.js';
import { generateSecret, hashSecret } from '../security/secrets.js';
import { recordAudit } from './audit.js';
import { readInstallationSettings } from './installation-settings.js';
import { countRequestInWindow } from './login-throttle.js';
import { applyNewPassword, NEW_PASSWORD_FIELD } from './passwords.js';
import { endSignInLockAfterReset } from './login-throttle.js';
import { findUserByEmail, findUserById, normalizeEmail } from './users.js';
import type { RequestContext } from '../request-context.js';
import { UI_ROUTES } from '../../shared/ui-routes.js';

/** How long an emailed link works. */
export const RESET_LINK_LIFETIME_MS = 30 * 60 * 1000;
/** Links one email address may be sent per throttle window (15 minutes). */
export const MAX_REQUESTS_PER_ACCOUNT = 3;
/** Requests one client address may make per throttle window, whatever the emails. */
export const MAX_REQUESTS_PER_ADDRESS = 20;
/**
 * Every answer to a request takes at least this long, so the time does not tell an account that
 * gets a link (a few writes and an email queued) from one that does not.
 */
export const MIN_ANSWER_MS = 250;

/** What the audit entry of a request records: why a link was or was not sent. */
export type ResetRequestOutcome =
  'sent' | 'no_account' | 'sso_account' | 'account_disabled' | 'turned_off' | 'email_not_configured';

/** The email with the link, handed to the mail queue inside the transaction that creates the link. */
export interface ResetEmail {
  userId: string;
  to: string;
  subject: string;
  text: string;
}

export interface ResetLinkMail {
  /** Whether email can be sent at all (SMTP configured). */
  configured: boolean;
  /** Queues the email inside the caller's transaction. */
  enqueue(trx: Kysely<Database>, email: ResetEmail): Promise<void>;
}

/** Whether the sign-in page offers "Forgot password?": email configured and the setting on. */
export async function passwordResetAvailable(db: Kysely<Database>, mail: Pick<ResetLinkMail, 'configured'>) {
  return mail.configured && (await readInstallationSettings(db)).self_service_password_reset === 1;
}

/** A 429 for too many requests, saying when to try again. */
function limited(windowEndsMs: number): AppError {
  const error = new AppError('password_reset_limited');
  error.retryAfterSeconds = Math.max(1, Math.ceil((windowEndsMs - nowMs()) / 1000));
  return error;
}

/**
 * "Forgot password": sends a link when the email belongs to an enabled account with a Latchkey
 * password, the setting is on and email is configured; otherwise sends nothing. Either way it
 * returns no sooner than MIN_ANSWER_MS after the limits let it through. Beyond the limits it throws
 * 429 at once: being limited depends on the email typed and the address, never on an account.
 */
export async function requestPasswordResetLink(
  db: Db,
  ctx: RequestContext,
  email: string,
  options: { publicUrl: URL; mail: ResetLinkMail },
): Promise<void> {
  const typed = normalizeEmail(email);
  const address = await countRequestInWindow(db, `password_reset:ip:${ctx.ip}`);
  if (address.count > MAX_REQUESTS_PER_ADDRESS) throw limited(address.windowEndsMs);
  const account = await countRequestInWindow(db, `password_reset:account:${typed}`);
  if (account.count > MAX_REQUESTS_PER_ACCOUNT) throw limited(account.windowEndsMs);

  const started = nowMs();
  try {
    await sendLinkIfEntitled(db, ctx, typed, options);
  } finally {
    const wait = started + MIN_ANSWER_MS - nowMs();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/** The link, its email and the audit entry, or only the entry saying why nothing was sent. */
async function sendLinkIfEntitled(
  db: Db,
  ctx: RequestContext,
  typed: string,
  options: { publicUrl: URL; mail: ResetLinkMail },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const user = await findUserByEmail(trx, typed);
    const outcome: ResetRequestOutcome = !user
      ? 'no_account'
      : user.user_type === 'sso'
        ? 'sso_account'
        : user.status !== 'enabled'
          ? 'account_disabled'
          : (await readInstallationSettings(trx)).self_service_password_reset !== 1
            ? 'turned_off'
            : !options.mail.configured
              ? 'email_not_configured'
              : 'sent';
    if (user && outcome === 'sent') {
      const token = generateSecret(32);
      const now = nowMs();
      await trx
        .insertInto('password_reset_links')
        .values({
          id: randomUUID(),
          user_id: user.id,
          token_hash: hashSecret(token),
          created_at: isoFromMs(now),
          expires_at: isoFromMs(now + RESET_LINK_LIFETIME_MS),
          used_at: null,
          requested_ip: ctx.ip,
        })
        .execute();
      await options.mail.enqueue(trx, resetEmail(user, resetLinkUrl(options.publicUrl, token)));
    }
    await recordAudit(trx, {
      actor: null,
      target: user ? { id: user.id, email: user.email } : null,
      action: 'password_reset.requested',
      // Never the link: who was asked about, and what came of it.
      details: { email: typed, outcome },
      ip: ctx.ip,
    });
  });
}

/**
 * The link in the email. The secret goes in the fragment (after `#`), which browsers never send:
 * it stays out of access logs, proxies and Referer headers; the page posts it to the API.
 */
export function resetLinkUrl(publicUrl: URL, token: string): string {
  return `${new URL(UI_ROUTES.resetPassword, publicUrl).href}#token=${token}`;
}

/** The email: plain and short, the link, how long it works, what to do if you did not ask. */
function resetEmail(user: { id: string; email: string }, link: string): ResetEmail {
  return {
    userId: user.id,
    to: user.email,
    subject: 'Reset your Latchkey password',
    text: [
      `Someone asked to reset the Latchkey password of ${user.email}.`,
      '',
      'To choose a new password, open this link. It works once, for 30 minutes:',
      '',
      link,
      '',
      'If you did not ask for this, ignore this email: your password stays as it is. If it keeps',
      'happening, tell your Latchkey administrator.',
      '',
    ].join('\n'),
  };
}

/**
 * Sets a new password with an emailed link. An unknown, expired or used link (or one of an account
 * that has since become disabled or SSO) is refused with 400 password_reset_link_invalid and
 * nothing changes; a password the policy refuses, with a field error on newPassword.
 */
export async function resetPasswordWithLink(
  db: Db,
  ctx: RequestContext,
  input: { token: string; newPassword: string },
): Promise<void> {
  const tokenHash = hashSecret(input.token);
  const link = await findUsableLink(db, tokenHash);
  if (!link) throw new AppError('password_reset_link_invalid');
  const problem = checkPasswordPolicy(input.newPassword, {
    email: link.user.email,
    firstName: link.user.first_name,
    lastName: link.user.last_name,
  });
  if (problem) throw fieldError(NEW_PASSWORD_FIELD, problem);
  // Hashed before the transaction (argon2id is slow on purpose; see passwords.ts resetPassword).
  const passwordHash = await hashPassword(input.newPassword);

  await db.transaction().execute(async (trx) => {
    // Taken for good in one conditional write: of two uses at once, one wins, the other is refused.
    const now = nowIso();
    const taken = await trx
      .updateTable('password_reset_links')
      .set({ used_at: now })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returning('user_id')
      .executeTakeFirst();
    const user = taken ? await findUserById(trx, taken.user_id) : undefined;
    if (!user || user.user_type !== 'native' || user.status !== 'enabled') {
      throw new AppError('password_reset_link_invalid');
    }
    await applyNewPassword(trx, { actor: null, ip: ctx.ip }, user, passwordHash, {
      keepSessionIdHash: null,
      // They just chose it themselves.
      mustChangePassword: false,
      by: 'email_link',
    });
    await endSignInLockAfterReset(trx, user, ctx.ip);
  });
}

/** The link with this secret's hash, if it can still be used, with its account. */
async function findUsableLink(db: Kysely<Database>, tokenHash: string) {
  const link = await db
    .selectFrom('password_reset_links')
    .select(['user_id'])
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', nowIso())
    .executeTakeFirst();
  if (!link) return undefined;
  const user = await findUserById(db, link.user_id);
  if (!user || user.user_type !== 'native' || user.status !== 'enabled') return undefined;
  return { user };
}

/** Forgets links that ended more than a day ago; called now and then, never on the request path. */
export async function purgeOldResetLinks(db: Kysely<Database>): Promise<void> {
  await db
    .deleteFrom('password_reset_links')
    .where('expires_at', '<', isoFromMs(nowMs() - 24 * 60 * 60 * 1000))
    .execute();
}

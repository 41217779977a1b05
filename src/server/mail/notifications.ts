/**
 * Security notifications to the account's owner: which event sends which message, in one place.
 *
 * Changes are told apart by the audit action they already record (recordAudit calls
 * notifyOwnerOfChange inside the change's transaction, so a rolled-back change sends nothing);
 * sign-ins by recordLoginAttempt (notifyOwnerOfSignIn). Nothing happens without SMTP configured.
 *
 * Plain and short, in the product's words: what happened, when, from which address (and browser
 * for a sign-in), and what to do if it was not them. Never a secret and never a link: a message
 * that asks to click is what phishing looks like, and these must never be mistaken for it.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { AuditAction } from '../../shared/audit-actions.js';
import { nowMs } from '../clock.js';
import { parseUserAgent } from '../../shared/user-agent.js';
import { enqueueEmail, outboxOf } from './outbox.js';

/**
 * What the rules read of an audit entry. Declared here rather than imported: services/audit.ts
 * and services/login-history.ts call into this module, so it must not import them back.
 */
interface AuditEntry {
  actor: { user: { id: string } } | null;
  target?: { id: string; email: string } | null;
  action: AuditAction;
  details?: Record<string, unknown>;
  ip: string | null;
}

/** The browser that signed in (services/login-history.ts's Client). */
interface Client {
  ip: string;
  userAgent: string;
}

interface Notice {
  kind: string;
  subject: string;
  /** One sentence: what happened. */
  happened: string;
  /** Only for password notices: an SSO account has no Latchkey password to tell of. */
  nativeOnly?: boolean;
  /** What to do if it was not them (default: contact your administrator). */
  ifNotYou?: string;
}

const CONTACT = 'If this was not you, contact your administrator at once.';

function byWhom(entry: AuditEntry): string {
  if (entry.actor === null) return '';
  return entry.actor.user.id === entry.target?.id ? '' : ' by an administrator';
}

/**
 * Who changed the password and which sessions ended (services/passwords.ts): your own change keeps
 * the session you made it in; a reset by an administrator, the command line or an emailed link
 * ends every session.
 */
function passwordChangedSentence(entry: AuditEntry, by: string | undefined): string {
  if (by === 'self') return 'Your Latchkey password was changed, and your other sessions were signed out.';
  if (by === 'email_link')
    return 'Your Latchkey password was changed with a reset link sent to this address, and every session was signed out.';
  return `Your Latchkey password was changed${byWhom(entry)}, and every session was signed out.`;
}

/** The message an audited change sends its account's owner, or null for changes that send none. */
function noticeFor(entry: AuditEntry): Notice | null {
  const details = (entry.details ?? {}) as {
    changes?: Record<string, { from: unknown; to: unknown }>;
    lockedUntil?: string;
    by?: string;
  };
  switch (entry.action) {
    case 'user.password_reset':
      return {
        kind: 'password_changed',
        subject: 'Your Latchkey password was changed',
        happened: passwordChangedSentence(entry, details.by),
        nativeOnly: true,
      };
    case 'user.security_updated':
      if (details.changes?.status?.to === 'disabled')
        return {
          kind: 'account_disabled',
          subject: 'Your Latchkey account was disabled',
          happened: `Your Latchkey account was disabled${byWhom(entry)}: you cannot sign in until it is enabled again.`,
          ifNotYou: 'If you did not expect this, contact your administrator.',
        };
      if (details.changes?.mfa_enrolled?.to === 1 && byWhom(entry))
        return {
          kind: 'mfa_required',
          subject: 'Multi-factor authentication was turned on for your Latchkey account',
          happened:
            'Multi-factor authentication was turned on for your Latchkey account by an administrator: ' +
            'you will be asked to add an authenticator when you next sign in.',
          ifNotYou: 'If you did not expect this, contact your administrator.',
        };
      return null;
    case 'scim.user_deactivated':
      return {
        kind: 'account_disabled',
        subject: 'Your Latchkey account was disabled',
        happened:
          "Your Latchkey account was disabled by your organisation's directory: you cannot sign in until it is " +
          'enabled there again.',
        ifNotYou: 'If you did not expect this, contact your administrator.',
      };
    case 'api_token.generated':
      return {
        kind: 'api_token_generated',
        subject: 'An API token was generated for your Latchkey account',
        happened: `An API token was generated for your Latchkey account${byWhom(entry)}. Any earlier token stopped working.`,
      };
    case 'api_token.revoked':
      return {
        kind: 'api_token_revoked',
        subject: 'The API token of your Latchkey account was revoked',
        happened: `The API token of your Latchkey account was revoked${byWhom(entry)}: scripts using it are refused.`,
      };
    case 'mfa.factor_enrolled':
      return {
        kind: 'mfa_factor_added',
        subject: 'An authenticator was added to your Latchkey account',
        happened: 'An authenticator was added to the multi-factor authentication of your Latchkey account.',
      };
    case 'mfa.factor_removed':
      return {
        kind: 'mfa_factor_removed',
        subject: 'An authenticator was removed from your Latchkey account',
        happened: 'An authenticator was removed from the multi-factor authentication of your Latchkey account.',
      };
    case 'mfa.reset':
      return {
        kind: 'mfa_reset',
        subject: 'Multi-factor authentication was reset on your Latchkey account',
        happened:
          `The multi-factor authentication of your Latchkey account was reset${byWhom(entry)}: ` +
          'its authenticators and recovery codes were removed and its sessions signed out.',
      };
    case 'account.locked':
      return {
        kind: 'account_locked',
        subject: 'Sign-in to your Latchkey account was locked',
        happened:
          'After too many failed sign-in attempts, signing in to your Latchkey account is locked' +
          (details.lockedUntil ? ` until ${whenText(Date.parse(details.lockedUntil))}.` : '.'),
        ifNotYou:
          'If these attempts were not yours, someone may be guessing your password: contact your administrator.',
      };
    default:
      return null;
  }
}

/** "7 December 2026 at 13:05 UTC": the same for every reader, whatever their time zone. */
function whenText(ms: number): string {
  const text = new Date(ms).toLocaleString('en-GB', { timeZone: 'UTC', dateStyle: 'long', timeStyle: 'short' });
  return `${text} UTC`;
}

function messageText(notice: Pick<Notice, 'happened' | 'ifNotYou'>, facts: [label: string, value: string][]) {
  return [
    'Hello,',
    '',
    notice.happened,
    '',
    ...facts.map(([label, value]) => `${label}: ${value}`),
    '',
    `If this was you, there is nothing to do. ${notice.ifNotYou ?? CONTACT}`,
    '',
    '— Latchkey (sent automatically; this message never contains a link, and Latchkey never asks for your password by email)',
  ].join('\n');
}

async function ownerOf(db: Kysely<Database>, userId: string) {
  return db.selectFrom('users').select(['id', 'email', 'user_type']).where('id', '=', userId).executeTakeFirst();
}

/** Called by recordAudit, inside the change's transaction. */
export async function notifyOwnerOfChange(trx: Kysely<Database>, entry: AuditEntry): Promise<void> {
  const outbox = outboxOf(trx);
  if (!outbox?.configured || !entry.target) return;
  const notice = noticeFor(entry);
  if (!notice) return;
  const owner = await ownerOf(trx, entry.target.id);
  if (!owner || (notice.nativeOnly && owner.user_type !== 'native')) return;
  const facts: [string, string][] = [['When', whenText(nowMs())]];
  if (entry.ip) facts.push(['From the address', entry.ip]);
  await enqueueEmail(trx, outbox, {
    userId: owner.id,
    to: owner.email,
    kind: notice.kind,
    subject: notice.subject,
    text: messageText(notice, facts),
  });
}

/** Browser and system without versions: an update of either is not a new browser. */
function browserOf(userAgent: string): string {
  const { browser, operatingSystem } = parseUserAgent(userAgent);
  const strip = (name: string) => name.replace(/\s[\d._]+$/, '');
  return `${strip(browser)} on ${strip(operatingSystem)}`;
}

/** Earlier sign-ins compared with (the account's most recent successful ones). */
const EARLIER_SIGN_INS = 200;

/**
 * Called by recordLoginAttempt for a successful sign-in, before it is recorded: tells the owner
 * when no earlier successful sign-in of the account came from this browser (family and system)
 * at this address. An account's very first sign-in has nothing to compare with and sends nothing.
 */
export async function notifyOwnerOfSignIn(db: Kysely<Database>, userId: string, client: Client): Promise<void> {
  const outbox = outboxOf(db);
  if (!outbox?.configured) return;
  const earlier = await db
    .selectFrom('login_history')
    .select(['ip', 'user_agent'])
    .where('user_id', '=', userId)
    .where('success', '=', 1)
    .orderBy('occurred_at', 'desc')
    .limit(EARLIER_SIGN_INS)
    .execute();
  if (earlier.length === 0) return;
  const browser = browserOf(client.userAgent);
  if (earlier.some((row) => row.ip === client.ip && browserOf(row.user_agent) === browser)) return;
  const owner = await ownerOf(db, userId);
  if (!owner) return;
  await enqueueEmail(db, outbox, {
    userId: owner.id,
    to: owner.email,
    kind: 'new_sign_in',
    subject: 'New sign-in to your Latchkey account',
    text: messageText(
      { happened: 'Your Latchkey account was signed in to from a browser or address it has not used before.' },
      [
        ['When', whenText(nowMs())],
        ['From the address', client.ip],
        ['Browser', browser],
      ],
    ),
  });
}

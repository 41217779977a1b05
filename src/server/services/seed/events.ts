/**
 * The log entries of the last year: login history (successes and the usual failures) and audit
 * events, each by a seeded account, about a seeded account, or by the system.
 */
import type { SeedPeople } from './accounts.js';
import { iso, YEAR_MS } from './formats.js';
import { emailPart } from './names.js';
import { hash32, pick, unit, weighted } from './variety.js';
import { COMPUTER_PREFIXES, TASK_OBJECTS, TASK_VERBS, TITLES, USER_AGENTS } from './vocabulary.js';
import type { Writer } from './writer.js';

/** A documentation address (RFC 5737 / 3849): realistic, never anyone's. */
function ipAddress(k: number, salt: number): string {
  const h = hash32(k, salt);
  switch (h % 5) {
    case 0:
      return `2001:db8::${(h >>> 8).toString(16)}`;
    case 1:
      return `198.51.100.${((h >>> 8) % 254) + 1}`;
    case 2:
      return `203.0.113.${((h >>> 8) % 254) + 1}`;
    default:
      return `192.0.2.${((h >>> 8) % 254) + 1}`;
  }
}

/** Chronological times over the last year for k = 0 … n-1 (IDs then grow with time, as in the app). */
const eventTime = (k: number, n: number, now: number, salt: number) =>
  iso(now - YEAR_MS + Math.floor(((k + unit(k, salt)) / n) * YEAR_MS));
export async function seedLoginHistory(
  writer: Writer,
  accounts: SeedPeople,
  count: number,
  now: number,
): Promise<void> {
  const history = await writer.table('login_history', [
    ['occurred_at', 'text'],
    ['user_id', 'text'],
    ['email', 'text'],
    ['success', 'integer'],
    ['reason', 'text'],
    ['method', 'text'],
    ['ip', 'text'],
    ['user_agent', 'text'],
  ]);
  const FAILURES = [
    ['wrong_password', 60],
    ['unknown_account', 15],
    ['locked', 10],
    ['account_disabled', 5],
    ['wrong_mfa_code', 10],
  ] as const;
  for (let k = 0; k < count; k++) {
    const i = Math.floor(unit(k, 301) * accounts.count);
    const success = unit(k, 302) < 0.88;
    const reason = success ? null : weighted(FAILURES, k, 303);
    const sso = accounts.isSso(i);
    const unknown = reason === 'unknown_account';
    const method = sso
      ? 'oidc'
      : accounts.mfa(i) === 'on' || reason === 'wrong_mfa_code'
        ? 'password+totp'
        : 'password';
    await history.add([
      eventTime(k, count, now, 304),
      unknown ? null : accounts.ids[i]!,
      unknown
        ? `${emailPart(accounts.first(k))}.${emailPart(accounts.last(k + 1))}@${accounts.domain}`
        : accounts.email(i),
      success ? 1 : 0,
      reason,
      unknown ? 'password' : method,
      ipAddress(k, 305),
      pick(USER_AGENTS, k, 306),
    ]);
  }
  await history.finish();
}

const AUDIT_ACTIONS = [
  ['user.updated', 30],
  ['user.security_updated', 12],
  ['session.signed_out', 20],
  ['user.password_reset', 6],
  ['api_token.generated', 4],
  ['api_token.revoked', 1],
  ['user.created', 8],
  ['mfa.factor_enrolled', 5],
  ['record.deleted', 5],
  ['task.deleted', 3],
  ['sso.signed_in', 5],
  ['account.locked', 1],
] as const;
export async function seedAuditEvents(writer: Writer, accounts: SeedPeople, count: number, now: number): Promise<void> {
  const events = await writer.table('audit_events', [
    ['occurred_at', 'text'],
    ['actor_user_id', 'text'],
    ['actor_email', 'text'],
    ['actor_group_name', 'text'],
    ['target_user_id', 'text'],
    ['target_email', 'text'],
    ['action', 'text'],
    ['details', 'text'],
    ['ip', 'text'],
  ]);
  const administrators = accounts.administrators.length > 0 ? accounts.administrators : [0];
  for (let k = 0; k < count; k++) {
    const action = weighted(AUDIT_ACTIONS, k, 401);
    const target = Math.floor(unit(k, 402) * accounts.count);
    // Who acted: the account itself (its own sign-out, its own authenticator), the system, or an Administrator.
    const self = action === 'session.signed_out' || action === 'mfa.factor_enrolled';
    const system = action === 'sso.signed_in' || action === 'account.locked';
    const actor = self ? target : system ? null : administrators[Math.floor(unit(k, 403) * administrators.length)]!;
    let details: Record<string, unknown> = {};
    if (action === 'user.updated') details = { title: { from: pick(TITLES, k, 404), to: pick(TITLES, k, 405) } };
    else if (action === 'user.security_updated')
      details =
        unit(k, 406) < 0.5 ? { status: { from: 'enabled', to: 'disabled' } } : { mfa_enrolled: { from: 0, to: 1 } };
    else if (action === 'record.deleted')
      details = { name: `${pick(COMPUTER_PREFIXES, k, 407)}-${String(k).padStart(7, '0')}` };
    else if (action === 'task.deleted')
      details = { title: `${pick(TASK_VERBS, k, 408)} ${pick(TASK_OBJECTS, k, 409)}` };
    else if (action === 'mfa.factor_enrolled') details = { kind: 'totp' };
    const targeted = action !== 'record.deleted' && action !== 'task.deleted';
    await events.add([
      eventTime(k, count, now, 410),
      actor === null ? null : accounts.ids[actor]!,
      actor === null ? null : accounts.email(actor),
      actor === null ? null : (accounts.groups.names.get(accounts.group(actor)) ?? null),
      targeted ? accounts.ids[target]! : null,
      targeted ? accounts.email(target) : null,
      action,
      JSON.stringify(details),
      actor === null ? null : ipAddress(k, 411),
    ]);
  }
  await events.finish();
}

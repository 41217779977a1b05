/**
 * The accounts: every attribute of account i a function of i (Accounts), so the records, tasks and
 * log entries can name an account's email or group without storing them; and the rows that make
 * them (users, their MFA factors, their SSO identities).
 */
import { randomBytes } from 'node:crypto';
import { encryptSecret } from '../../security/encryption.js';
import { generateTotpSecret } from '../../security/totp.js';
import { ADMINISTRATOR_GROUP_ID } from '../../../shared/permissions.js';
import { factorAad } from '../mfa-factors.js';
import { ascendingUuids, DAY_MS, iso, YEAR_MS } from './formats.js';
import type { Groups } from './groups.js';
import { emailOrder, FIRST_NAMES, LAST_NAMES, seededEmail } from './names.js';
import { hash32, pick, unit, weighted } from './variety.js';
import { DATE_FORMATS, FUNCTIONAL_GROUPS, TITLES } from './vocabulary.js';
import type { Writer } from './writer.js';

// Attribute salts: one per attribute, so attributes vary independently.
const S = {
  first: 1,
  last: 2,
  group: 3,
  status: 4,
  type: 5,
  mfa: 6,
  lastLogin: 7,
  created: 8,
  title: 9,
  phone: 10,
  functional: 11,
  timeout: 12,
  dateFormat: 13,
  timeFormat: 14,
  theme: 15,
  custom: 16,
  phoneDigits: 17,
} as const;

const MFA_WEIGHTS = [
  ['off', 72],
  ['pending', 8],
  ['on', 20],
] as const;

/** The accounts of this run, as functions of their index (only the IDs are stored). */
export class Accounts {
  /** Filled by seedAccounts. */
  ids: string[] = [];
  /** Indexes of Administrators (the actors of audit events). */
  readonly administrators: number[] = [];
  constructor(
    readonly count: number,
    readonly domain: string,
    readonly groups: Groups,
    readonly now: number,
  ) {}
  firstIndex = (i: number) => Math.floor(unit(i, S.first) * FIRST_NAMES.length);
  lastIndex = (i: number) => Math.floor(unit(i, S.last) * LAST_NAMES.length);
  first = (i: number) => FIRST_NAMES[this.firstIndex(i)]!;
  last = (i: number) => LAST_NAMES[this.lastIndex(i)]!;
  email = (i: number) => seededEmail(this.firstIndex(i), this.lastIndex(i), i, this.domain);
  /** Account 0 is the way in: an enabled native Administrator without MFA. */
  group = (i: number) => (i === 0 ? ADMINISTRATOR_GROUP_ID : weighted(this.groups.weights, i, S.group));
  status = (i: number) => (i === 0 || unit(i, S.status) >= 0.08 ? 'enabled' : 'disabled');
  isSso = (i: number) => i !== 0 && unit(i, S.type) < 0.15;
  /** off (72 %), pending: required but not set up (8 %), on: a confirmed factor, an authenticator app or a passkey (20 %). */
  mfa = (i: number): 'off' | 'pending' | 'on' => (i === 0 ? 'off' : weighted(MFA_WEIGHTS, i, S.mfa));
  createdAt = (i: number) => this.now - 30 * DAY_MS - Math.floor(unit(i, S.created) * 2 * YEAR_MS);
  /** Within the last year, more of them recent; 12 % never signed in. */
  lastLoginAt = (i: number): number | null => {
    const r = unit(i, S.lastLogin);
    if (r < 0.12) return null;
    return this.now - Math.floor(((r - 0.12) / 0.88) ** 2 * YEAR_MS);
  };
}

/**
 * What the records, tasks and log entries need to know of the accounts they belong to: the
 * seed's Accounts, or the demo's handful of named people (services/demo.ts).
 */
export type SeedPeople = Pick<
  Accounts,
  'ids' | 'count' | 'administrators' | 'domain' | 'groups' | 'first' | 'last' | 'email' | 'group' | 'isSso' | 'mfa'
>;

const USER_COLUMNS = [
  ['id', 'text'],
  ['email', 'text'],
  ['email_normalized', 'text'],
  ['first_name', 'text'],
  ['last_name', 'text'],
  ['first_name_normalized', 'text'],
  ['last_name_normalized', 'text'],
  ['title', 'text'],
  ['telephone', 'text'],
  ['security_group_id', 'text'],
  ['functional_group', 'text'],
  ['status', 'text'],
  ['user_type', 'text'],
  ['sso_provider', 'text'],
  ['password_hash', 'text'],
  ['must_change_password', 'integer'],
  ['mfa_enrolled', 'integer'],
  // Kept by triggers on mfa_factors in the app; the seed writes it with the account (see SQLITE_PRECOMPUTED).
  ['mfa_factor_confirmed', 'integer'],
  ['mfa_required_by_other', 'integer'],
  ['session_timeout_minutes', 'integer'],
  ['date_format', 'text'],
  ['time_format', 'text'],
  ['theme', 'text'],
  ['last_login_at', 'text'],
  ['created_at', 'text'],
  ['updated_at', 'text'],
] as const;

export async function seedAccounts(
  writer: Writer,
  accounts: Accounts,
  passwordHash: string,
  provider: { id: string; name: string },
  secretKey: Buffer,
): Promise<void> {
  const users = await writer.table('users', USER_COLUMNS);
  const mfaFactors: [string, string, number][] = [];
  const ssoIdentities: [string, number][] = [];
  // Written in email order with ascending IDs, so both unique indexes that stay during the load
  // (primary key and email) grow at their right edge (see ascendingUuids).
  const order = emailOrder(accounts);
  const ids = ascendingUuids(accounts.count);
  accounts.ids = new Array<string>(accounts.count);
  order.forEach((i, position) => (accounts.ids[i] = ids[position]!));
  for (const i of order) {
    const id = accounts.ids[i]!;
    const first = accounts.first(i);
    const last = accounts.last(i);
    const email = accounts.email(i);
    const group = accounts.group(i);
    if (group === ADMINISTRATOR_GROUP_ID) accounts.administrators.push(i);
    const sso = accounts.isSso(i);
    const mfa = accounts.mfa(i);
    const created = accounts.createdAt(i);
    const lastLogin = accounts.lastLoginAt(i);
    const updated = Math.max(created, lastLogin ?? created);
    const phone =
      unit(i, S.phone) < 0.3
        ? ''
        : `+${pick(['1', '44', '47', '49', '33', '81', '61'], i, S.phone)} ${String(hash32(i, S.phoneDigits) % 1_000_000_000).padStart(9, '0')}`;
    await users.add([
      id,
      email,
      email,
      first,
      last,
      first.toLowerCase(),
      last.toLowerCase(),
      pick(TITLES, i, S.title),
      phone,
      group,
      pick(FUNCTIONAL_GROUPS, i, S.functional),
      accounts.status(i),
      sso ? 'sso' : 'native',
      sso ? provider.name : null,
      sso ? null : passwordHash,
      0,
      mfa === 'off' ? 0 : 1,
      mfa === 'on' ? 1 : 0,
      mfa === 'pending' ? 1 : 0,
      pick([15, 30, 60, 60, 60], i, S.timeout),
      pick(DATE_FORMATS, i, S.dateFormat),
      unit(i, S.timeFormat) < 0.3 ? '12-hour' : '24-hour',
      pick(['light', 'light', 'dark', 'system'], i, S.theme),
      lastLogin === null ? null : iso(lastLogin),
      iso(created),
      iso(updated),
    ]);
    if (mfa === 'on') mfaFactors.push([id, email, created]);
    if (sso && lastLogin !== null) ssoIdentities.push([id, i]);
  }
  await users.finish();

  // Each account with MFA on has a confirmed factor: a quarter an authenticator app (its secret
  // random, sealed with the instance key as the app seals one), the rest a passkey (a random
  // credential: sealing costs ~40 µs a row, too slow for every one of a million accounts). Nobody
  // can pass either, so none of these accounts can be signed in to.
  const factors = await writer.table('mfa_factors', [
    ['id', 'text'],
    ['user_id', 'text'],
    ['kind', 'text'],
    ['name', 'text'],
    ['secret_encrypted', 'text'],
    ['confirmed_at', 'text'],
    ['created_at', 'text'],
    ['credential_id', 'text'],
    ['public_key', 'text'],
    ['sign_count', 'integer'],
    ['transports', 'text'],
    ['device_type', 'text'],
    ['backed_up', 'integer'],
  ]);
  const factorIds = ascendingUuids(mfaFactors.length);
  for (const [n, [userId, , created]] of mfaFactors.entries()) {
    const id = factorIds[n]!;
    const at = iso(created + DAY_MS);
    if (n % 4 === 0) {
      const secret = encryptSecret(secretKey, generateTotpSecret(), factorAad(id, userId));
      await factors.add([id, userId, 'totp', 'Authenticator app', secret, at, at, null, null, null, null, null, null]);
    } else {
      const random = randomBytes(48).toString('base64url');
      await factors.add([
        id,
        userId,
        'passkey',
        pick(['iPhone', 'YubiKey 5', 'Windows Hello', 'Pixel 8'], n, 501),
        null,
        at,
        at,
        random.slice(0, 22),
        `pQECAyYgASFYI${random.slice(22)}`,
        0,
        '["internal","hybrid"]',
        'multiDevice',
        1,
      ]);
    }
  }
  await factors.finish();

  // SSO accounts that have signed in are known to their provider by a subject.
  const identities = await writer.table('sso_identities', [
    ['provider_id', 'text'],
    ['subject', 'text'],
    ['user_id', 'text'],
    ['email', 'text'],
    ['created_at', 'text'],
    ['last_sign_in_at', 'text'],
  ]);
  for (const [userId, i] of ssoIdentities) {
    const at = iso(accounts.lastLoginAt(i)!);
    await identities.add([provider.id, `seed-${userId}`, userId, accounts.email(i), iso(accounts.createdAt(i)), at]);
  }
  await identities.finish();
}

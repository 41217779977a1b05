/**
 * What happens when an identity provider vouches for someone (OIDC and SAML alike, after the
 * protocol layer has verified the answer): find or create the account, keep its profile and
 * security group in step with the provider, and start a session.
 *
 * Rules:
 * - Identities are keyed by (provider, subject), never by email. An email that matches an existing
 *   account links to it only when the provider says the email is verified AND either an
 *   Administrator pre-created that account as an SSO account of this provider, or the provider
 *   allows linking to native accounts (which turns the account into an SSO account: its local
 *   password, forced password change and MFA factors go, since the provider now signs it in).
 *   Otherwise the sign-in is refused: a provider cannot take over an account by asserting its email.
 * - The security group comes from the provider's group mapping, evaluated at every sign-in; when
 *   several mappings match, the group with the fewest permissions wins (ties: by name), so a
 *   person in many IdP groups never gets more than the least of them grants; no match → the
 *   provider's default group. A change is audited. The last enabled Administrator is never
 *   demoted this way (the platform would have no Administrator left).
 * - Name, title and telephone follow the provider at every sign-in (audited when they change).
 * - A disabled account, or a disabled provider, is refused.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Db } from '../db/connection.js';
import type { Database, UserWithGroup } from '../db/schema.js';
import { isUniqueViolation } from '../db/portable.js';
import { nowIso } from '../clock.js';
import type { NewSession } from '../auth/sessions.js';
import type { SsoErrorCode } from '../../shared/schemas/identity-providers.js';
import { diffFields, recordAudit } from '../services/audit.js';
import type { IdentityProviderRow } from './provider-settings.js';
import { defaultSessionTimeoutMinutes } from '../services/installation-settings.js';
import { recordLoginAttempt, recordSignedIn, type Client } from '../services/login-history.js';
import { findUserById, isLastEnabledAdministrator, newUserRow, normalizeEmail } from '../services/users.js';
import type { SsoProfile } from './profile.js';
import { ssoSignIns } from '../metrics.js';

// What the protocols hand over (defined beside them, in profile.ts); here too for this module's callers.
export type { SsoProfile };

/** This very identity's account was created by a concurrent sign-in while this one read (see firstSignIn). */
class CreatedMeanwhile extends Error {}

/**
 * A refusal: `code` picks the generic message the person sees (SSO_ERROR_MESSAGES), `reason` is
 * the detail for administrators (login history and audit), never shown to the person.
 */
export class SsoSignInError extends Error {
  constructor(
    readonly code: SsoErrorCode,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'SsoSignInError';
  }
}

export const MAX_FIELD = { name: 100, title: 100, telephone: 50, email: 254 } as const;

function clip(value: string | undefined, max: number): string {
  return (value ?? '').trim().slice(0, max);
}

/** The security group a sign-in gets: the matching mapping with the fewest permissions, else the default. */
export async function groupForSignIn(
  db: Kysely<Database>,
  provider: Pick<IdentityProviderRow, 'id' | 'default_group_id'>,
  idpGroups: readonly string[],
): Promise<string> {
  if (idpGroups.length === 0) return provider.default_group_id;
  const candidates = await db
    .selectFrom('identity_provider_group_mappings as m')
    .innerJoin('security_groups as g', 'g.id', 'm.security_group_id')
    .leftJoin('group_permissions as p', 'p.group_id', 'g.id')
    .select(['g.id', 'g.name'])
    .select((eb) => eb.fn.count<number | string>('p.permission').as('permission_count'))
    .where('m.provider_id', '=', provider.id)
    .where('m.idp_group', 'in', [...new Set(idpGroups)].slice(0, 1000))
    .groupBy(['g.id', 'g.name'])
    .execute();
  if (candidates.length === 0) return provider.default_group_id;
  candidates.sort(
    (a, b) => Number(a.permission_count) - Number(b.permission_count) || a.name.localeCompare(b.name, 'en'),
  );
  return candidates[0]!.id;
}

export interface SsoSignedIn {
  user: UserWithGroup;
  session: NewSession;
}

/**
 * Signs in the person the provider vouched for, or throws SsoSignInError. Records the login
 * history and audit entries either way (the caller records nothing).
 */
export async function signInWithSso(
  db: Db,
  provider: IdentityProviderRow,
  profile: SsoProfile,
  client: Client,
): Promise<SsoSignedIn> {
  const email = clip(profile.email, MAX_FIELD.email);
  try {
    if (provider.enabled !== 1) throw new SsoSignInError('provider_disabled', 'sso_provider_disabled');
    if (!profile.subject) throw new SsoSignInError('failed', 'sso_no_subject: the provider sent no subject');
    if (!email.includes('@')) throw new SsoSignInError('failed', 'sso_no_email: the provider sent no email address');
    // Two first sign-ins of one person at once: the loser (of the unique index, or of the race
    // between its reads) tries once more and then finds the identity the winner created.
    for (let attempt = 1; ; attempt++) {
      try {
        return await db
          .transaction()
          .execute((trx) => signInInTransaction(trx, provider, { ...profile, email }, client));
      } catch (error) {
        if (attempt < 2 && (isUniqueViolation(error) || error instanceof CreatedMeanwhile)) continue;
        throw error;
      }
    }
  } catch (error) {
    if (error instanceof SsoSignInError) await recordSsoFailure(db, provider, email, error.reason, client);
    throw error;
  }
}

/** A refused SSO sign-in: in the login history (with the reason) and the audit log. */
export async function recordSsoFailure(
  db: Kysely<Database>,
  provider: Pick<IdentityProviderRow, 'id' | 'name' | 'protocol'> | null,
  email: string,
  reason: string,
  client: Client,
): Promise<void> {
  const user = email
    ? await db
        .selectFrom('users')
        .select(['id', 'email'])
        .where('email_normalized', '=', normalizeEmail(email))
        .executeTakeFirst()
    : undefined;
  const shortReason = reason.slice(0, 500);
  ssoSignIns.inc({ provider: provider?.name ?? 'unknown', result: 'failure' });
  await db.transaction().execute(async (trx) => {
    await recordLoginAttempt(trx, {
      email,
      userId: user?.id ?? null,
      success: false,
      reason: (shortReason.startsWith('sso_') ? shortReason : `sso_${shortReason}`) as `sso_${string}`,
      method: provider ? provider.protocol : 'sso',
      client,
    });
    await recordAudit(trx, {
      actor: null,
      target: user ? { id: user.id, email: user.email } : null,
      action: 'sso.sign_in_failed',
      details: { provider: provider?.name ?? null, email: email || null, reason: shortReason },
      ip: client.ip,
    });
  });
}

async function signInInTransaction(
  trx: Kysely<Database>,
  provider: IdentityProviderRow,
  profile: SsoProfile,
  client: Client,
): Promise<SsoSignedIn> {
  const now = nowIso();
  const identity = await trx
    .selectFrom('sso_identities')
    .selectAll()
    .where('provider_id', '=', provider.id)
    .where('subject', '=', profile.subject)
    .executeTakeFirst();

  let userId: string;
  if (identity) {
    userId = identity.user_id;
  } else {
    userId = await firstSignIn(trx, provider, profile, now, client);
  }

  const user = (await findUserById(trx, userId))!;
  if (user.status !== 'enabled') throw new SsoSignInError('account_disabled', 'sso_account_disabled');

  await syncProfileAndGroup(trx, provider, profile, user, client);
  await trx
    .updateTable('sso_identities')
    .set({ email: profile.email, last_sign_in_at: now })
    .where('provider_id', '=', provider.id)
    .where('subject', '=', profile.subject)
    .execute();
  const { session } = await recordSignedIn(trx, {
    user,
    method: provider.protocol,
    client,
    session: { identityProviderId: provider.id },
    at: now,
  });
  ssoSignIns.inc({ provider: provider.name, result: 'success' });
  // Read again: the provider may just have moved the account to another group.
  const signedIn = (await findUserById(trx, userId))!;
  await recordAudit(trx, {
    // The person signing in is the actor of their own sign-in (as for a sign-in with MFA).
    actor: { user: signedIn, groupName: signedIn.group_name },
    target: { id: userId, email: user.email },
    action: 'sso.signed_in',
    details: { provider: provider.name },
    ip: client.ip,
  });
  return { user: signedIn, session };
}

/** No identity yet: link to an existing account when the rules allow it, else create one. Returns the account ID. */
async function firstSignIn(
  trx: Kysely<Database>,
  provider: IdentityProviderRow,
  profile: SsoProfile,
  now: string,
  client: Client,
): Promise<string> {
  const existing = await trx
    .selectFrom('users')
    .selectAll()
    .where('email_normalized', '=', normalizeEmail(profile.email))
    .executeTakeFirst();

  if (existing) {
    const alreadyLinked = await trx
      .selectFrom('sso_identities')
      .select('subject')
      .where('user_id', '=', existing.id)
      .where('provider_id', '=', provider.id)
      .executeTakeFirst();
    const preProvisioned =
      existing.user_type === 'sso' &&
      existing.sso_provider !== null &&
      existing.sso_provider.toLowerCase() === provider.name_normalized;
    const mayLink =
      !alreadyLinked &&
      profile.emailVerified &&
      (preProvisioned || (existing.user_type === 'native' && provider.allow_email_linking === 1));
    // Each statement reads what is committed when it runs (PostgreSQL, READ COMMITTED): a
    // concurrent first sign-in of this same identity may have committed between the lookup of the
    // identity (not there yet) and of the account (there now). Not a clash: start again.
    if (alreadyLinked?.subject === profile.subject) throw new CreatedMeanwhile();
    if (!mayLink) {
      const why = alreadyLinked
        ? 'the account is linked to another identity of this provider'
        : !profile.emailVerified
          ? 'the provider did not say the email is verified'
          : existing.user_type === 'sso'
            ? 'the account belongs to another identity provider'
            : 'linking to existing accounts is not allowed for this provider';
      throw new SsoSignInError('account_exists', `sso_email_in_use: ${why}`);
    }
    if (existing.user_type === 'native') {
      // From now on the provider signs this account in: nothing may let it use a local password.
      await trx
        .updateTable('users')
        .set({
          user_type: 'sso',
          sso_provider: provider.name,
          password_hash: null,
          must_change_password: 0,
          mfa_enrolled: 0,
          mfa_required_by_other: 0,
          updated_at: now,
        })
        .where('id', '=', existing.id)
        .execute();
      await trx.deleteFrom('mfa_factors').where('user_id', '=', existing.id).execute();
      await trx.deleteFrom('mfa_recovery_codes').where('user_id', '=', existing.id).execute();
      await trx.deleteFrom('sessions').where('user_id', '=', existing.id).execute();
    }
    await addIdentity(trx, provider, profile, existing.id, now);
    await recordAudit(trx, {
      actor: null,
      target: { id: existing.id, email: existing.email },
      action: 'sso.account_linked',
      details: { provider: provider.name, wasNative: existing.user_type === 'native' },
      ip: client.ip,
    });
    return existing.id;
  }

  const groupId = await groupForSignIn(trx, provider, profile.groups);
  const id = await insertSsoAccount(trx, provider, { ...profile, groupId, status: 'enabled' }, now);
  await addIdentity(trx, provider, profile, id, now);
  await recordAudit(trx, {
    actor: null,
    target: { id, email: profile.email },
    action: 'sso.account_created',
    details: { provider: provider.name, securityGroup: groupId, idpGroups: profile.groups.slice(0, 50) },
    ip: client.ip,
  });
  return id;
}

/**
 * Inserts an SSO account of the provider (no local password, so no Password & Security tab): a
 * first sign-in and SCIM provisioning (scim-users.ts) both create accounts here. Returns its ID.
 */
export async function insertSsoAccount(
  trx: Kysely<Database>,
  provider: Pick<IdentityProviderRow, 'name'>,
  account: {
    email: string;
    firstName?: string;
    lastName?: string;
    title?: string;
    telephone?: string;
    groupId: string;
    status: 'enabled' | 'disabled';
  },
  now: string,
): Promise<string> {
  const id = randomUUID();
  const firstName = clip(account.firstName, MAX_FIELD.name) || account.email.split('@')[0]!.slice(0, MAX_FIELD.name);
  const lastName = clip(account.lastName, MAX_FIELD.name);
  await trx
    .insertInto('users')
    .values(
      newUserRow(
        {
          id,
          email: account.email,
          firstName,
          lastName,
          title: clip(account.title, MAX_FIELD.title),
          telephone: clip(account.telephone, MAX_FIELD.telephone),
          securityGroupId: account.groupId,
          functionalGroup: '',
          status: account.status,
          userType: 'sso',
          ssoProvider: provider.name,
          passwordHash: null,
          mustChangePassword: false,
          sessionTimeoutMinutes: await defaultSessionTimeoutMinutes(trx),
        },
        now,
      ),
    )
    .execute();
  return id;
}

/** The provider's (provider, subject) now names this account. */
async function addIdentity(
  trx: Kysely<Database>,
  provider: IdentityProviderRow,
  profile: SsoProfile,
  userId: string,
  now: string,
): Promise<void> {
  await trx
    .insertInto('sso_identities')
    .values({
      provider_id: provider.id,
      subject: profile.subject,
      user_id: userId,
      email: profile.email,
      created_at: now,
      last_sign_in_at: null,
    })
    .execute();
}

/** Name, title, telephone and security group follow the provider; each change is audited. */
async function syncProfileAndGroup(
  trx: Kysely<Database>,
  provider: IdentityProviderRow,
  profile: SsoProfile,
  user: UserWithGroup,
  client: Client,
): Promise<void> {
  const now = nowIso();
  const fromProvider: Partial<Record<'first_name' | 'last_name' | 'title' | 'telephone', string>> = {};
  const firstName = clip(profile.firstName, MAX_FIELD.name);
  const lastName = clip(profile.lastName, MAX_FIELD.name);
  // A claim the provider did not send leaves the field as it is (an IdP that sends no phone
  // number must not wipe one every sign-in); one it sends, even empty for title/phone, wins.
  if (firstName) fromProvider.first_name = firstName;
  if (lastName) fromProvider.last_name = lastName;
  if (profile.title !== undefined) fromProvider.title = clip(profile.title, MAX_FIELD.title);
  if (profile.telephone !== undefined) fromProvider.telephone = clip(profile.telephone, MAX_FIELD.telephone);
  const changes = diffFields(user as unknown as Record<string, unknown>, fromProvider);
  if (Object.keys(changes).length > 0) {
    await trx
      .updateTable('users')
      .set({
        ...fromProvider,
        ...(fromProvider.first_name ? { first_name_normalized: fromProvider.first_name.toLowerCase() } : {}),
        ...(fromProvider.last_name ? { last_name_normalized: fromProvider.last_name.toLowerCase() } : {}),
        sso_provider: provider.name,
        updated_at: now,
      })
      .where('id', '=', user.id)
      .execute();
    await recordAudit(trx, {
      actor: null,
      target: { id: user.id, email: user.email },
      action: 'sso.profile_updated',
      details: { provider: provider.name, ...changes },
      ip: client.ip,
    });
  }

  // The groups the provider's directory put the account in by SCIM count as much as those the
  // sign-in carries (scim-groups.ts): a sign-in without a groups claim must not undo them.
  const scimGroups = await trx
    .selectFrom('scim_group_members as m')
    .innerJoin('scim_groups as g', 'g.id', 'm.group_id')
    .select('g.display_name')
    .where('m.user_id', '=', user.id)
    .where('g.provider_id', '=', provider.id)
    .execute();
  const idpGroups = [...profile.groups, ...scimGroups.map((row) => row.display_name)];
  const groupId = await groupForSignIn(trx, provider, idpGroups);
  if (groupId !== user.security_group_id && (await isLastEnabledAdministrator(trx, user))) {
    // The platform must keep one enabled Administrator: a mapping change at the provider does
    // not get to lock everyone out. The account stays an Administrator; the audit says why.
    await recordAudit(trx, {
      actor: null,
      target: { id: user.id, email: user.email },
      action: 'sso.group_change_refused',
      details: {
        provider: provider.name,
        securityGroup: { from: user.security_group_id, to: groupId },
        reason: 'last_administrator',
      },
      ip: client.ip,
    });
  } else if (groupId !== user.security_group_id) {
    await trx
      .updateTable('users')
      .set({ security_group_id: groupId, updated_at: now })
      .where('id', '=', user.id)
      .execute();
    await recordAudit(trx, {
      actor: null,
      target: { id: user.id, email: user.email },
      action: 'sso.group_changed',
      details: {
        provider: provider.name,
        securityGroup: { from: user.security_group_id, to: groupId },
        idpGroups: idpGroups.slice(0, 50),
      },
      ip: client.ip,
    });
  }
}

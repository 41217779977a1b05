/**
 * An identity provider's SCIM bearer token: generated (and regenerated) and revoked by an
 * Administrator on the provider's page, shown once, stored as a SHA-256 like API tokens
 * (services/account-security.ts). It authenticates /scim/v2 for that provider and nothing else: the
 * API's authenticator looks only at api_tokens and sessions, and the SCIM routes only here.
 */
import type { Kysely } from 'kysely';
import type { Db } from '../db/connection.js';
import type { Database } from '../db/schema.js';
import { isoFromMs, nowIso, nowMs } from '../clock.js';
import { AppError } from '../app-error.js';
import { LAST_SEEN_WRITE_INTERVAL_MS } from '../auth/sessions.js';
import { generateSecret, hashSecret } from '../security/secrets.js';
import { recordAudit } from '../services/audit.js';
import type { ActorContext } from '../request-context.js';
import type { IdentityProviderRow } from './provider-settings.js';

/** A prefix of its own, so secret scanners (and people) tell it from an API token (`lk_`). */
const TOKEN_PREFIX = 'lkscim_';

export interface ScimTokenInfo {
  masked: string;
  createdAt: string;
  lastUsedAt: string | null;
  lastUsedIp: string | null;
}

async function providerOrNotFound(db: Kysely<Database>, providerId: string): Promise<IdentityProviderRow> {
  const row = await db.selectFrom('identity_providers').selectAll().where('id', '=', providerId).executeTakeFirst();
  if (!row) throw new AppError('not_found', 'No identity provider with this ID.');
  return row;
}

export async function scimTokenInfo(db: Kysely<Database>, providerId: string): Promise<ScimTokenInfo | null> {
  const row = await db.selectFrom('scim_tokens').selectAll().where('provider_id', '=', providerId).executeTakeFirst();
  return row
    ? { masked: row.masked, createdAt: row.created_at, lastUsedAt: row.last_used_at, lastUsedIp: row.last_used_ip }
    : null;
}

/** Generates the provider's SCIM token; a previous one stops working in the same transaction. Returned this once. */
export async function generateScimToken(
  db: Db,
  ctx: ActorContext,
  providerId: string,
): Promise<{ token: string; scimToken: ScimTokenInfo }> {
  const token = TOKEN_PREFIX + generateSecret(32);
  const masked = `${token.slice(0, TOKEN_PREFIX.length + 4)}…${token.slice(-4)}`;
  const createdAt = nowIso();
  await db.transaction().execute(async (trx) => {
    const provider = await providerOrNotFound(trx, providerId);
    const replaced = await trx.deleteFrom('scim_tokens').where('provider_id', '=', providerId).executeTakeFirst();
    await trx
      .insertInto('scim_tokens')
      .values({
        provider_id: providerId,
        token_hash: hashSecret(token),
        masked,
        created_at: createdAt,
        created_by: ctx.actor.user.id,
        last_used_at: null,
        last_used_ip: null,
      })
      .execute();
    await recordAudit(trx, {
      actor: ctx.actor,
      action: 'scim_token.generated',
      details: { provider: provider.name, providerId, masked, replacedPrevious: Number(replaced.numDeletedRows) > 0 },
      ip: ctx.ip,
    });
  });
  return { token, scimToken: { masked, createdAt, lastUsedAt: null, lastUsedIp: null } };
}

/** Revokes the provider's SCIM token: refused from the next SCIM request on, on every node. */
export async function revokeScimToken(db: Db, ctx: ActorContext, providerId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const provider = await providerOrNotFound(trx, providerId);
    const token = await trx
      .selectFrom('scim_tokens')
      .select('masked')
      .where('provider_id', '=', providerId)
      .executeTakeFirst();
    if (!token) throw new AppError('not_found', 'This identity provider has no SCIM token.');
    await trx.deleteFrom('scim_tokens').where('provider_id', '=', providerId).execute();
    await recordAudit(trx, {
      actor: ctx.actor,
      action: 'scim_token.revoked',
      details: { provider: provider.name, providerId, masked: token.masked },
      ip: ctx.ip,
    });
  });
}

/**
 * The provider a SCIM token belongs to, or null. Read from the database on every request (SCIM
 * traffic is light), so a revoked or regenerated token is refused at once on every node. "Last
 * used" is written at most once a minute (or when the address changes).
 */
export async function providerForScimToken(db: Db, token: string, ip: string): Promise<IdentityProviderRow | null> {
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  const tokenHash = hashSecret(token);
  const row = await db
    .selectFrom('scim_tokens as t')
    .innerJoin('identity_providers as p', 'p.id', 't.provider_id')
    .selectAll('p')
    .select(['t.last_used_at', 't.last_used_ip'])
    .where('t.token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!row) return null;
  const { last_used_at: lastUsedAt, last_used_ip: lastUsedIp, ...provider } = row;
  const now = nowMs();
  if (!lastUsedAt || lastUsedIp !== ip || now - Date.parse(lastUsedAt) >= LAST_SEEN_WRITE_INTERVAL_MS) {
    await db
      .updateTable('scim_tokens')
      .set({ last_used_at: isoFromMs(now), last_used_ip: ip })
      .where('token_hash', '=', tokenHash)
      .execute();
  }
  return provider;
}

/** How many keys a rate limiter tracks at most: beyond it, the windows that ended (then the oldest) go. */
const MAX_TRACKED_WINDOWS = 10_000;

/**
 * Requests per key per minute, on this node (a fixed one-minute window): a directory syncing
 * thousands of accounts stays well under it; a leaked token cannot hammer the database. The keys
 * are providers (after their token is checked) and client addresses (for tokens that are not
 * valid), so a flood of made-up tokens cannot grow the map or push a real window out of it.
 */
export class ScimRateLimiter {
  /** In the order the windows started (a new window is re-inserted), so the oldest come first. */
  private readonly windows = new Map<string, { startedAt: number; count: number }>();

  constructor(private readonly perMinute: number) {}

  /** Null when the request may go ahead, else the seconds until the window ends (Retry-After). */
  take(key: string, now = nowMs()): number | null {
    if (this.perMinute === 0) return null;
    let window = this.windows.get(key);
    if (!window || now - window.startedAt >= 60_000) {
      this.windows.delete(key);
      if (this.windows.size >= MAX_TRACKED_WINDOWS) this.evict(now);
      window = { startedAt: now, count: 0 };
      this.windows.set(key, window);
    }
    window.count++;
    if (window.count <= this.perMinute) return null;
    return Math.max(1, Math.ceil((window.startedAt + 60_000 - now) / 1000));
  }

  /** Drops the windows that have ended; if all are live, the oldest tenth. */
  private evict(now: number): void {
    for (const [key, window] of this.windows) {
      if (now - window.startedAt < 60_000) break;
      this.windows.delete(key);
    }
    if (this.windows.size < MAX_TRACKED_WINDOWS) return;
    let drop = Math.ceil(MAX_TRACKED_WINDOWS / 10);
    for (const key of this.windows.keys()) {
      if (drop-- === 0) break;
      this.windows.delete(key);
    }
  }

  /** How many keys are tracked (for tests). */
  get size(): number {
    return this.windows.size;
  }
}

/** The provider's Provisioning section: its token (masked), the DELETE setting, the latest SCIM changes. */
export async function scimProvisioning(db: Db, providerId: string) {
  const provider = await providerOrNotFound(db, providerId);
  const events = await db
    .selectFrom('audit_events')
    .select(['id', 'occurred_at', 'action', 'target_email'])
    // Every SCIM entry names its provider (scim-users.ts, scim-groups.ts): one range of an index.
    .where('identity_provider_id', '=', providerId)
    .orderBy('id', 'desc')
    .limit(10)
    .execute();
  return {
    token: await scimTokenInfo(db, providerId),
    deprovision: provider.scim_deprovision,
    events: events.map((event) => ({
      id: Number(event.id),
      occurredAt: event.occurred_at,
      action: event.action,
      targetEmail: event.target_email,
    })),
  };
}

/** What a SCIM DELETE does for this provider's accounts; audited as a change of the provider. */
export async function setScimDeprovision(
  db: Db,
  ctx: ActorContext,
  providerId: string,
  deprovision: 'delete' | 'disable',
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const provider = await providerOrNotFound(trx, providerId);
    if (provider.scim_deprovision === deprovision) return;
    await trx
      .updateTable('identity_providers')
      .set({ scim_deprovision: deprovision, updated_at: nowIso() })
      .where('id', '=', providerId)
      .execute();
    await recordAudit(trx, {
      actor: ctx.actor,
      action: 'identity_provider.updated',
      details: {
        providerId,
        name: provider.name,
        changes: { scimDeprovision: { from: provider.scim_deprovision, to: deprovision } },
      },
      ip: ctx.ip,
    });
  });
}

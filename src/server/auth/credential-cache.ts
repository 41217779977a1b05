import type { Permission } from '../../shared/permissions.js';
import type { UserWithGroup } from '../db/schema.js';

/**
 * What a session ID or API token resolved to when the database was last asked: the account (with
 * its group's name and whether it has a confirmed MFA factor), its group's permissions and the
 * credential's own facts. Kept in this process so that most requests need no database round trip.
 *
 * Being wrong is not allowed, so an entry is only ever used while the change feed
 * (credential-changes.ts) can prove this process has heard of every committed change, and is
 * dropped the moment a change to its account (or to everything: a group, the settings) is heard.
 * Time-based limits (idle timeout, absolute end) are checked on every request from the entry.
 */
export interface CachedCredential {
  user: UserWithGroup;
  permissions: ReadonlySet<Permission>;
  /** Sessions only: an account that must use MFA has no confirmed factor yet. */
  mfaEnrollmentPending: boolean;
  session: {
    expiresAtMs: number;
    /** last_seen_at as stored: the idle timeout counts from it. */
    lastSeenAtMs: number;
    /** The account's Session Timeout capped by the installation's maximum, in ms. */
    idleLimitMs: number;
    identityProvider: { id: string; name: string; signOutUrl: string | null } | null;
  } | null;
  token: { lastUsedAtMs: number | null; lastUsedIp: string | null } | null;
}

/** A database read in progress; what it found is kept only if nothing changed meanwhile. */
export interface Load {
  stale: boolean;
}

/**
 * At most this many credentials are kept (about 1.5 KB each: the account row and the session's
 * facts; permission sets are shared); the least recently stored goes first.
 */
const MAX_ENTRIES = 20_000;

export class CredentialCache {
  readonly #entries = new Map<string, CachedCredential>();
  readonly #keysByAccount = new Map<string, Set<string>>();
  readonly #loads = new Set<Load>();

  get(key: string): CachedCredential | undefined {
    return this.#entries.get(key);
  }

  /**
   * Call before reading a credential from the database. Any change heard before store() marks the
   * load stale, so a read that began before a revocation cannot put the revoked state back.
   */
  beginLoad(): Load {
    const load = { stale: false };
    this.#loads.add(load);
    return load;
  }

  /** Keeps what a load found (unless it went stale). Every load must end here or in abandon(). */
  store(load: Load, key: string, entry: CachedCredential): void {
    this.#loads.delete(load);
    if (load.stale) return;
    this.forget(key);
    // Every request of this credential shares the entry: a handler that changed it would change
    // what the next request sees, so any attempt fails loudly instead.
    Object.freeze(entry.user);
    if (this.#entries.size >= MAX_ENTRIES) this.forget(this.#entries.keys().next().value!);
    this.#entries.set(key, entry);
    let keys = this.#keysByAccount.get(entry.user.id);
    if (!keys) this.#keysByAccount.set(entry.user.id, (keys = new Set()));
    keys.add(key);
  }

  abandon(load: Load): void {
    this.#loads.delete(load);
  }

  /** Drops one credential (this process ended it, or found it expired). */
  forget(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    const keys = this.#keysByAccount.get(entry.user.id);
    keys?.delete(key);
    if (keys?.size === 0) this.#keysByAccount.delete(entry.user.id);
  }

  /** Something about this account changed: drop its credentials and every read in progress. */
  forgetAccount(userId: string): void {
    for (const key of this.#keysByAccount.get(userId) ?? []) this.#entries.delete(key);
    this.#keysByAccount.delete(userId);
    // A read in progress does not yet know whose credential it reads: all of them are stale.
    this.#markLoadsStale();
  }

  /** Something every account depends on changed (a group, the settings), or a change may have been missed. */
  forgetEverything(): void {
    this.#entries.clear();
    this.#keysByAccount.clear();
    this.#markLoadsStale();
  }

  get size(): number {
    return this.#entries.size;
  }

  #markLoadsStale(): void {
    for (const load of this.#loads) load.stale = true;
  }
}

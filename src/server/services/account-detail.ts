import type { Kysely } from 'kysely';
import type { Database, UserWithGroup } from '../db/schema.js';
import type { GroupPermissions } from '../policies/accounts.js';
import { signInLockedUntil } from './login-throttle.js';
import { loadGroupPermissions } from './security-groups.js';

/** What an account's own page shows beyond its row in the list. */
export interface AccountDetail {
  row: UserWithGroup;
  /** The account's group's rights, for what the viewer may do to it (its `can`). */
  groupPermissions: GroupPermissions;
  /** When its sign-in lock ends (null: not locked). */
  signInLockedUntil: string | null;
}

/** Reads what one account's page shows: two more queries, which is why the lists do not. */
export async function loadAccountDetail(db: Kysely<Database>, row: UserWithGroup): Promise<AccountDetail> {
  const [groupPermissions, lockedUntil] = await Promise.all([
    loadGroupPermissions(db, [row.security_group_id]),
    signInLockedUntil(db, row.email),
  ]);
  return { row, groupPermissions, signInLockedUntil: lockedUntil };
}

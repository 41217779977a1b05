/**
 * The Users list and its CSV export: sorts read straight from their indexes, prefix searches,
 * keyset pages and exact-enough totals, on both databases. Single accounts are read and changed in
 * users.ts.
 */
import { sql, type Kysely, type RawBuilder, type SelectQueryBuilder } from 'kysely';
import type { Db } from '../db/connection.js';
import {
  countUpTo,
  inOrderFound,
  keysetPage,
  orderedPast,
  tableRowCount,
  upTo,
  type KeysetPage,
  type KeysetSort,
} from '../db/paging.js';
import { snapshotBatches } from '../db/snapshot-stream.js';
import type { Database, UserTable } from '../db/schema.js';
import { isPostgres, withRandomReadsPricedForSsd } from '../db/portable.js';
import type { Total } from '../../shared/schemas/paging.js';
import {
  SUBSTRING_SEARCH_MIN_LENGTH,
  type ExportUsersQuery,
  type ListUsersQuery,
  type MfaStatus,
  type UserListFilters,
  type UserSortColumn,
} from '../../shared/schemas/users.js';

import { hasMfaFactor } from './users.js';
import type { UserWithGroup } from '../db/schema.js';

/**
 * The list's MFA filter, on users.mfa_status: the database keeps it equal to mfaStatusOf (migration
 * 0014), and an index (mfa_status, email, id) serves it. `viaIndex: false` keeps the term off that
 * index, as for the other filters (see filteredUsers).
 */
function mfaFilter(status: MfaStatus, postgres: boolean, viaIndex: boolean) {
  const column = viaIndex ? sql`u.mfa_status` : postgres ? sql`(u.mfa_status || '')` : sql`+u.mfa_status`;
  return sql<boolean>`${column} = ${status}`;
}

/**
 * What each column of the list sorts by, written exactly as its `(key, id)` index (migrations 0002
 * and 0011) so a page is read straight from that index. Text compares by code point, as SQLite
 * compares it: on PostgreSQL that takes the "C" collation (its default one may order differently).
 * Title and Functional Group, free text typed in any letter case, sort by lower(), which then folds
 * A–Z only, on both databases. "Never signed in" sorts as the oldest Last Login ('').
 * Security Group sorts by the group's name, a column of another table: see groupByGroupRead.
 */
function sortKey(column: UserSortColumn, postgres: boolean): RawBuilder<unknown> {
  const text = (ref: string) => (postgres ? sql`${sql.ref(ref)} collate "C"` : sql`${sql.ref(ref)}`);
  switch (column) {
    case 'email':
      return text('u.email_normalized');
    case 'firstName':
      return text('u.first_name_normalized');
    case 'lastName':
      return text('u.last_name_normalized');
    case 'title':
      return sql`lower(${text('u.title')})`;
    case 'telephone':
      return text('u.telephone');
    case 'securityGroup':
      // Selected for the cursor; the order comes from groupByGroupRead (no index can give it).
      return sql`(select ${text('g.name')} from security_groups as g where g.id = u.security_group_id)`;
    case 'functionalGroup':
      return sql`lower(${text('u.functional_group')})`;
    case 'accountStatus':
      return text('u.status');
    case 'userType':
      return text('u.user_type');
    case 'lastLoginAt':
      return postgres ? sql`coalesce(u.last_login_at, '') collate "C"` : sql`coalesce(u.last_login_at, '')`;
    case 'sessionTimeoutMinutes':
      return sql`u.session_timeout_minutes`;
    case 'createdAt':
      return text('u.created_at');
  }
}

/** The sorts whose key is an expression (lower(), coalesce()) on SQLite: their indexes are expression indexes. */
const EXPRESSION_KEYS: ReadonlySet<UserSortColumn> = new Set(['title', 'functionalGroup', 'lastLoginAt']);

/** A row of the list with the value it was sorted by (the cursor carries it, as the database computed it). */
export type UserListRow = UserWithGroup & { sort_key: string | number };

/**
 * One sort of the list for keysetPage. `viaIndex: false` writes the same key so that no index can
 * serve it (SQLite's unary +, PostgreSQL's `|| ''` / `+ 0`): the planner then reads the few rows a
 * narrow search matched through the search index and sorts them, instead of walking the whole sort
 * index looking for them. The values, and so the cursors, are the same either way.
 */
function userSort(
  db: Kysely<Database>,
  column: UserSortColumn,
  order: 'asc' | 'desc',
  postgres: boolean,
  viaIndex = true,
) {
  const integer = column === 'sessionTimeoutMinutes';
  const key = sortKey(column, postgres);
  const sort: KeysetSort<UserListRow> = {
    name: `${column}:${order}`,
    key: viaIndex ? key : postgres ? (integer ? sql`(${key}) + 0` : sql`(${key}) || ''`) : sql`+(${key})`,
    keyKind: integer ? 'integer' : 'text',
    keyOf: (row) => row.sort_key,
    id: sql.ref('u.id'),
    idKind: 'text',
    idOf: (row) => row.id,
    order,
    // SQLite seeks an expression index by a range on its key only (see paging.ts `beyond`).
    rangeOnKey: !postgres && EXPRESSION_KEYS.has(column),
    ...(column === 'securityGroup' ? { read: groupByGroupRead(db, postgres) } : {}),
  };
  return { sort, key };
}

/**
 * The Security Group sort, read group by group: the groups (a handful) in name order, and in each
 * its accounts from the (security_group_id, id) index, until the page is full. No index holds
 * accounts in their group's name order, and a join would sort every account on each page.
 */
function groupByGroupRead(db: Kysely<Database>, postgres: boolean): KeysetSort<UserListRow>['read'] {
  return async (query, at, order, limit) => {
    const accounts = query as SelectQueryBuilder<Database & { u: UserTable }, 'u', UserListRow>;
    const name = postgres ? sql`name collate "C"` : sql`name`;
    let groups = db.selectFrom('security_groups').select(['id', 'name']);
    if (at) groups = groups.where(sql<boolean>`${name} ${sql.raw(order === 'asc' ? '>=' : '<=')} ${at.key}`);
    const rows: UserListRow[] = [];
    for (const group of await groups.orderBy(name, order).execute()) {
      let inGroup = accounts.where('u.security_group_id', '=', group.id);
      if (at && group.name === at.key) inGroup = inGroup.where('u.id', order === 'asc' ? '>' : '<', String(at.id));
      rows.push(
        ...(await inGroup
          .orderBy('u.id', order)
          .limit(limit - rows.length)
          .execute()),
      );
      if (rows.length >= limit) break;
    }
    return rows;
  };
}

type Accounts = SelectQueryBuilder<Database & { u: UserTable }, 'u', object>;

/**
 * The accounts the list's filters keep (no search), as a FROM and WHERE of `users as u` (or of
 * `from`, a FROM that holds `users as u`: a search's own).
 */
function filteredUsers(db: Kysely<Database>, filters: UserListFilters, viaIndex = true, from?: Accounts): Accounts {
  let matching: Accounts = from ?? db.selectFrom('users as u');
  // SQLite's unary + keeps a term from choosing the index: with many matches, walking the sort's
  // index and checking each row beats reading every match through the filter's index and sorting.
  // (PostgreSQL weighs the two with its statistics.)
  const column = (name: 'security_group_id' | 'status' | 'user_type' | 'must_change_password') =>
    viaIndex ? sql.ref(`u.${name}`) : sql`+u.${sql.raw(name)}`;
  if (filters.securityGroupId)
    matching = matching.where(sql<boolean>`${column('security_group_id')} = ${filters.securityGroupId}`);
  if (filters.accountStatus) matching = matching.where(sql<boolean>`${column('status')} = ${filters.accountStatus}`);
  if (filters.userType) matching = matching.where(sql<boolean>`${column('user_type')} = ${filters.userType}`);
  if (filters.mfa) matching = matching.where(mfaFilter(filters.mfa, isPostgres(db as Kysely<unknown>), viaIndex));
  if (filters.mustChangePassword)
    matching = matching.where(
      sql<boolean>`${column('must_change_password')} = ${filters.mustChangePassword === 'yes' ? 1 : 0}`,
    );
  return matching;
}

/**
 * How a search narrows the list, two ways with the same answer: `indexed` finds the matches
 * through an index (a prefix range, or the trigram index) in the accounts of `source` (its FROM);
 * `scan` checks one row at a time and is for walking a sort's index.
 */
interface SearchMatch {
  /** Matched anywhere in the text through a trigram index (not a prefix through the B-trees). */
  substring: boolean;
  source(db: Kysely<Database>): Accounts;
  indexed(accounts: Accounts): Accounts;
  scan: RawBuilder<boolean>;
}

const usersTable = (db: Kysely<Database>): Accounts => db.selectFrom('users as u');

/** "First last" as the trigram indexes hold it (migration 0011). */
const FULL_NAME = sql`u.first_name_normalized || ' ' || u.last_name_normalized`;
const PREFIX_COLUMNS = ['u.email_normalized', 'u.first_name_normalized', 'u.last_name_normalized'] as const;

/**
 * The search box, case-insensitive (the email and names are stored lower-cased as well). From
 * SUBSTRING_SEARCH_MIN_LENGTH characters on it matches anywhere in the email or in "first last"
 * (FTS5 trigram on SQLite, pg_trgm on PostgreSQL: a trigram index needs three characters); a
 * shorter one matches the start of the email, first name or last name (a range of their indexes).
 */
function searchMatch(search: string, postgres: boolean): SearchMatch | null {
  const text = search.trim().replace(/\s+/g, ' ').toLowerCase();
  if (text === '') return null;
  const length = [...text].length;
  if (length < SUBSTRING_SEARCH_MIN_LENGTH) {
    // Ranges on each column's sort key (its index), [prefix, prefix with its last character + 1).
    const upper = text.slice(0, -1) + String.fromCodePoint(text.codePointAt(text.length - 1)! + 1);
    const key = (column: string) => (postgres ? sql`${sql.ref(column)} collate "C"` : sql`${sql.ref(column)}`);
    const ranges = sql<boolean>`(${sql.join(
      PREFIX_COLUMNS.map((c) => sql`(${key(c)} >= ${text} and ${key(c)} < ${upper})`),
      sql` or `,
    )})`;
    return {
      substring: false,
      source: usersTable,
      indexed: (accounts) => accounts.where(ranges),
      scan: sql<boolean>`(${sql.join(
        PREFIX_COLUMNS.map((c) => sql`substr(${sql.ref(c)}, 1, ${length}) = ${text}`),
        sql` or `,
      )})`,
    };
  }
  const position = postgres ? 'strpos' : 'instr';
  const scan = sql<boolean>`(${sql.raw(position)}(u.email_normalized, ${text}) > 0 or ${sql.raw(position)}(${FULL_NAME}, ${text}) > 0)`;
  if (postgres) {
    const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const like = sql<boolean>`(u.email_normalized like ${pattern} escape '\\' or ${FULL_NAME} like ${pattern} escape '\\')`;
    return { substring: true, source: usersTable, indexed: (accounts) => accounts.where(like), scan };
  }
  // A quoted FTS5 string is one phrase: the trigram tokenizer matches it as a substring. The index
  // folds case more loosely than lower-casing does, so every candidate is checked against the row.
  // Joined from the index to the accounts (not `u.id in (…)`, which collects every match first), so
  // a count or page read stops as soon as it has enough.
  const phrase = `"${text.replace(/"/g, '""')}"`;
  return {
    substring: true,
    // The search tables are SQLite's only, and not in the Database type.
    source: (db) =>
      (db as unknown as Kysely<Record<string, Record<string, unknown>>>)
        .selectFrom('users_search as s')
        .innerJoin('users_search_keys as k', 'k.n', 's.rowid')
        .innerJoin('users as u', 'u.id', 'k.user_id'),
    indexed: (accounts) => accounts.where(sql<boolean>`users_search match ${phrase}`).where(scan),
    scan,
  };
}

/**
 * Up to how many accounts a search or filter counts exactly: also where it changes how a page is read. Up
 * to this many matches, they are read through the search index and sorted (a few milliseconds);
 * beyond, at least 1 account in 200 matches, and walking the sort's index finds a page's rows
 * within a few thousand.
 */
export const SEARCH_TOTAL_LIMIT = 5_000;

export interface UserListPage extends KeysetPage<UserListRow> {
  total: Total;
}

/**
 * One page of the User Accounts list (keyset paging: the same cost on page 1 and page 40,000) and
 * how many accounts match: exact unfiltered (the counter of migration 0016); with a search or
 * filter exact up to SEARCH_TOTAL_LIMIT, else "more than" that.
 */
export async function listUsers(db: Db, query: ListUsersQuery): Promise<UserListPage> {
  const postgres = isPostgres(db as Kysely<unknown>);
  const filtered = filteredUsers(db, query);
  const match = searchMatch(query.search ?? '', postgres);
  const filterCount = [
    query.securityGroupId,
    query.accountStatus,
    query.userType,
    query.mfa,
    query.mustChangePassword,
  ].filter(Boolean).length;
  // No search, and no filter or one in the default order: the page is one range of an index —
  // the sort's own, or the filter's (value, email, id) index (migrations 0011, 0014, 0026) — at any
  // count and depth, so nothing is walked. The total: the table's counter, or the filter's count.
  if (!match && (filterCount === 0 || (filterCount === 1 && query.sort === 'email'))) {
    const { sort, key } = userSort(db, query.sort, query.order, postgres);
    const [total, page] = await Promise.all([
      filterCount === 0 ? tableRowCount(db, 'users') : countUsersUpTo(db, filtered, SEARCH_TOTAL_LIMIT),
      keysetPage(userRows(filtered, key), sort, query),
    ]);
    return { ...page, total };
  }
  // The matches as the search or filter index finds them (counted, and read when few), and as
  // a walk of the sort's index checks them row by row (SQLite's unary + keeps a filter off its
  // index there; PostgreSQL weighs the two with its statistics).
  const indexed = match ? match.indexed(filteredUsers(db, query, true, match.source(db))) : filtered;
  const walked = filteredUsers(db, query, postgres);
  // PostgreSQL's default costs made it count a common substring's matches by reading the table
  // from its start (see withRandomReadsPricedForSsd).
  const total =
    postgres && match?.substring
      ? await withRandomReadsPricedForSsd(db, (trx) => countUsersUpTo(trx, indexed, SEARCH_TOTAL_LIMIT))
      : await countUsersUpTo(db, indexed, SEARCH_TOTAL_LIMIT);
  const viaIndex = userSort(db, query.sort, query.order, postgres);
  const sorted = userSort(db, query.sort, query.order, postgres, false);
  const readMatches = sortedMatchesRead(db, indexed, sorted.sort, sorted.key);
  if (total.exact) {
    // Few: read them all through the search or filter index and sort them.
    const page = await keysetPage(userRows(indexed, sorted.key), { ...sorted.sort, read: readMatches }, query);
    return { ...page, total };
  }
  if (viaIndex.sort.read) {
    // Security Group: read group by group, each group's accounts checked row by row.
    const rows = userRows(match ? walked.where(match.scan) : walked, viaIndex.key);
    return { ...(await keysetPage(rows, viaIndex.sort, query)), total };
  }
  const walk = userRows(match ? walked.where(match.scan) : walked, viaIndex.key);
  const read = walkThenMatches(db, viaIndex.sort, viaIndex.key, readMatches);
  return { ...(await keysetPage(walk, { ...viaIndex.sort, read }, query)), total };
}

/**
 * How many rows of the sort's order a page with many matches may walk, checking each, before it
 * reads the matches through the search or filter index and sorts them instead. Many matches
 * (more than SEARCH_TOTAL_LIMIT of a million: 1 in 200 or more) spread over the order fill a page
 * within a few thousand rows. But matches often cluster in it: "ann" sorted by email matches
 * "maryann.…" and nothing before, "ho" sorted by Last Name only the H's. Walking there read half a
 * million rows (seconds); reading every match and sorting costs one probe per match instead
 * (~50 ms for 20,000), and a walk given up after this many rows costs about a tenth of that.
 * Measured at a million accounts: 5,000 gave up too early on "lo" by email (the Lovelaces of each
 * first name lie a few thousand rows in), 10,000 did not.
 */
const WALK_ROW_LIMIT = 10_000;

/**
 * A keyset reader for a list with many matches (see WALK_ROW_LIMIT): walk `walk` (the matches
 * checked row by row, sorted by the sort's index) up to WALK_ROW_LIMIT rows past the position;
 * when that does not fill the page, read `matches` (through the search or filter index) sorted.
 * Where the walk ends is found first from the sort's index alone (no table row read), so the
 * walk is a bounded range of that index.
 */
function walkThenMatches(
  db: Db,
  sort: KeysetSort<UserListRow>,
  key: RawBuilder<unknown>,
  readMatches: NonNullable<KeysetSort<UserListRow>['read']>,
): KeysetSort<UserListRow>['read'] {
  return async (query, at, order, limit) => {
    const walk = query as SelectQueryBuilder<Database & { u: UserTable }, 'u', UserListRow>;
    const stretch = db.selectFrom('users as u').select([key.as('key'), 'u.id']);
    const end = await orderedPast(stretch, sort, at, order)
      .offset(WALK_ROW_LIMIT - 1)
      .limit(1)
      .executeTakeFirst();
    const walked = await orderedPast(
      end ? walk.where(upTo(sort, end as { key: string; id: string }, order)) : walk,
      sort,
      at,
      order,
    )
      .limit(limit)
      .execute();
    if (walked.length >= limit || !end) return walked;
    return readMatches(null, at, order, limit, {});
  };
}

/**
 * A keyset reader of `matching` (the matches as an index finds them) sorted by `sort`, whose key
 * is kept off its index (the planner then reads the matches and sorts them, rather than walking
 * the sort's index looking for them). Only each match's sort key and ID are sorted; the page's
 * rows are read after, by ID: sorting whole rows, with their group name and MFA factor looked up
 * for every match, cost three times as much (20,000 matches: ~150 ms against ~50).
 */
function sortedMatchesRead(
  db: Db,
  matching: Accounts,
  sort: KeysetSort<UserListRow>,
  key: RawBuilder<unknown>,
): NonNullable<KeysetSort<UserListRow>['read']> {
  return async (_query, at, order, limit) => {
    const found = await orderedPast(matching.select([key.as('sort_key'), 'u.id']), sort, at, order)
      .limit(limit)
      .execute();
    if (found.length === 0) return [];
    const rows = await userRows(
      db.selectFrom('users as u').where(
        'u.id',
        'in',
        found.map((row) => row.id),
      ),
      key,
    ).execute();
    return inOrderFound(found, rows);
  };
}

/**
 * Every account the list's filters and search keep, in the list's sort, batch by batch from one
 * snapshot of the database (the CSV export: see db/snapshot-stream.ts). A search is checked row by
 * row while the sort's index is walked: the export reads every account anyway.
 */
export function exportUserBatches(db: Db, query: ExportUsersQuery): AsyncGenerator<UserListRow[]> {
  const postgres = isPostgres(db as Kysely<unknown>);
  const match = searchMatch(query.search ?? '', postgres);
  const { key } = userSort(db, query.sort, query.order, postgres);
  return snapshotBatches(db, {
    query: (reader) => {
      const filtered = filteredUsers(reader, query);
      return userRows(match ? filtered.where(match.scan) : filtered, key);
    },
    // On the snapshot's connection, so the groups are read from the snapshot too.
    sort: (reader) => userSort(reader, query.sort, query.order, postgres).sort,
  });
}

function countUsersUpTo(
  db: Db,
  matching: SelectQueryBuilder<Database & { u: UserTable }, 'u', object>,
  limit?: number,
) {
  return countUpTo(db as unknown as Kysely<Database & { u: UserTable }>, matching, limit);
}

/**
 * The list's columns for the accounts `matching` keeps: UserListRow. The group's name is looked up
 * per row (one primary-key probe each) rather than joined, so the planner starts from the sort's
 * index instead of from the (small) groups table.
 */
function userRows<O>(matching: SelectQueryBuilder<Database & { u: UserTable }, 'u', O>, key: RawBuilder<unknown>) {
  return matching
    .select((eb) =>
      eb
        .selectFrom('security_groups as g')
        .select('g.name')
        .whereRef('g.id', '=', 'u.security_group_id')
        .as('group_name'),
    )
    .selectAll('u')
    .select((eb) => hasMfaFactor(eb).as('has_mfa_factor'))
    .select(key.as('sort_key')) as unknown as SelectQueryBuilder<Database & { u: UserTable }, 'u', UserListRow>;
}

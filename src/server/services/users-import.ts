/**
 * CSV import of accounts: one analysis for both the preview (which writes nothing) and the import
 * (which runs it again inside its own transaction, so what is written is what was checked, and a
 * single error writes nothing at all). Every row is checked by the rules of New User: the same zod
 * schema, the same group rule (nobody hands out rights they lack), the installation's maximum
 * Session Timeout, and an email unique in any letter case, in the file as in the installation.
 *
 * Native accounts only, and no password comes from a file: an imported account has no password
 * (no password can sign in to it) and "User Must Change Password at Next Login" is on, so the
 * first password, set with Reset Password on its Password & Security tab, is a temporary one its
 * owner must replace at once.
 */
import type { Kysely } from 'kysely';
import type { Db } from '../db/connection.js';
import type { Database } from '../db/schema.js';
import { AppError } from '../app-error.js';
import type { Actor } from '../auth/actor.js';
import { groupAssignDecision } from '../policies/security-groups.js';
import { CreateUserSchema } from '../../shared/schemas/users.js';
import {
  USER_IMPORT_COLUMNS,
  USER_IMPORT_IGNORED_COLUMNS,
  USER_IMPORT_REQUIRED_COLUMNS,
  USER_IMPORT_ROWS_MAX,
  type ImportUsersInput,
  type UserImportColumn,
  type UserImportError,
  type UserImportPreview,
  type UserImportResult,
  type UserImportRow,
} from '../../shared/schemas/users-import.js';
import { sessionTimeoutAboveMaximumMessage } from '../../shared/schemas/settings.js';
import { recordAudit } from './audit.js';
import { importHasErrors, invalidFile, readCsvFile, undoFormulaGuard } from './csv-import.js';
import { defaultSessionTimeoutMinutes, readInstallationSettings } from './installation-settings.js';
import { findGroupWithPermissions } from './security-groups.js';
import { insertAccount, normalizeEmail } from './users.js';
import type { ActorContext } from '../request-context.js';

const COLUMNS_MAX = 30;
const LOOKUP_CHUNK = 500;

/** The label of each column in errors: the first (the import's own) name. */
const COLUMN_LABELS = Object.fromEntries(
  Object.entries(USER_IMPORT_COLUMNS).map(([key, names]) => [key, names[0]]),
) as Record<UserImportColumn, string>;

/** The CreateUserSchema field a column's value goes to, where it has one. */
const SCHEMA_FIELDS: Partial<Record<string, UserImportColumn>> = {
  email: 'email',
  firstName: 'firstName',
  lastName: 'lastName',
  title: 'title',
  telephone: 'telephone',
  functionalGroup: 'functionalGroup',
  sessionTimeoutMinutes: 'sessionTimeoutMinutes',
};

type ColumnIndex = Partial<Record<UserImportColumn, number>>;

/** A row as analysed, with what the write needs. */
interface AnalyzedRow extends UserImportRow {
  securityGroupId: string | null;
}

function readHeader(header: readonly string[]): ColumnIndex {
  const byName = new Map<string, UserImportColumn>();
  for (const [key, names] of Object.entries(USER_IMPORT_COLUMNS) as [UserImportColumn, readonly string[]][])
    for (const name of names) byName.set(name.toLowerCase(), key);
  const ignored = new Set<string>(USER_IMPORT_IGNORED_COLUMNS.map((name) => name.toLowerCase()));
  const columns: ColumnIndex = {};
  header.forEach((raw, index) => {
    const title = raw.trim();
    if (title === '') throw invalidFile(`Column ${index + 1} of the header row has no name.`);
    if (ignored.has(title.toLowerCase())) return;
    const key = byName.get(title.toLowerCase());
    if (!key) {
      if (/^passw(or)?d$/i.test(title.replace(/\s+/g, '')) || /password$/i.test(title))
        throw invalidFile(
          `The file has a "${title}" column: passwords are never imported from a file. Remove the column; ` +
            'an imported account gets its first password with Reset Password.',
        );
      throw invalidFile(
        `Unknown column "${title}". The columns are: ${Object.values(USER_IMPORT_COLUMNS)
          .map((names) => names[0])
          .join(', ')}.`,
      );
    }
    if (columns[key] !== undefined) throw invalidFile(`The header row has the column "${COLUMN_LABELS[key]}" twice.`);
    columns[key] = index;
  });
  const missing = USER_IMPORT_REQUIRED_COLUMNS.filter((key) => columns[key] === undefined);
  if (missing.length > 0)
    throw invalidFile(
      `The header row needs the columns ${USER_IMPORT_REQUIRED_COLUMNS.map((key) => COLUMN_LABELS[key]).join(', ')}` +
        ` (missing: ${missing.map((key) => COLUMN_LABELS[key]).join(', ')}).`,
    );
  return columns;
}

async function takenEmails(trx: Kysely<Database>, emails: readonly string[]): Promise<Set<string>> {
  const taken = new Set<string>();
  for (let i = 0; i < emails.length; i += LOOKUP_CHUNK) {
    const rows = await trx
      .selectFrom('users')
      .select('email_normalized')
      .where('email_normalized', 'in', emails.slice(i, i + LOOKUP_CHUNK))
      .execute();
    for (const row of rows) taken.add(row.email_normalized);
  }
  return taken;
}

/**
 * The groups by name (any letter case) with whether the actor may hand each out. Inside the
 * import's transaction a group a row uses is read again with a share lock (see importUsers).
 */
async function loadGroups(trx: Kysely<Database>, actor: Actor) {
  const groups = await trx.selectFrom('security_groups').select(['id', 'name']).execute();
  const byName = new Map<string, { id: string; name: string }>();
  for (const group of groups) byName.set(group.name.trim().toLowerCase(), group);
  const refusals = new Map<string, string | null>();
  return {
    byName,
    /** Why the actor may not assign this group (null: they may). */
    async refusal(id: string): Promise<string | null> {
      if (!refusals.has(id)) {
        const group = await findGroupWithPermissions(trx, id, 'share');
        const decision = group ? groupAssignDecision(actor, group.permissions) : null;
        refusals.set(
          id,
          !group ? 'This security group no longer exists.' : decision!.allowed ? null : decision!.message,
        );
      }
      return refusals.get(id)!;
    },
  };
}

/** Reads the file and checks every row. Writes nothing. */
async function analyzeImport(trx: Kysely<Database>, ctx: ActorContext, input: ImportUsersInput) {
  const { header, rows: fileRows } = await readCsvFile(input.csv, {
    rowsMax: USER_IMPORT_ROWS_MAX,
    columnsMax: COLUMNS_MAX,
    emptyMessage:
      'The file is empty. It needs a header row with at least Email, First Name, Last Name and Security Group.',
    noun: 'accounts',
  });
  const columns = readHeader(header);
  const groups = await loadGroups(trx, ctx.actor);
  const { max_session_timeout_minutes: maxTimeout } = await readInstallationSettings(trx);
  const defaultTimeout = await defaultSessionTimeoutMinutes(trx);

  const rows: AnalyzedRow[] = [];
  const firstLineOf = new Map<string, number>();
  for (const { line, cells } of fileRows) {
    const cell = (key: UserImportColumn) => {
      const index = columns[key];
      return index === undefined ? '' : undoFormulaGuard(cells[index] ?? '').trim();
    };
    const errors: UserImportError[] = [];
    const error = (key: UserImportColumn | null, message: string) =>
      errors.push({ column: key ? COLUMN_LABELS[key] : null, message });

    const timeoutText = cell('sessionTimeoutMinutes');
    let sessionTimeoutMinutes: number | null = defaultTimeout;
    if (timeoutText !== '') {
      sessionTimeoutMinutes = /^\d{1,6}$/.test(timeoutText) ? Number(timeoutText) : null;
      if (sessionTimeoutMinutes === null)
        error('sessionTimeoutMinutes', 'Session Timeout must be a whole number of minutes.');
    }
    const parsed = CreateUserSchema.safeParse({
      email: cell('email'),
      firstName: cell('firstName'),
      lastName: cell('lastName'),
      title: cell('title'),
      telephone: cell('telephone'),
      functionalGroup: cell('functionalGroup'),
      sessionTimeoutMinutes: sessionTimeoutMinutes ?? defaultTimeout,
      securityGroupId: 'checked below',
      userType: 'native',
    });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const key = SCHEMA_FIELDS[String(issue.path[0])];
        if (key === 'sessionTimeoutMinutes' && sessionTimeoutMinutes === null) continue;
        error(key ?? null, issue.message);
      }
    } else if (sessionTimeoutMinutes !== null && sessionTimeoutMinutes > maxTimeout) {
      error('sessionTimeoutMinutes', sessionTimeoutAboveMaximumMessage(maxTimeout));
    }

    const groupText = cell('securityGroup');
    const group = groups.byName.get(groupText.toLowerCase());
    if (groupText === '') error('securityGroup', 'Security Group is required.');
    else if (!group) error('securityGroup', `Unknown security group "${groupText}".`);
    else {
      const refusal = await groups.refusal(group.id);
      if (refusal) error('securityGroup', refusal);
    }

    const mustChange = cell('mustChangePassword').toLowerCase();
    if (!['', 'yes', 'y', 'true', '1'].includes(mustChange))
      error(
        'mustChangePassword',
        'An imported account has no password yet; its first one (set with Reset Password) must be changed at ' +
          'the next sign-in, so this can only be "yes" (or empty).',
      );
    const userType = cell('userType').toLowerCase();
    if (userType !== '' && userType !== 'native')
      error('userType', 'Only native accounts can be imported; SSO accounts are created by their identity provider.');
    if (cells.length > header.length) error(null, 'This row has more cells than the header row has columns.');

    const email = cell('email');
    if (email !== '') {
      const key = normalizeEmail(email);
      const first = firstLineOf.get(key);
      if (first !== undefined) error('email', `Line ${first} has the same email.`);
      else firstLineOf.set(key, line);
    }
    rows.push({
      line,
      email,
      firstName: cell('firstName'),
      lastName: cell('lastName'),
      title: cell('title'),
      telephone: cell('telephone'),
      securityGroup: group?.name ?? groupText,
      functionalGroup: cell('functionalGroup'),
      sessionTimeoutMinutes,
      mustChangePassword: true,
      errors,
      securityGroupId: group?.id ?? null,
    });
  }

  const taken = await takenEmails(trx, [...firstLineOf.keys()]);
  for (const row of rows) {
    if (row.email !== '' && taken.has(normalizeEmail(row.email)))
      row.errors.push({ column: COLUMN_LABELS.email, message: 'An account with this email already exists.' });
  }
  return rows;
}

function presentRow(row: AnalyzedRow): UserImportRow {
  const { securityGroupId: _, ...shown } = row;
  return shown;
}

function summarize(rows: readonly AnalyzedRow[]): UserImportPreview['summary'] {
  const errors = rows.filter((row) => row.errors.length > 0).length;
  return { create: rows.length - errors, errors };
}

const errorText = (error: UserImportError) => (error.column ? `${error.column}: ${error.message}` : error.message);

/** The preview: every row as it would be created, and every error. Writes nothing. */
export async function previewUserImport(
  db: Db,
  ctx: ActorContext,
  input: ImportUsersInput,
): Promise<UserImportPreview> {
  const rows = await db.transaction().execute((trx) => analyzeImport(trx, ctx, input));
  return { rows: rows.map(presentRow), summary: summarize(rows) };
}

/**
 * Imports the file: every account in one transaction, or (any error) none, with a 422 listing the
 * errors by line. Each account gets the `user.created` entry New User writes, and the import one
 * `users.imported` entry.
 */
export async function importUsers(db: Db, ctx: ActorContext, input: ImportUsersInput): Promise<UserImportResult> {
  return db.transaction().execute(async (trx) => {
    const rows = await analyzeImport(trx, ctx, input);
    const failed = rows.filter((row) => row.errors.length > 0);
    if (failed.length > 0)
      throw importHasErrors(failed.map((row) => ({ line: row.line, errors: row.errors.map(errorText) })));
    if (rows.length === 0) throw invalidFile('The file has a header row but no accounts.');

    const users: UserImportResult['users'] = [];
    for (const row of rows) {
      try {
        const id = await insertAccount(
          trx,
          ctx,
          {
            email: row.email,
            firstName: row.firstName,
            lastName: row.lastName,
            title: row.title,
            telephone: row.telephone,
            userType: 'native',
            securityGroupId: row.securityGroupId!,
            sessionTimeoutMinutes: row.sessionTimeoutMinutes!,
            functionalGroup: row.functionalGroup,
          },
          // No password: nothing signs in to the account until one is set for it (Reset Password).
          {
            passwordHash: null,
            mustChangePassword: true,
            auditAction: 'user.created',
            auditDetails: { mustChangePassword: true, source: 'csv_import' },
          },
        );
        users.push({ id, email: row.email });
      } catch (error) {
        // Someone created this email since the check above (a concurrent import or New User).
        if (error instanceof AppError && error.code === 'email_taken')
          throw new AppError(
            'email_taken',
            `Line ${row.line}: an account with the email ${row.email} already exists, so nothing was imported.`,
            {
              [`line ${row.line}`]: 'Email: An account with this email already exists.',
            },
          );
        throw error;
      }
    }
    await recordAudit(trx, {
      actor: ctx.actor,
      action: 'users.imported',
      details: { created: users.length },
      ip: ctx.ip,
    });
    return { created: users.length, users };
  });
}

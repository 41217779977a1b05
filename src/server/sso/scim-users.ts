/**
 * SCIM 2.0 Users (RFC 7643 §4.1, RFC 7644 §3) mapped onto Latchkey accounts, for one identity
 * provider (the owner of the SCIM token):
 *
 * - The provider sees and changes only its own accounts: SSO accounts "managed by" it (created by
 *   its SCIM or its first sign-ins). Accounts it creates are SSO accounts of the provider (no local
 *   password), in its default security group, and link to the person's identity at their first
 *   sign-in (sign-in.ts, "pre-provisioned").
 * - userName is the account's email (its sign-in name), unique in any letter case: a clash, also
 *   between two concurrent creates, is 409 uniqueness. `emails` is answered as that one address;
 *   Latchkey keeps no other, so changes to `emails` are accepted and ignored.
 * - active:false is the Account Status control: the account is disabled and its sessions and API
 *   token end in the same transaction (services/account-security.ts revokeCredentialsOfDisabled),
 *   refused from the next request on every node; active:true brings back neither.
 * - The last enabled Administrator is never disabled or deleted by provisioning.
 * - Every change is one transaction with its audit entry, naming the provider.
 */
import { createHash } from 'node:crypto';
import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Db } from '../db/connection.js';
import type { Database, UserTable } from '../db/schema.js';
import { isPostgres, isUniqueViolation } from '../db/portable.js';
import { nowIso } from '../clock.js';
import { endAllSessions } from '../auth/sessions.js';
import { diffFields, recordAudit, type AuditAction } from '../services/audit.js';
import { revokeCredentialsOfDisabled } from '../services/account-security.js';
import { isLastEnabledAdministrator, normalizeEmail } from '../services/users.js';
import type { IdentityProviderRow } from './provider-settings.js';
import { groupForSignIn, insertSsoAccount, MAX_FIELD } from './sign-in.js';
import { invalidSyntax, invalidValue, ScimError } from './scim-errors.js';
import {
  CORE_USER_SCHEMA,
  ENTERPRISE_USER_SCHEMA,
  getCaseInsensitive,
  matchesFilter,
  parseAttrPath,
  parsePatchPath,
  ScimFilterError,
  type AttrPath,
  type CompValue,
  type Filter,
} from './scim-filter.js';
import { SCIM_PATCH_SCHEMA, SCIM_USER_SCHEMA } from './scim-schema.js';
import { scimFilterCondition, scimListResponse, scimPage, type ScimListQuery } from './scim-list.js';

export interface ScimContext {
  provider: IdentityProviderRow;
  ip: string;
  /** https://latchkey.example/scim/v2 */
  baseUrl: string;
}

/** What SCIM can set on an account. */
interface AccountFields {
  email: string;
  firstName: string;
  lastName: string;
  title: string;
  telephone: string;
  active: boolean;
  externalId: string | null;
}

const MAX_EXTERNAL_ID = 255;

/** The account row SCIM reads: the users row and the directory's ID for it. */
type ScimAccountRow = Pick<
  UserTable,
  | 'id'
  | 'email'
  | 'first_name'
  | 'last_name'
  | 'title'
  | 'telephone'
  | 'status'
  | 'security_group_id'
  | 'created_at'
  | 'updated_at'
> & { external_id: string | null };

export type ScimUserResource = Record<string, unknown> & { id: string; meta: { version: string; location: string } };

/** The provider's accounts: SSO accounts it manages (its SCIM's and its sign-ins'). */
function accountsOf(db: Kysely<Database>, provider: IdentityProviderRow) {
  return db
    .selectFrom('users as u')
    .leftJoin('scim_users as s', 's.user_id', 'u.id')
    .where('u.user_type', '=', 'sso')
    .where('u.sso_provider', '=', provider.name);
}

const ACCOUNT_COLUMNS = [
  'u.id',
  'u.email',
  'u.first_name',
  'u.last_name',
  'u.title',
  'u.telephone',
  'u.status',
  'u.security_group_id',
  'u.created_at',
  'u.updated_at',
  's.external_id',
] as const;

async function findAccount(
  db: Kysely<Database>,
  provider: IdentityProviderRow,
  id: string,
  forUpdate = false,
): Promise<ScimAccountRow | undefined> {
  let query = accountsOf(db, provider).select(ACCOUNT_COLUMNS).where('u.id', '=', id);
  if (forUpdate && isPostgres(db as Kysely<unknown>)) query = query.forUpdate('u');
  return query.executeTakeFirst();
}

async function accountOrNotFound(
  db: Kysely<Database>,
  provider: IdentityProviderRow,
  id: string,
  forUpdate = false,
): Promise<ScimAccountRow> {
  const row = await findAccount(db, provider, id, forUpdate);
  if (!row) throw new ScimError(404, null, `No user with ID "${id}" for this identity provider.`);
  return row;
}

/** A weak ETag of what the resource says (any change of the account changes it). */
export function versionOf(resource: Record<string, unknown>): string {
  return `W/"${createHash('sha256').update(JSON.stringify(resource)).digest('hex').slice(0, 20)}"`;
}

export function toResource(row: ScimAccountRow, baseUrl: string): ScimUserResource {
  const displayName = `${row.first_name} ${row.last_name}`.trim();
  const body: Record<string, unknown> = {
    schemas: [SCIM_USER_SCHEMA],
    id: row.id,
    ...(row.external_id !== null ? { externalId: row.external_id } : {}),
    userName: row.email,
    name: { givenName: row.first_name, familyName: row.last_name, formatted: displayName },
    displayName,
    ...(row.title ? { title: row.title } : {}),
    active: row.status === 'enabled',
    emails: [{ value: row.email, type: 'work', primary: true }],
    ...(row.telephone ? { phoneNumbers: [{ value: row.telephone, type: 'work', primary: true }] } : {}),
  };
  const meta = {
    resourceType: 'User',
    created: row.created_at,
    lastModified: row.updated_at,
    location: `${baseUrl}/Users/${row.id}`,
  };
  return { ...body, id: row.id, meta: { ...meta, version: versionOf({ ...body, meta }) } };
}

function fieldsOf(row: ScimAccountRow): AccountFields {
  return {
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    title: row.title,
    telephone: row.telephone,
    active: row.status === 'enabled',
    externalId: row.external_id,
  };
}

// ---------------------------------------------------------------------------------------------
// Values as clients send them

export function asString(value: unknown, what: string, max: number, options: { nullable?: boolean } = {}): string {
  if (value === null && options.nullable) return '';
  if (typeof value !== 'string') throw invalidValue(`${what} must be a string.`);
  const trimmed = value.trim();
  if (trimmed.length > max) throw invalidValue(`${what} may be at most ${max} characters long.`);
  return trimmed;
}

/** A boolean, or Entra ID's "True" / "False" strings. */
function asBoolean(value: unknown, what: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
  throw invalidValue(`${what} must be true or false.`);
}

function asEmail(value: unknown): string {
  const email = asString(value, 'userName', MAX_FIELD.email);
  // One "@" with something on each side, no spaces: the sign-in name of an SSO account.
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw invalidValue('userName must be an email address.');
  return email;
}

export function asExternalId(value: unknown): string | null {
  if (value === null) return null;
  const id = asString(value, 'externalId', MAX_EXTERNAL_ID);
  return id === '' ? null : id;
}

export function asObject(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw invalidValue(`${what} must be an object.`);
  return value as Record<string, unknown>;
}

/** The one value Latchkey keeps of a multi-valued attribute: the primary, else the work one, else the first. */
function pickValue(value: unknown, what: string): Record<string, unknown> | null {
  if (value === null) return null;
  if (!Array.isArray(value)) throw invalidValue(`${what} must be an array.`);
  const items = value.map((item) => asObject(item, `Each of ${what}`));
  return (
    items.find((item) => getCaseInsensitive(item, 'primary') === true) ??
    items.find((item) => {
      const type = getCaseInsensitive(item, 'type');
      return typeof type === 'string' && type.toLowerCase() === 'work';
    }) ??
    items[0] ??
    null
  );
}

function telephoneOf(item: Record<string, unknown> | null): string {
  if (!item) return '';
  return asString(getCaseInsensitive(item, 'value') ?? '', 'phoneNumbers.value', MAX_FIELD.telephone, {
    nullable: true,
  });
}

/** Attributes of the core User schema that Latchkey does not keep: accepted, and ignored. */
const IGNORED_ATTRIBUTES = new Set([
  'emails',
  'displayname',
  'nickname',
  'profileurl',
  'usertype',
  'preferredlanguage',
  'locale',
  'timezone',
  'password',
  'addresses',
  'photos',
  'ims',
  'entitlements',
  'roles',
  'x509certificates',
]);
const READ_ONLY_ATTRIBUTES = new Set(['id', 'meta', 'groups']);

/** The full resource of a POST or PUT, as account fields (read-only attributes ignored, RFC 7644 §3.5.1). */
function fieldsFromResource(body: unknown, before: AccountFields | null): AccountFields {
  const resource = asObject(body, 'The request body');
  const schemas = getCaseInsensitive(resource, 'schemas');
  if (
    schemas !== undefined &&
    (!Array.isArray(schemas) || !schemas.some((schema) => String(schema).toLowerCase() === CORE_USER_SCHEMA))
  ) {
    throw invalidSyntax(`"schemas" must include "${SCIM_USER_SCHEMA}".`);
  }
  const userName = getCaseInsensitive(resource, 'userName');
  if (userName === undefined || userName === null || userName === '') throw invalidValue('userName is required.');
  const name = getCaseInsensitive(resource, 'name');
  const nameObject = name === undefined || name === null ? {} : asObject(name, 'name');
  const given = getCaseInsensitive(nameObject, 'givenName');
  const family = getCaseInsensitive(nameObject, 'familyName');
  const title = getCaseInsensitive(resource, 'title');
  const phones = getCaseInsensitive(resource, 'phoneNumbers');
  const active = getCaseInsensitive(resource, 'active');
  const externalId = getCaseInsensitive(resource, 'externalId');
  return {
    email: asEmail(userName),
    firstName: given === undefined || given === null ? '' : asString(given, 'name.givenName', MAX_FIELD.name),
    lastName: family === undefined || family === null ? '' : asString(family, 'name.familyName', MAX_FIELD.name),
    title: title === undefined || title === null ? '' : asString(title, 'title', MAX_FIELD.title),
    telephone: phones === undefined ? '' : telephoneOf(pickValue(phones, 'phoneNumbers')),
    // PUT replaces: left out means the default (active), not "as before".
    active: active === undefined || active === null ? true : asBoolean(active, 'active'),
    externalId: externalId === undefined ? (before?.externalId ?? null) : asExternalId(externalId),
  };
}

// ---------------------------------------------------------------------------------------------
// PATCH (RFC 7644 §3.5.2)

type PatchOp = 'add' | 'replace' | 'remove';

function noTarget(detail: string): ScimError {
  return new ScimError(400, 'noTarget', detail);
}

/** The one phone number as a value of phoneNumbers (for a value filter), present or not. */
function phoneElement(fields: AccountFields) {
  return { value: fields.telephone, type: 'work', primary: true };
}

/** One operation on one attribute path, applied to `fields` in place. */
function applyToPath(
  fields: AccountFields,
  op: PatchOp,
  path: AttrPath,
  valueFilter: Filter | null,
  value: unknown,
): void {
  if (path.schema === ENTERPRISE_USER_SCHEMA) return; // the enterprise extension: not kept
  if (path.schema !== null && path.schema !== CORE_USER_SCHEMA) {
    throw new ScimError(400, 'invalidPath', `The schema "${path.schema}" is not supported.`);
  }
  const attribute = path.attribute.toLowerCase();
  const sub = path.subAttribute?.toLowerCase() ?? null;
  const removing = op === 'remove';
  if (READ_ONLY_ATTRIBUTES.has(attribute)) {
    throw new ScimError(400, 'mutability', `"${path.attribute}" is read-only.`);
  }
  if (valueFilter && attribute !== 'phonenumbers' && attribute !== 'emails') {
    throw new ScimError(400, 'invalidPath', `"${path.attribute}" is not multi-valued.`);
  }
  switch (attribute) {
    case 'username':
      if (sub) break;
      if (removing) throw invalidValue('userName is required and cannot be removed.');
      fields.email = asEmail(value);
      return;
    case 'externalid':
      if (sub) break;
      fields.externalId = removing ? null : asExternalId(value);
      return;
    case 'active':
      if (sub) break;
      if (removing) throw invalidValue('active cannot be removed.');
      fields.active = asBoolean(value, 'active');
      return;
    case 'title':
      if (sub) break;
      fields.title = removing || value === null ? '' : asString(value, 'title', MAX_FIELD.title);
      return;
    case 'name': {
      const set = (part: 'givenname' | 'familyname', input: unknown) => {
        const text = removing || input === null ? '' : asString(input, `name.${part}`, MAX_FIELD.name);
        if (part === 'givenname') fields.firstName = text;
        else fields.lastName = text;
      };
      if (sub === 'givenname' || sub === 'familyname') return set(sub, value);
      if (sub) return; // formatted, middleName, honorific…: not kept
      if (removing) {
        fields.firstName = '';
        fields.lastName = '';
        return;
      }
      // A complex value: the sub-attributes sent replace those; the others stay (§3.5.2.3).
      const object = asObject(value, 'name');
      for (const part of ['givenName', 'familyName'] as const) {
        const input = getCaseInsensitive(object, part);
        if (input !== undefined) set(part.toLowerCase() as 'givenname' | 'familyname', input);
      }
      return;
    }
    case 'phonenumbers': {
      if (valueFilter && !matchesFilter(valueFilter, phoneElement(fields))) {
        // Another type of number (mobile, home): Latchkey keeps only one, the work one.
        return;
      }
      if (removing) {
        if (!sub || sub === 'value') fields.telephone = '';
        return;
      }
      if (sub === 'value') {
        fields.telephone = asString(value ?? '', 'phoneNumbers.value', MAX_FIELD.telephone, { nullable: true });
      } else if (sub) {
        return; // type, primary, display: fixed
      } else if (valueFilter) {
        fields.telephone = telephoneOf(asObject(value, 'phoneNumbers value'));
      } else {
        fields.telephone = telephoneOf(pickValue(Array.isArray(value) ? value : [value], 'phoneNumbers'));
      }
      return;
    }
    default:
      if (IGNORED_ATTRIBUTES.has(attribute)) return;
      throw new ScimError(400, 'invalidPath', `Unknown attribute "${path.attribute}".`);
  }
  throw new ScimError(400, 'invalidPath', `"${path.attribute}" has no sub-attribute "${path.subAttribute}".`);
}

export function parsePath(text: string) {
  try {
    return parsePatchPath(text);
  } catch (error) {
    if (error instanceof ScimFilterError) throw new ScimError(400, 'invalidPath', error.message);
    throw error;
  }
}

/** A no-path add/replace: each key of the value object is a path (Okta: {"active": false}). */
function applyObject(fields: AccountFields, op: PatchOp, value: unknown, id: string): void {
  const object = asObject(value, 'The value of an operation without a path');
  for (const [key, item] of Object.entries(object)) {
    const lower = key.toLowerCase();
    if (lower === CORE_USER_SCHEMA) {
      applyObject(fields, op, item, id);
    } else if (lower === ENTERPRISE_USER_SCHEMA || lower === 'schemas') {
      continue;
    } else if (lower === 'id' && item === id) {
      continue;
    } else {
      const { path, valueFilter } = parsePath(key);
      applyToPath(fields, op, path, valueFilter, item);
    }
  }
}

/** Applies a PatchOp request to the account's fields; all or nothing (the caller writes only the result). */
export function applyPatch(before: AccountFields, body: unknown, id: string): AccountFields {
  const request = asObject(body, 'The request body');
  const schemas = getCaseInsensitive(request, 'schemas');
  if (
    !Array.isArray(schemas) ||
    !schemas.some((schema) => String(schema).toLowerCase() === SCIM_PATCH_SCHEMA.toLowerCase())
  ) {
    throw invalidSyntax(`A PATCH request's "schemas" must be ["${SCIM_PATCH_SCHEMA}"].`);
  }
  const operations = getCaseInsensitive(request, 'Operations');
  if (!Array.isArray(operations) || operations.length === 0)
    throw invalidSyntax('"Operations" must be a non-empty array.');
  if (operations.length > 100) throw invalidSyntax('At most 100 operations per request.');
  const fields = { ...before };
  for (const raw of operations) {
    const operation = asObject(raw, 'Each operation');
    const opName = getCaseInsensitive(operation, 'op');
    // Entra ID capitalises its operations ("Replace").
    const op = typeof opName === 'string' ? opName.toLowerCase() : '';
    if (op !== 'add' && op !== 'replace' && op !== 'remove') {
      throw invalidSyntax(`"op" must be "add", "replace" or "remove"; got ${JSON.stringify(opName ?? null)}.`);
    }
    const pathText = getCaseInsensitive(operation, 'path');
    const value = getCaseInsensitive(operation, 'value');
    if (pathText === undefined || pathText === null || pathText === '') {
      if (op === 'remove') throw noTarget('A "remove" operation needs a "path".');
      applyObject(fields, op, value, id);
      continue;
    }
    if (typeof pathText !== 'string') throw new ScimError(400, 'invalidPath', '"path" must be a string.');
    if (op !== 'remove' && value === undefined) throw invalidValue(`The "${op}" of "${pathText}" has no "value".`);
    const { path, valueFilter } = parsePath(pathText);
    applyToPath(fields, op, path, valueFilter, value);
  }
  return fields;
}

// ---------------------------------------------------------------------------------------------
// Reads

export async function getScimUser(db: Db, ctx: ScimContext, id: string): Promise<ScimUserResource> {
  return toResource(await accountOrNotFound(db, ctx.provider, id), ctx.baseUrl);
}

/** GET /Users: filtered, in a stable order (creation, then ID), paged by startIndex (1-based) and count. */
export async function listScimUsers(db: Db, ctx: ScimContext, query: ScimListQuery) {
  const { startIndex, count } = scimPage(query);
  const where = scimFilterCondition(query.filter, (filter) => filterToSql(filter, null));
  const base = () => {
    const scoped = accountsOf(db, ctx.provider);
    return where ? scoped.where(where) : scoped;
  };
  const total = Number(
    (
      await base()
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
  const rows =
    count === 0
      ? []
      : await base()
          .select(ACCOUNT_COLUMNS)
          .orderBy('u.created_at')
          .orderBy('u.id')
          .limit(count)
          .offset(startIndex - 1)
          .execute();
  return scimListResponse(
    total,
    startIndex,
    rows.map((row) => toResource(row, ctx.baseUrl)),
  );
}

// ---------------------------------------------------------------------------------------------
// Filters → SQL

export type Column = { sql: RawBuilder<string>; caseExact: boolean; nullable: boolean };

const TRUE = sql<SqlBool>`1 = 1`;
const FALSE = sql<SqlBool>`1 = 0`;

/** Escapes LIKE's wildcards; the pattern is then matched with ESCAPE '\'. */
export function likeEscape(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function unsupported(path: AttrPath): ScimError {
  const name = path.subAttribute ? `${path.attribute}.${path.subAttribute}` : path.attribute;
  return new ScimError(400, 'invalidFilter', `Filtering on "${name}" is not supported.`);
}

const LOWER_EMAIL: Column = { sql: sql<string>`u.email_normalized`, caseExact: false, nullable: false };
const PHONE: Column = { sql: sql<string>`u.telephone`, caseExact: false, nullable: false };

/**
 * The SQL of an attribute of the account, or of a value of `emails` / `phoneNumbers` inside a value
 * filter (`within`). Constants (type "work", primary true) come back as plain values.
 */
function columnOf(path: AttrPath, within: 'emails' | 'phonenumbers' | null): Column | { constant: CompValue } {
  if (path.schema !== null && path.schema !== CORE_USER_SCHEMA) throw unsupported(path);
  const attribute = path.attribute.toLowerCase();
  const sub = path.subAttribute?.toLowerCase() ?? null;
  if (within) {
    if (sub) throw unsupported(path);
    if (attribute === 'value') return within === 'emails' ? LOWER_EMAIL : PHONE;
    if (attribute === 'type') return { constant: 'work' };
    if (attribute === 'primary') return { constant: true };
    throw unsupported(path);
  }
  const name = sub ? `${attribute}.${sub}` : attribute;
  switch (name) {
    case 'id':
      return { sql: sql<string>`u.id`, caseExact: true, nullable: false };
    case 'username':
    case 'emails':
    case 'emails.value':
      return LOWER_EMAIL;
    case 'externalid':
      return { sql: sql<string>`s.external_id`, caseExact: true, nullable: true };
    case 'name.givenname':
      return { sql: sql<string>`u.first_name_normalized`, caseExact: false, nullable: false };
    case 'name.familyname':
      return { sql: sql<string>`u.last_name_normalized`, caseExact: false, nullable: false };
    case 'displayname':
    case 'name.formatted':
      return { sql: sql<string>`lower(trim(u.first_name || ' ' || u.last_name))`, caseExact: false, nullable: false };
    case 'title':
      return { sql: sql<string>`lower(u.title)`, caseExact: false, nullable: false };
    case 'phonenumbers':
    case 'phonenumbers.value':
      return PHONE;
    case 'emails.type':
    case 'phonenumbers.type':
      return { constant: 'work' };
    case 'meta.created':
      return { sql: sql<string>`u.created_at`, caseExact: true, nullable: false };
    case 'meta.lastmodified':
      return { sql: sql<string>`u.updated_at`, caseExact: true, nullable: false };
    default:
      throw unsupported(path);
  }
}

function compareSql(column: Column, op: string, raw: CompValue, path: AttrPath): RawBuilder<SqlBool> {
  const col = column.sql;
  const isEmpty = column.nullable ? sql<SqlBool>`(${col} is null or ${col} = '')` : sql<SqlBool>`${col} = ''`;
  if (raw === null) {
    if (op === 'eq') return isEmpty;
    if (op === 'ne') return sql<SqlBool>`not ${isEmpty}`;
    throw new ScimError(400, 'invalidFilter', `"${op}" cannot compare with null.`);
  }
  if (typeof raw !== 'string')
    throw new ScimError(400, 'invalidFilter', `"${path.attribute}" is compared with a string.`);
  const value = column.caseExact ? raw : raw.toLowerCase();
  const like = (pattern: string) => sql<SqlBool>`${col} like ${pattern} escape ${'\\'}`;
  switch (op) {
    case 'eq':
      return sql<SqlBool>`${col} = ${value}`;
    case 'ne':
      return column.nullable ? sql<SqlBool>`(${col} is null or ${col} <> ${value})` : sql<SqlBool>`${col} <> ${value}`;
    case 'co':
      return like(`%${likeEscape(value)}%`);
    case 'sw':
      return like(`${likeEscape(value)}%`);
    case 'ew':
      return like(`%${likeEscape(value)}`);
    case 'gt':
      return sql<SqlBool>`${col} > ${value}`;
    case 'ge':
      return sql<SqlBool>`${col} >= ${value}`;
    case 'lt':
      return sql<SqlBool>`${col} < ${value}`;
    case 'le':
      return sql<SqlBool>`${col} <= ${value}`;
    default:
      throw new ScimError(400, 'invalidFilter', `Unknown operator "${op}".`);
  }
}

/** Columns of a SCIM resource other than a User (a Group), by attribute path; see scim-groups.ts. */
export type ColumnResolver = (path: AttrPath) => Column;

export function filterToSql(
  filter: Filter,
  within: 'emails' | 'phonenumbers' | null,
  other?: ColumnResolver,
): RawBuilder<SqlBool> {
  if (other) return otherFilterToSql(filter, other);
  switch (filter.kind) {
    case 'and':
      return sql<SqlBool>`(${filterToSql(filter.left, within)} and ${filterToSql(filter.right, within)})`;
    case 'or':
      return sql<SqlBool>`(${filterToSql(filter.left, within)} or ${filterToSql(filter.right, within)})`;
    case 'not':
      return sql<SqlBool>`(not ${filterToSql(filter.filter, within)})`;
    case 'valuePath': {
      const attribute = filter.path.attribute.toLowerCase();
      if (within || (attribute !== 'emails' && attribute !== 'phonenumbers') || filter.path.subAttribute)
        throw unsupported(filter.path);
      if (filter.path.schema !== null && filter.path.schema !== CORE_USER_SCHEMA) throw unsupported(filter.path);
      const inner = filterToSql(filter.filter, attribute);
      // A phone number exists only when one is set; the email always.
      return attribute === 'phonenumbers' ? sql<SqlBool>`(u.telephone <> '' and ${inner})` : inner;
    }
    case 'present': {
      if (filter.path.attribute.toLowerCase() === 'active' && !filter.path.subAttribute && !within) return TRUE;
      const column = columnOf(filter.path, within);
      if ('constant' in column) return within === 'phonenumbers' ? sql<SqlBool>`u.telephone <> ''` : TRUE;
      return column.nullable
        ? sql<SqlBool>`(${column.sql} is not null and ${column.sql} <> '')`
        : sql<SqlBool>`${column.sql} <> ''`;
    }
    case 'compare': {
      if (filter.path.attribute.toLowerCase() === 'active' && !filter.path.subAttribute && !within) {
        if (typeof filter.value !== 'boolean' || (filter.op !== 'eq' && filter.op !== 'ne'))
          throw new ScimError(400, 'invalidFilter', '"active" is compared with eq or ne and true or false.');
        const enabled = (filter.op === 'eq') === filter.value;
        return sql<SqlBool>`u.status = ${enabled ? 'enabled' : 'disabled'}`;
      }
      const column = columnOf(filter.path, within);
      if ('constant' in column) {
        return matchesFilter(
          { ...filter, path: { schema: null, attribute: 'x', subAttribute: null } },
          { x: column.constant },
        )
          ? TRUE
          : FALSE;
      }
      return compareSql(column, filter.op, filter.value, filter.path);
    }
  }
}

function otherFilterToSql(filter: Filter, resolve: ColumnResolver): RawBuilder<SqlBool> {
  switch (filter.kind) {
    case 'and':
      return sql<SqlBool>`(${otherFilterToSql(filter.left, resolve)} and ${otherFilterToSql(filter.right, resolve)})`;
    case 'or':
      return sql<SqlBool>`(${otherFilterToSql(filter.left, resolve)} or ${otherFilterToSql(filter.right, resolve)})`;
    case 'not':
      return sql<SqlBool>`(not ${otherFilterToSql(filter.filter, resolve)})`;
    case 'valuePath':
      throw unsupported(filter.path);
    case 'present': {
      const column = resolve(filter.path);
      return column.nullable
        ? sql<SqlBool>`(${column.sql} is not null and ${column.sql} <> '')`
        : sql<SqlBool>`${column.sql} <> ''`;
    }
    case 'compare':
      return compareSql(resolve(filter.path), filter.op, filter.value, filter.path);
  }
}

export { unsupported as unsupportedFilterAttribute };

// ---------------------------------------------------------------------------------------------
// Writes

function uniqueness(email: string): ScimError {
  return new ScimError(409, 'uniqueness', `An account with userName "${email}" already exists.`);
}

/** Compares a client's If-Match with the current version (`*` matches anything). */
export function assertIfMatch(ifMatch: string | undefined, resource: { meta: { version: string } }): void {
  if (ifMatch === undefined) return;
  const wanted = ifMatch.split(',').map((tag) => tag.trim());
  const current = resource.meta.version;
  const strip = (tag: string) => tag.replace(/^W\//, '');
  if (wanted.includes('*') || wanted.some((tag) => strip(tag) === strip(current))) return;
  throw new ScimError(412, null, 'The resource has changed since that version (If-Match).');
}

/** POST /Users: a new SSO account of the provider, in its default group. */
export async function createScimUser(db: Db, ctx: ScimContext, body: unknown): Promise<ScimUserResource> {
  const fields = fieldsFromResource(body, null);
  const { provider } = ctx;
  try {
    return await db.transaction().execute(async (trx) => {
      const clash = await trx
        .selectFrom('users')
        .select('id')
        .where('email_normalized', '=', normalizeEmail(fields.email))
        .executeTakeFirst();
      if (clash) throw uniqueness(fields.email);
      const now = nowIso();
      const groupId = await groupForSignIn(trx, provider, []);
      const id = await insertSsoAccount(
        trx,
        provider,
        { ...fields, groupId, status: fields.active ? 'enabled' : 'disabled' },
        now,
      );
      await trx
        .insertInto('scim_users')
        .values({ user_id: id, provider_id: provider.id, external_id: fields.externalId, created_at: now })
        .execute();
      await recordAudit(trx, {
        actor: null,
        identityProviderId: provider.id,
        target: { id, email: fields.email },
        action: 'scim.user_created',
        details: {
          provider: provider.name,
          providerId: provider.id,
          via: 'scim',
          securityGroup: groupId,
          active: fields.active,
          externalId: fields.externalId,
        },
        ip: ctx.ip,
      });
      return toResource((await findAccount(trx, provider, id))!, ctx.baseUrl);
    });
  } catch (error) {
    // Two creates of one userName at once: the second trips the unique index (PostgreSQL).
    if (isUniqueViolation(error)) throw uniqueness(fields.email);
    throw error;
  }
}

/**
 * Writes `change(before)` to the account: one transaction, the If-Match checked against what is
 * read inside it, the Account Status rules applied, one audit entry naming the provider.
 */
async function updateAccount(
  db: Db,
  ctx: ScimContext,
  id: string,
  ifMatch: string | undefined,
  change: (before: AccountFields) => AccountFields,
): Promise<ScimUserResource> {
  const { provider } = ctx;
  let attemptedEmail = '';
  try {
    return await db.transaction().execute(async (trx) => {
      const row = await accountOrNotFound(trx, provider, id, true);
      assertIfMatch(ifMatch, toResource(row, ctx.baseUrl));
      const before = fieldsOf(row);
      const after = change(before);
      attemptedEmail = after.email;
      const changes: Partial<UserTable> = {};
      if (after.email !== before.email) {
        if (normalizeEmail(after.email) !== normalizeEmail(before.email)) {
          const clash = await trx
            .selectFrom('users')
            .select('id')
            .where('email_normalized', '=', normalizeEmail(after.email))
            .executeTakeFirst();
          if (clash) throw uniqueness(after.email);
        }
        changes.email = after.email;
        changes.email_normalized = normalizeEmail(after.email);
      }
      if (after.firstName !== before.firstName || after.lastName !== before.lastName) {
        // As at a first sign-in: no first name → the email's local part.
        const firstName = after.firstName || after.email.split('@')[0]!.slice(0, MAX_FIELD.name);
        changes.first_name = firstName;
        changes.first_name_normalized = firstName.toLowerCase();
        changes.last_name = after.lastName;
        changes.last_name_normalized = after.lastName.toLowerCase();
      }
      if (after.title !== before.title) changes.title = after.title;
      if (after.telephone !== before.telephone) changes.telephone = after.telephone;
      if (after.active !== before.active) changes.status = after.active ? 'enabled' : 'disabled';

      const deactivates = changes.status === 'disabled';
      if (deactivates) {
        const target = await trx.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
        if (await isLastEnabledAdministrator(trx, target)) {
          throw new ScimError(409, null, 'This is the last enabled Administrator; provisioning cannot disable it.');
        }
      }
      const diff = diffFields(row as unknown as Record<string, unknown>, changes);
      const externalIdChanged = after.externalId !== before.externalId;
      if (Object.keys(diff).length === 0 && !externalIdChanged) return toResource(row, ctx.baseUrl);

      if (Object.keys(changes).length > 0 || externalIdChanged) {
        await trx
          .updateTable('users')
          .set({ ...changes, updated_at: nowIso() })
          .where('id', '=', id)
          .execute();
      }
      if (externalIdChanged) {
        const updated = await trx
          .updateTable('scim_users')
          .set({ external_id: after.externalId })
          .where('user_id', '=', id)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) === 0) {
          // An account of the provider's sign-ins, now managed by its SCIM as well.
          await trx
            .insertInto('scim_users')
            .values({ user_id: id, provider_id: provider.id, external_id: after.externalId, created_at: nowIso() })
            .execute();
        }
      }
      const effects = deactivates ? await revokeCredentialsOfDisabled(trx, id) : {};
      const action: AuditAction = deactivates
        ? 'scim.user_deactivated'
        : changes.status === 'enabled'
          ? 'scim.user_reactivated'
          : 'scim.user_updated';
      await recordAudit(trx, {
        actor: null,
        identityProviderId: provider.id,
        target: { id, email: after.email },
        action,
        details: {
          provider: provider.name,
          providerId: provider.id,
          via: 'scim',
          changes: {
            ...diff,
            ...(externalIdChanged ? { externalId: { from: before.externalId, to: after.externalId } } : {}),
          },
          ...effects,
        },
        ip: ctx.ip,
      });
      return toResource((await findAccount(trx, provider, id))!, ctx.baseUrl);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw uniqueness(attemptedEmail);
    throw error;
  }
}

/** PUT /Users/:id: the resource replaces the account's SCIM fields. */
export async function replaceScimUser(db: Db, ctx: ScimContext, id: string, body: unknown, ifMatch?: string) {
  return updateAccount(db, ctx, id, ifMatch, (before) => fieldsFromResource(body, before));
}

/** PATCH /Users/:id. */
export async function patchScimUser(db: Db, ctx: ScimContext, id: string, body: unknown, ifMatch?: string) {
  return updateAccount(db, ctx, id, ifMatch, (before) => applyPatch(before, body, id));
}

/**
 * DELETE /Users/:id: deletes the account (its sessions and API token go with it), or, when the
 * Administrator chose so for the provider, disables it as active:false does.
 */
export async function deleteScimUser(db: Db, ctx: ScimContext, id: string, ifMatch?: string): Promise<void> {
  const { provider } = ctx;
  if (provider.scim_deprovision === 'disable') {
    await updateAccount(db, ctx, id, ifMatch, (before) => ({ ...before, active: false }));
    return;
  }
  await db.transaction().execute(async (trx) => {
    const row = await accountOrNotFound(trx, provider, id, true);
    assertIfMatch(ifMatch, toResource(row, ctx.baseUrl));
    const target = await trx.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    if (await isLastEnabledAdministrator(trx, target)) {
      throw new ScimError(409, null, 'This is the last enabled Administrator; provisioning cannot delete it.');
    }
    const sessionsEnded = await endAllSessions(trx, id);
    await trx.deleteFrom('users').where('id', '=', id).execute();
    await recordAudit(trx, {
      actor: null,
      identityProviderId: provider.id,
      target: { id, email: row.email },
      action: 'scim.user_deleted',
      details: {
        provider: provider.name,
        providerId: provider.id,
        via: 'scim',
        securityGroup: row.security_group_id,
        sessionsEnded,
      },
      ip: ctx.ip,
    });
  });
}

// ---------------------------------------------------------------------------------------------
// attributes / excludedAttributes (RFC 7644 §3.4.2.5)

const ALWAYS_RETURNED = new Set(['id', 'schemas']);

function parseAttributeList(text: string | undefined, name: string): AttrPath[] | null {
  if (text === undefined || text.trim() === '') return null;
  try {
    return text.split(',').map((item) => parseAttrPath(item.trim()));
  } catch (error) {
    if (error instanceof ScimFilterError) throw invalidValue(`${name}: ${error.message}`);
    throw error;
  }
}

/** Keeps only the `attributes` asked for, or drops the `excludedAttributes` (id and schemas stay). */
export function projectAttributes(
  resource: Record<string, unknown>,
  attributes: string | undefined,
  excluded: string | undefined,
): Record<string, unknown> {
  const include = parseAttributeList(attributes, 'attributes');
  const exclude = parseAttributeList(excluded, 'excludedAttributes');
  if (!include && !exclude) return resource;
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resource)) {
    const lower = key.toLowerCase();
    if (ALWAYS_RETURNED.has(lower)) {
      result[key] = value;
      continue;
    }
    const matching = (list: AttrPath[]) => list.filter((path) => path.attribute.toLowerCase() === lower);
    if (include) {
      const wanted = matching(include);
      if (wanted.length === 0) continue;
      const subs = wanted.map((path) => path.subAttribute?.toLowerCase() ?? null);
      result[key] = subs.includes(null) ? value : pickSubAttributes(value, subs as string[], true);
    } else {
      const unwanted = matching(exclude!);
      const subs = unwanted.map((path) => path.subAttribute?.toLowerCase() ?? null);
      if (subs.includes(null)) continue;
      result[key] = unwanted.length === 0 ? value : pickSubAttributes(value, subs as string[], false);
    }
  }
  return result;
}

function pickSubAttributes(value: unknown, subs: string[], keep: boolean): unknown {
  const pick = (object: unknown) =>
    object && typeof object === 'object'
      ? Object.fromEntries(
          Object.entries(object as Record<string, unknown>).filter(
            ([key]) => subs.includes(key.toLowerCase()) === keep,
          ),
        )
      : object;
  return Array.isArray(value) ? value.map(pick) : pick(value);
}

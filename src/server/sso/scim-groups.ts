/**
 * SCIM 2.0 Groups (RFC 7643 §4.2) of one identity provider. A SCIM group is the provider's group
 * and grants nothing by itself: an account's security group follows the provider's group mapping
 * over the SCIM groups it is a member of, the mapping with the fewest permissions winning, else the
 * provider's default group (groupForSignIn, as at SSO sign-in). Every membership change
 * re-evaluates the accounts it touches, audited; the last enabled Administrator is never demoted
 * (the refusal is audited, the membership change itself stands). Members are the provider's own
 * accounts only.
 */
import { createHash, randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Db } from '../db/connection.js';
import type { Database, ScimGroupTable } from '../db/schema.js';
import { isUniqueViolation } from '../db/portable.js';
import { nowIso } from '../clock.js';
import { recordAudit } from '../services/audit.js';
import { isLastEnabledAdministrator } from '../services/users.js';
import { groupForSignIn } from './sign-in.js';
import { invalidSyntax, invalidValue, ScimError } from './scim-errors.js';
import { getCaseInsensitive, matchesFilter, type AttrPath } from './scim-filter.js';
import { SCIM_PATCH_SCHEMA } from './scim-schema.js';
import {
  asExternalId,
  asObject,
  asString,
  assertIfMatch,
  filterToSql,
  parsePath,
  unsupportedFilterAttribute,
  type Column,
  type ScimContext,
} from './scim-users.js';
import { scimFilterCondition, scimListResponse, scimPage, type ScimListQuery } from './scim-list.js';

export const SCIM_GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const MAX_DISPLAY_NAME = 200;
const MAX_MEMBERS_PER_REQUEST = 1000;

export type ScimGroupResource = Record<string, unknown> & { id: string; meta: { version: string; location: string } };

interface GroupFields {
  displayName: string;
  externalId: string | null;
  members: Set<string>;
}

async function membersOf(db: Kysely<Database>, groupIds: string[]) {
  if (groupIds.length === 0) return new Map<string, { id: string; email: string }[]>();
  const rows = await db
    .selectFrom('scim_group_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['m.group_id', 'u.id', 'u.email'])
    .where('m.group_id', 'in', groupIds)
    .orderBy('u.email')
    .execute();
  const byGroup = new Map<string, { id: string; email: string }[]>();
  for (const row of rows) byGroup.set(row.group_id, [...(byGroup.get(row.group_id) ?? []), row]);
  return byGroup;
}

function toResource(
  group: ScimGroupTable,
  members: { id: string; email: string }[],
  baseUrl: string,
): ScimGroupResource {
  const body = {
    schemas: [SCIM_GROUP_SCHEMA],
    id: group.id,
    ...(group.external_id !== null ? { externalId: group.external_id } : {}),
    displayName: group.display_name,
    members: members.map((member) => ({
      value: member.id,
      display: member.email,
      $ref: `${baseUrl}/Users/${member.id}`,
    })),
  };
  const meta = {
    resourceType: 'Group',
    created: group.created_at,
    lastModified: group.updated_at,
    location: `${baseUrl}/Groups/${group.id}`,
  };
  const version = `W/"${createHash('sha256')
    .update(JSON.stringify({ ...body, meta }))
    .digest('hex')
    .slice(0, 20)}"`;
  return { ...body, meta: { ...meta, version } };
}

async function groupOrNotFound(db: Kysely<Database>, ctx: ScimContext, id: string): Promise<ScimGroupTable> {
  const group = await db
    .selectFrom('scim_groups')
    .selectAll()
    .where('id', '=', id)
    .where('provider_id', '=', ctx.provider.id)
    .executeTakeFirst();
  if (!group) throw new ScimError(404, null, `No group with ID "${id}" for this identity provider.`);
  return group;
}

async function resourceOf(db: Kysely<Database>, ctx: ScimContext, group: ScimGroupTable) {
  return toResource(group, (await membersOf(db, [group.id])).get(group.id) ?? [], ctx.baseUrl);
}

export async function getScimGroup(db: Db, ctx: ScimContext, id: string): Promise<ScimGroupResource> {
  return resourceOf(db, ctx, await groupOrNotFound(db, ctx, id));
}

function groupColumn(path: AttrPath): Column {
  if (path.schema !== null && path.schema !== SCIM_GROUP_SCHEMA.toLowerCase()) throw unsupportedFilterAttribute(path);
  const name = (path.subAttribute ? `${path.attribute}.${path.subAttribute}` : path.attribute).toLowerCase();
  switch (name) {
    case 'id':
      return { sql: sql<string>`g.id`, caseExact: true, nullable: false };
    case 'displayname':
      return { sql: sql<string>`g.display_name_normalized`, caseExact: false, nullable: false };
    case 'externalid':
      return { sql: sql<string>`g.external_id`, caseExact: true, nullable: true };
    case 'meta.created':
      return { sql: sql<string>`g.created_at`, caseExact: true, nullable: false };
    case 'meta.lastmodified':
      return { sql: sql<string>`g.updated_at`, caseExact: true, nullable: false };
    default:
      throw unsupportedFilterAttribute(path);
  }
}

export async function listScimGroups(db: Db, ctx: ScimContext, query: ScimListQuery & { excludedAttributes?: string }) {
  const { startIndex, count } = scimPage(query);
  const where = scimFilterCondition(query.filter, (filter) => filterToSql(filter, null, groupColumn));
  const base = () => {
    const scoped = db.selectFrom('scim_groups as g').where('g.provider_id', '=', ctx.provider.id);
    return where ? scoped.where(where) : scoped;
  };
  const total = Number(
    (
      await base()
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
  const groups =
    count === 0
      ? []
      : await base()
          .selectAll('g')
          .orderBy('g.created_at')
          .orderBy('g.id')
          .limit(count)
          .offset(startIndex - 1)
          .execute();
  const members = await membersOf(
    db,
    groups.map((group) => group.id),
  );
  return scimListResponse(
    total,
    startIndex,
    groups.map((group) => toResource(group, members.get(group.id) ?? [], ctx.baseUrl)),
  );
}

// ---------------------------------------------------------------------------------------------
// Input

function memberIdsOf(value: unknown): string[] {
  if (value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  if (items.length > MAX_MEMBERS_PER_REQUEST)
    throw invalidValue(`At most ${MAX_MEMBERS_PER_REQUEST} members per request.`);
  return items.map((item) => {
    const id = getCaseInsensitive(asObject(item, 'Each member'), 'value');
    if (typeof id !== 'string' || id === '') throw invalidValue('Each member needs a "value": the ID of a user.');
    return id;
  });
}

function asDisplayName(value: unknown): string {
  const name = asString(value, 'displayName', MAX_DISPLAY_NAME);
  if (!name) throw invalidValue('displayName is required.');
  return name;
}

function fieldsFromResource(body: unknown, before: GroupFields | null): GroupFields {
  const resource = asObject(body, 'The request body');
  const schemas = getCaseInsensitive(resource, 'schemas');
  if (
    schemas !== undefined &&
    (!Array.isArray(schemas) ||
      !schemas.some((schema) => String(schema).toLowerCase() === SCIM_GROUP_SCHEMA.toLowerCase()))
  ) {
    throw invalidSyntax(`"schemas" must include "${SCIM_GROUP_SCHEMA}".`);
  }
  const externalId = getCaseInsensitive(resource, 'externalId');
  const members = getCaseInsensitive(resource, 'members');
  return {
    displayName: asDisplayName(getCaseInsensitive(resource, 'displayName')),
    externalId: externalId === undefined ? (before?.externalId ?? null) : asExternalId(externalId),
    members: new Set(members === undefined ? [] : memberIdsOf(members)),
  };
}

function applyGroupOperation(fields: GroupFields, op: string, pathText: string | null, value: unknown, id: string) {
  if (pathText === null) {
    if (op === 'remove') throw new ScimError(400, 'noTarget', 'A "remove" operation needs a "path".');
    for (const [key, item] of Object.entries(asObject(value, 'The value of an operation without a path'))) {
      const lower = key.toLowerCase();
      if (lower === 'id' && item === id) continue;
      if (lower === 'schemas') continue;
      applyGroupOperation(fields, op, key, item, id);
    }
    return;
  }
  const { path, valueFilter } = parsePath(pathText);
  if (path.schema !== null && path.schema !== SCIM_GROUP_SCHEMA.toLowerCase())
    throw new ScimError(400, 'invalidPath', `The schema "${path.schema}" is not supported.`);
  const attribute = path.attribute.toLowerCase();
  if (attribute === 'id' || attribute === 'meta')
    throw new ScimError(400, 'mutability', `"${path.attribute}" is read-only.`);
  if (attribute === 'displayname' && !valueFilter && !path.subAttribute) {
    if (op === 'remove') throw invalidValue('displayName is required and cannot be removed.');
    fields.displayName = asDisplayName(value);
    return;
  }
  if (attribute === 'externalid' && !valueFilter && !path.subAttribute) {
    fields.externalId = op === 'remove' ? null : asExternalId(value);
    return;
  }
  if (attribute !== 'members' || (path.subAttribute && path.subAttribute.toLowerCase() !== 'value')) {
    throw new ScimError(400, 'invalidPath', `Unknown attribute "${pathText}".`);
  }
  if (valueFilter) {
    // members[value eq "id"]: only a removal makes sense of a member picked by filter.
    if (op !== 'remove')
      throw new ScimError(400, 'invalidPath', 'Add members with the path "members" and a value array.');
    for (const member of [...fields.members]) {
      if (matchesFilter(valueFilter, { value: member })) fields.members.delete(member);
    }
    return;
  }
  if (op === 'add') {
    for (const member of memberIdsOf(value)) fields.members.add(member);
  } else if (op === 'replace') {
    fields.members = new Set(memberIdsOf(value));
  } else if (value === undefined || value === null) {
    fields.members.clear();
  } else {
    // Entra ID removes members by a value array on the "members" path.
    for (const member of memberIdsOf(value)) fields.members.delete(member);
  }
}

function applyGroupPatch(before: GroupFields, body: unknown, id: string): GroupFields {
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
  const fields = { ...before, members: new Set(before.members) };
  for (const raw of operations) {
    const operation = asObject(raw, 'Each operation');
    const opName = getCaseInsensitive(operation, 'op');
    const op = typeof opName === 'string' ? opName.toLowerCase() : '';
    if (op !== 'add' && op !== 'replace' && op !== 'remove') {
      throw invalidSyntax(`"op" must be "add", "replace" or "remove"; got ${JSON.stringify(opName ?? null)}.`);
    }
    const pathText = getCaseInsensitive(operation, 'path');
    if (pathText !== undefined && pathText !== null && typeof pathText !== 'string')
      throw new ScimError(400, 'invalidPath', '"path" must be a string.');
    const value = getCaseInsensitive(operation, 'value');
    if (op !== 'remove' && value === undefined) throw invalidValue(`The "${op}" operation has no "value".`);
    applyGroupOperation(fields, op, pathText ? pathText : null, value, id);
  }
  return fields;
}

// ---------------------------------------------------------------------------------------------
// Writes

/** Sets each account's security group from its SCIM groups through the provider's mapping. */
async function reevaluate(trx: Kysely<Database>, ctx: ScimContext, userIds: Iterable<string>): Promise<void> {
  const { provider } = ctx;
  for (const userId of [...new Set(userIds)].sort()) {
    const user = await trx.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
    if (!user) continue;
    const names = await trx
      .selectFrom('scim_group_members as m')
      .innerJoin('scim_groups as g', 'g.id', 'm.group_id')
      .select('g.display_name')
      .where('m.user_id', '=', userId)
      .where('g.provider_id', '=', provider.id)
      .execute();
    const groupIds = names.map((row) => row.display_name);
    const groupId = await groupForSignIn(trx, provider, groupIds);
    if (groupId === user.security_group_id) continue;
    const details = {
      provider: provider.name,
      providerId: provider.id,
      via: 'scim',
      securityGroup: { from: user.security_group_id, to: groupId },
      scimGroups: groupIds.slice(0, 50),
    };
    if (await isLastEnabledAdministrator(trx, user)) {
      await recordAudit(trx, {
        actor: null,
        identityProviderId: provider.id,
        target: { id: user.id, email: user.email },
        action: 'scim.change_refused',
        details: { ...details, reason: 'last_administrator' },
        ip: ctx.ip,
      });
      continue;
    }
    await trx
      .updateTable('users')
      .set({ security_group_id: groupId, updated_at: nowIso() })
      .where('id', '=', userId)
      .execute();
    await recordAudit(trx, {
      actor: null,
      identityProviderId: provider.id,
      target: { id: user.id, email: user.email },
      action: 'scim.security_group_changed',
      details,
      ip: ctx.ip,
    });
  }
}

async function assertMembersAreAccounts(trx: Kysely<Database>, ctx: ScimContext, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const found = await trx
    .selectFrom('users')
    .select('id')
    .where('id', 'in', ids)
    .where('user_type', '=', 'sso')
    .where('sso_provider', '=', ctx.provider.name)
    .execute();
  const known = new Set(found.map((row) => row.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) throw invalidValue(`No user with ID "${unknown[0]}" for this identity provider.`);
}

function taken(name: string): ScimError {
  return new ScimError(409, 'uniqueness', `A group named "${name}" already exists.`);
}

/** Writes a group's new state, its members' security groups and the audit entry, in the caller's transaction. */
async function writeGroup(
  trx: Kysely<Database>,
  ctx: ScimContext,
  before: (GroupFields & { row: ScimGroupTable }) | null,
  after: GroupFields,
): Promise<ScimGroupTable> {
  const now = nowIso();
  const id = before?.row.id ?? randomUUID();
  const normalized = after.displayName.toLowerCase();
  const clash = await trx
    .selectFrom('scim_groups')
    .select('id')
    .where('provider_id', '=', ctx.provider.id)
    .where('display_name_normalized', '=', normalized)
    .where('id', '!=', id)
    .executeTakeFirst();
  if (clash) throw taken(after.displayName);
  const previous = before?.members ?? new Set<string>();
  const added = [...after.members].filter((member) => !previous.has(member));
  const removed = [...previous].filter((member) => !after.members.has(member));
  await assertMembersAreAccounts(trx, ctx, added);
  const renamed = before !== null && before.displayName !== after.displayName;
  const changed = !before || renamed || before.externalId !== after.externalId || added.length + removed.length > 0;
  if (!changed) return before.row;
  if (before) {
    await trx
      .updateTable('scim_groups')
      .set({
        display_name: after.displayName,
        display_name_normalized: normalized,
        external_id: after.externalId,
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
  } else {
    await trx
      .insertInto('scim_groups')
      .values({
        id,
        provider_id: ctx.provider.id,
        display_name: after.displayName,
        display_name_normalized: normalized,
        external_id: after.externalId,
        created_at: now,
        updated_at: now,
      })
      .execute();
  }
  if (removed.length > 0)
    await trx.deleteFrom('scim_group_members').where('group_id', '=', id).where('user_id', 'in', removed).execute();
  if (added.length > 0)
    await trx
      .insertInto('scim_group_members')
      .values(added.map((userId) => ({ group_id: id, user_id: userId })))
      .execute();
  await recordAudit(trx, {
    actor: null,
    identityProviderId: ctx.provider.id,
    action: before ? 'scim.group_updated' : 'scim.group_created',
    details: {
      provider: ctx.provider.name,
      providerId: ctx.provider.id,
      via: 'scim',
      group: after.displayName,
      ...(renamed ? { renamedFrom: before.displayName } : {}),
      membersAdded: added.length,
      membersRemoved: removed.length,
    },
    ip: ctx.ip,
  });
  // A rename changes which mapping the group matches: every member is re-evaluated then.
  await reevaluate(trx, ctx, renamed ? [...after.members, ...removed] : [...added, ...removed]);
  return (await trx.selectFrom('scim_groups').selectAll().where('id', '=', id).executeTakeFirst())!;
}

async function inTransaction<T>(db: Db, displayName: () => string, work: (trx: Kysely<Database>) => Promise<T>) {
  try {
    return await db.transaction().execute(work);
  } catch (error) {
    if (isUniqueViolation(error)) throw taken(displayName());
    throw error;
  }
}

export async function createScimGroup(db: Db, ctx: ScimContext, body: unknown): Promise<ScimGroupResource> {
  const fields = fieldsFromResource(body, null);
  return inTransaction(
    db,
    () => fields.displayName,
    async (trx) => resourceOf(trx, ctx, await writeGroup(trx, ctx, null, fields)),
  );
}

async function updateGroup(
  db: Db,
  ctx: ScimContext,
  id: string,
  ifMatch: string | undefined,
  change: (before: GroupFields) => GroupFields,
): Promise<ScimGroupResource> {
  let name = '';
  return inTransaction(
    db,
    () => name,
    async (trx) => {
      const row = await groupOrNotFound(trx, ctx, id);
      const current = await resourceOf(trx, ctx, row);
      assertIfMatch(ifMatch, current);
      const members = (current.members as { value: string }[]).map((member) => member.value);
      const before = { row, displayName: row.display_name, externalId: row.external_id, members: new Set(members) };
      const after = change(before);
      name = after.displayName;
      return resourceOf(trx, ctx, await writeGroup(trx, ctx, before, after));
    },
  );
}

export function replaceScimGroup(db: Db, ctx: ScimContext, id: string, body: unknown, ifMatch?: string) {
  return updateGroup(db, ctx, id, ifMatch, (before) => fieldsFromResource(body, before));
}

export function patchScimGroup(db: Db, ctx: ScimContext, id: string, body: unknown, ifMatch?: string) {
  return updateGroup(db, ctx, id, ifMatch, (before) => applyGroupPatch(before, body, id));
}

/** DELETE /Groups/:id: the group goes; its former members' security groups are re-evaluated. */
export async function deleteScimGroup(db: Db, ctx: ScimContext, id: string, ifMatch?: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = await groupOrNotFound(trx, ctx, id);
    const current = await resourceOf(trx, ctx, row);
    assertIfMatch(ifMatch, current);
    const members = (current.members as { value: string }[]).map((member) => member.value);
    await trx.deleteFrom('scim_group_members').where('group_id', '=', id).execute();
    await trx.deleteFrom('scim_groups').where('id', '=', id).execute();
    await recordAudit(trx, {
      actor: null,
      identityProviderId: ctx.provider.id,
      action: 'scim.group_deleted',
      details: {
        provider: ctx.provider.name,
        providerId: ctx.provider.id,
        via: 'scim',
        group: row.display_name,
        membersRemoved: members.length,
      },
      ip: ctx.ip,
    });
    await reevaluate(trx, ctx, members);
  });
}

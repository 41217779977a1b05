/**
 * Generated from the policies: every decision the API sends as a `can` (accounts, the Password &
 * Security tab, an account's sessions, security groups, tasks, records, the records list's import modes) is tried for
 * real, for every kind of caller on every kind of object. An action the `can` allows then
 * succeeds; one it refuses is refused by the server with exactly the code and message the `can`
 * showed, so the reason the UI shows is the one the server enforces. Every Decision-valued field
 * of every `can` schema must have an entry below: a new action without one fails this test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import type { z } from 'zod';
import { DecisionSchema, type Decision } from '../../src/shared/schemas/decision.js';
import { UserAbilitiesSchema } from '../../src/shared/schemas/users.js';
import { SecurityAbilitiesSchema } from '../../src/shared/schemas/security.js';
import { SecurityGroupAbilitiesSchema } from '../../src/shared/schemas/security-groups.js';
import { TaskAbilitiesSchema } from '../../src/shared/schemas/tasks.js';
import { RecordAbilitiesSchema, RecordListAbilitiesSchema, IMPORT_MODES } from '../../src/shared/schemas/records.js';
import { ALL_PERMISSIONS, SYSTEM_GROUP_IDS, type Permission } from '../../src/shared/permissions.js';
import { TASK_STATUSES } from '../../src/shared/task-status.js';
import { IdentityProviderAbilitiesSchema } from '../../src/shared/schemas/identity-providers.js';
import { AccountSessionAbilitiesSchema } from '../../src/shared/schemas/account-sessions.js';
import { createSession } from '../../src/server/auth/sessions.js';
import { nowIso } from '../../src/server/clock.js';
import { insertOidcProvider, linkSsoAccount } from '../helpers/identity-provider-fixtures.js';
import { createCustomGroup, errorOf, giveApiToken, quickSession, quickUser, uniqueEmail } from '../helpers/fixtures.js';
import { quickRecord, uniqueRecordName } from '../helpers/records-fixtures.js';
import { makeTask } from '../helpers/tasks-fixtures.js';
import { createTestApp, makeUser, type Caller, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

/** Who acts: a fresh account in this group for every case, so no action can spoil the next. */
interface Acting {
  id: string;
  groupId: string;
  caller: Caller;
}

/** The object one case acts on, made fresh for it. */
type Make = (variant: string, acting: Acting) => Promise<string>;
/** The `can` the UI reads for the object, or null when the caller may not see it at all. */
type Read = (caller: Caller, id: string) => Promise<Record<string, unknown> | null>;
type Perform = (caller: Caller, id: string, acting: Acting) => Promise<LightMyRequestResponse>;

interface Resource {
  /** The schema of the `can` (or the part of it) these actions fill. */
  abilities: z.ZodObject<z.ZodRawShape>;
  variants: readonly string[];
  make: Make;
  read: Read;
  actions: Record<string, Perform>;
  /** Actions that are never refused to those shown them ("add" needs only the Import the dialog needs). */
  neverRefusedWhereShown?: readonly string[];
  /** Where the UI offers an action only to holders of a permission (a page or a dialog), only they see its refusal. */
  shownOnlyWith?: Partial<Record<string, Permission>>;
}

async function canOf(caller: Caller, url: string, pick = (body: { can: unknown }) => body.can) {
  const response = await caller.request({ method: 'GET', url });
  if (response.statusCode === 403 || response.statusCode === 404) return null;
  expect(response.statusCode, response.body).toBe(200);
  return pick(response.json()) as Record<string, unknown>;
}

/** A group holding nothing: anyone may put an account in it, and it never outranks anyone. */
let emptyGroupId: string;

const ACCOUNT_VARIANTS = ['self', ...Object.values(SYSTEM_GROUP_IDS), 'sso account', 'empty group'] as const;
const makeAccount: Make = async (variant, acting) => {
  if (variant === 'self') return acting.id;
  if (variant === 'sso account') return (await makeUser(t, SYSTEM_GROUP_IDS.readOnlyUser, { userType: 'sso' })).id;
  if (variant === 'empty group') return (await quickUser(t, emptyGroupId)).id;
  return (await quickUser(t, variant)).id;
};

const patchSecurity =
  (body: Record<string, unknown>): Perform =>
  (caller, id) =>
    caller.request({ method: 'PATCH', url: `/api/v1/users/${id}/security`, payload: body });

const RESOURCES: Record<string, Resource> = {
  account: {
    abilities: UserAbilitiesSchema,
    variants: ACCOUNT_VARIANTS,
    make: makeAccount,
    read: (caller, id) => canOf(caller, `/api/v1/users/${id}`),
    actions: {
      // A field SSO accounts keep here too (their names and title belong to the identity provider).
      update: (caller, id) =>
        caller.request({ method: 'PATCH', url: `/api/v1/users/${id}`, payload: { functionalGroup: 'Changed' } }),
      delete: (caller, id) => caller.request({ method: 'DELETE', url: `/api/v1/users/${id}` }),
      changeAccountStatus: (caller, id) =>
        caller.request({
          method: 'PUT',
          url: `/api/v1/users/${id}/account-status`,
          payload: { accountStatus: 'disabled' },
        }),
      // Locked out first (too many failed sign-ins), so that an unlock allowed has a lock to end.
      unlockSignIn: async (caller, id) => {
        const { email } = await t.db.selectFrom('users').select('email').where('id', '=', id).executeTakeFirstOrThrow();
        const now = nowIso();
        await t.db
          .insertInto('login_throttle')
          .values({
            key: `account:${email.toLowerCase()}`,
            failures: 10,
            window_started_at: now,
            locked_until: new Date(Date.now() + 15 * 60_000).toISOString(),
          })
          .onConflict((oc) =>
            oc.column('key').doUpdateSet({ locked_until: new Date(Date.now() + 15 * 60_000).toISOString() }),
          )
          .execute();
        return caller.request({ method: 'DELETE', url: `/api/v1/users/${id}/sign-in-lock` });
      },
    },
  },
  'Password & Security tab': {
    abilities: SecurityAbilitiesSchema,
    // SSO accounts have no such tab (its GET answers 409 sso_account).
    variants: ACCOUNT_VARIANTS.filter((variant) => variant !== 'sso account'),
    make: makeAccount,
    read: (caller, id) => canOf(caller, `/api/v1/users/${id}/security`),
    actions: {
      // Into the group holding nothing, which anyone may assign: only the account itself is in question.
      changeSecurityGroup: (caller, id, who) => patchSecurity({ securityGroupId: emptyGroupId })(caller, id, who),
      changeAccountStatus: patchSecurity({ accountStatus: 'disabled' }),
      changeMfaEnrollment: patchSecurity({ mfaEnrolled: true }),
      generateApiToken: (caller, id) => caller.request({ method: 'POST', url: `/api/v1/users/${id}/api-token` }),
      // Given a token first, so that a revocation allowed has one to end.
      revokeApiToken: async (caller, id) => {
        await giveApiToken(t, id);
        return caller.request({ method: 'DELETE', url: `/api/v1/users/${id}/api-token` });
      },
      setMustChangePassword: patchSecurity({ mustChangePassword: true }),
    },
  },
  // One session of the account (on your own account, another of yours); `id` is "<account>/<session>".
  session: {
    abilities: AccountSessionAbilitiesSchema,
    variants: ACCOUNT_VARIANTS,
    make: async (variant, acting) => {
      const accountId = await makeAccount(variant, acting);
      const { idHash } = await createSession(t.db, accountId, { ip: '192.0.2.1', userAgent: 'policy refusals' });
      const row = await t.db
        .selectFrom('sessions')
        .select('public_id')
        .where('id_hash', '=', idHash)
        .executeTakeFirstOrThrow();
      return `${accountId}/${row.public_id}`;
    },
    read: async (caller, id) => {
      const [accountId, publicId] = id.split('/');
      return canOf(caller, `/api/v1/users/${accountId}/sessions`, (body) => {
        const { sessions } = body as unknown as { sessions: { id: string; can: unknown }[] };
        return sessions.find((session) => session.id === publicId)!.can;
      });
    },
    actions: {
      signOut: (caller, id) => {
        const [accountId, publicId] = id.split('/');
        return caller.request({ method: 'DELETE', url: `/api/v1/users/${accountId}/sessions/${publicId}` });
      },
    },
  },
  'security group': {
    abilities: SecurityGroupAbilitiesSchema,
    variants: [
      ...Object.values(SYSTEM_GROUP_IDS),
      'custom, holding nothing',
      'custom, holding everything',
      'custom, with a member',
    ],
    make: async (variant) => {
      if (variant === 'custom, holding nothing') return createCustomGroup(t, []);
      if (variant === 'custom, holding everything') return createCustomGroup(t, ALL_PERMISSIONS);
      if (variant === 'custom, with a member') {
        const id = await createCustomGroup(t, ['records:view']);
        await quickUser(t, id);
        return id;
      }
      return variant;
    },
    read: (caller, id) => canOf(caller, `/api/v1/security-groups/${id}`),
    actions: {
      update: (caller, id) =>
        caller.request({ method: 'PATCH', url: `/api/v1/security-groups/${id}`, payload: { description: 'Changed' } }),
      delete: (caller, id) => caller.request({ method: 'DELETE', url: `/api/v1/security-groups/${id}` }),
      assign: (caller, id) =>
        caller.request({
          method: 'POST',
          url: '/api/v1/users',
          payload: {
            email: uniqueEmail('assigned'),
            firstName: 'Assigned',
            lastName: 'Person',
            userType: 'sso',
            ssoProvider: 'Okta',
            securityGroupId: id,
            sessionTimeoutMinutes: 30,
          },
        }),
    },
    // The groups a New User can be put in are offered in the New User dialog only.
    shownOnlyWith: { assign: 'users_groups:create' },
  },
  'identity provider': {
    abilities: IdentityProviderAbilitiesSchema,
    variants: ['without accounts', 'with an account', 'with two accounts'],
    make: async (variant) => {
      const provider = await insertOidcProvider(t, {
        issuer: 'https://idp.example.test',
        clientId: 'latchkey',
        scopes: 'openid email profile',
        groupsClaim: 'groups',
      });
      const accounts = variant === 'with an account' ? 1 : variant === 'with two accounts' ? 2 : 0;
      for (let i = 0; i < accounts; i += 1) await linkSsoAccount(t, provider);
      return provider.id;
    },
    read: (caller, id) => canOf(caller, `/api/v1/identity-providers/${id}`),
    actions: {
      update: (caller, id) =>
        caller.request({
          method: 'PATCH',
          url: `/api/v1/identity-providers/${id}`,
          payload: { name: `Renamed ${id.slice(0, 8)}` },
        }),
      delete: (caller, id) => caller.request({ method: 'DELETE', url: `/api/v1/identity-providers/${id}` }),
    },
    // Whoever may open a provider (Configure SSO) may change it.
    neverRefusedWhereShown: ['update'],
  },
  task: {
    abilities: TaskAbilitiesSchema,
    variants: TASK_STATUSES,
    make: (variant) => makeTask(t, { status: variant as (typeof TASK_STATUSES)[number] }),
    read: (caller, id) => canOf(caller, `/api/v1/tasks/${id}`),
    actions: {
      assign: (caller, id, acting) =>
        caller.request({ method: 'POST', url: `/api/v1/tasks/${id}/assign`, payload: { assigneeId: acting.id } }),
      ...Object.fromEntries(
        (['start', 'complete', 'cancel', 'fail'] as const).map((name): [string, Perform] => [
          name,
          (caller, id) => caller.request({ method: 'POST', url: `/api/v1/tasks/${id}/${name}` }),
        ]),
      ),
      update: (caller, id) =>
        caller.request({ method: 'PATCH', url: `/api/v1/tasks/${id}`, payload: { title: 'Renamed' } }),
      delete: (caller, id) => caller.request({ method: 'DELETE', url: `/api/v1/tasks/${id}` }),
    },
  },
  record: {
    abilities: RecordAbilitiesSchema,
    variants: ['with an owner and a property'],
    make: async () => (await quickRecord(t, { owner: 'Ops', properties: { os: 'Linux' } })).id,
    read: (caller, id) => canOf(caller, `/api/v1/records/${id}`),
    actions: {
      update: (caller, id) =>
        caller.request({ method: 'PATCH', url: `/api/v1/records/${id}`, payload: { name: uniqueRecordName() } }),
      removeData: (caller, id) =>
        caller.request({ method: 'PATCH', url: `/api/v1/records/${id}`, payload: { owner: '' } }),
      delete: (caller, id) => caller.request({ method: 'DELETE', url: `/api/v1/records/${id}` }),
    },
  },
  'records import mode': {
    abilities: RecordListAbilitiesSchema.shape.import,
    variants: ['the records list'],
    make: async () => '',
    read: (caller) => canOf(caller, '/api/v1/records', (body) => (body.can as { import: unknown }).import),
    actions: Object.fromEntries(
      IMPORT_MODES.map((mode): [string, Perform] => [
        mode,
        (caller) =>
          caller.request({
            method: 'POST',
            url: '/api/v1/records/import/preview',
            payload: { csv: `Type,Name\nComputer,${uniqueRecordName()}\n`, mode },
          }),
      ]),
    ),
    // The import dialog is offered to holders of Import only.
    neverRefusedWhereShown: ['add'],
    shownOnlyWith: Object.fromEntries(IMPORT_MODES.map((mode) => [mode, 'records:import'])),
  },
};

/** Every system group, and custom groups below Administrator that the rules treat differently. */
const ACTING_GROUPS: Record<string, readonly string[] | string> = {
  ...Object.fromEntries(Object.entries(SYSTEM_GROUP_IDS).map(([name, id]) => [name, id])),
  'Users & Groups manager': ['users_groups:view', 'users_groups:create', 'users_groups:update', 'users_groups:delete'],
  'Users & Groups viewer': ['users_groups:view'],
  'tasks and records without delete': [
    'tasks:view',
    'tasks:update',
    'tasks:assign',
    'records:view',
    'records:update',
    'records:import',
  ],
  'tasks and records viewer': ['tasks:view', 'records:view', 'records:import'],
};
const actingGroupIds = new Map<string, string>();
const permissionsOf = new Map<string, ReadonlySet<string>>();

beforeAll(async () => {
  emptyGroupId = await createCustomGroup(t, []);
  for (const [name, spec] of Object.entries(ACTING_GROUPS)) {
    const id = typeof spec === 'string' ? spec : await createCustomGroup(t, spec);
    actingGroupIds.set(name, id);
    const group = await t.db.selectFrom('group_permissions').select('permission').where('group_id', '=', id).execute();
    permissionsOf.set(id, new Set(group.map((row) => row.permission)));
  }
});

async function acting(groupId: string): Promise<Acting> {
  const user = await quickUser(t, groupId);
  return { id: user.id, groupId, caller: await quickSession(t, user) };
}

const decisionKeys = (schema: z.ZodObject<z.ZodRawShape>) =>
  Object.entries(schema.shape)
    .filter(([, field]) => field === DecisionSchema)
    .map(([key]) => key)
    .sort();

describe('every `can` has a real request behind each of its decisions', () => {
  for (const [name, resource] of Object.entries(RESOURCES)) {
    it(name, () => {
      expect(Object.keys(resource.actions).sort()).toEqual(decisionKeys(resource.abilities));
    });
  }
});

/** Per resource and action, how often the server was seen to allow and to refuse it. */
const seen = new Map<string, { allowed: number; refused: Set<string> }>();

describe('what the UI is told is what the server does', () => {
  for (const [resourceName, resource] of Object.entries(RESOURCES)) {
    for (const actingName of Object.keys(ACTING_GROUPS)) {
      it(`${actingName} on each ${resourceName}`, async () => {
        const groupId = actingGroupIds.get(actingName)!;
        for (const variant of resource.variants) {
          for (const [action, perform] of Object.entries(resource.actions)) {
            const needed = resource.shownOnlyWith?.[action];
            const isAdministrator = groupId === SYSTEM_GROUP_IDS.administrator;
            if (needed && !isAdministrator && !permissionsOf.get(groupId)!.has(needed)) continue;
            const who = await acting(groupId);
            const id = await resource.make(variant, who);
            const can = await resource.read(who.caller, id);
            if (can === null) continue; // The UI cannot show what the caller cannot see.
            const decision = can[action] as Decision;
            const response = await perform(who.caller, id, who);
            const label = `${action} on ${variant}: ${response.statusCode} ${response.body.slice(0, 200)}`;
            if (decision.allowed) expect(response.statusCode, label).toBeLessThan(300);
            else expect(errorOf(response), label).toMatchObject({ code: decision.code, message: decision.message });
            const tally = seen.get(`${resourceName} ${action}`) ?? { allowed: 0, refused: new Set<string>() };
            if (decision.allowed) tally.allowed += 1;
            else tally.refused.add(decision.code);
            seen.set(`${resourceName} ${action}`, tally);
          }
        }
      });
    }
  }

  // The cases above mean something only if each action was both allowed and refused somewhere.
  it('tried every action both ways', () => {
    for (const [resourceName, resource] of Object.entries(RESOURCES))
      for (const action of Object.keys(resource.actions)) {
        const tally = seen.get(`${resourceName} ${action}`);
        expect(tally?.allowed, `${resourceName} ${action} allowed`).toBeGreaterThan(0);
        if (!resource.neverRefusedWhereShown?.includes(action))
          expect(tally?.refused.size, `${resourceName} ${action} refused`).toBeGreaterThan(0);
      }
  });
});

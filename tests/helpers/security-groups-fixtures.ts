/** Fixtures for the security group tests: a member of a custom group, with a session and an API token. */
import { randomBytes } from 'node:crypto';
import type { UserWithGroup } from '../../src/server/db/schema.js';
import type { SecurityGroup } from '../../src/shared/schemas/security-groups.js';
import { createCustomGroup, giveApiToken, quickSession, quickUser } from './fixtures.js';
import { tokenCaller, type Caller, type TestApp } from './test-app.js';

export interface GroupMember {
  groupId: string;
  user: UserWithGroup;
  session: Caller;
  token: Caller;
}

/** A new custom group holding exactly `permissions`, and one account in it, signed in both ways. */
export async function customGroupMember(t: TestApp, permissions: readonly string[]): Promise<GroupMember> {
  const groupId = await createCustomGroup(t, permissions);
  const user = await quickUser(t, groupId);
  return {
    groupId,
    user,
    session: await quickSession(t, user),
    token: tokenCaller(t, await giveApiToken(t, user.id)),
  };
}

/** A valid POST /api/v1/security-groups body with a unique name. */
export function groupBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: `Group ${randomBytes(4).toString('hex')}`,
    description: 'Made by a test',
    permissions: ['records:view', 'reports:view'],
    ...overrides,
  };
}

/** Every group as `caller` sees it in GET /api/v1/security-groups, by ID. */
export async function groupsSeenBy(caller: Caller): Promise<Map<string, SecurityGroup>> {
  const response = await caller.request({ method: 'GET', url: '/api/v1/security-groups' });
  if (response.statusCode !== 200) throw new Error(`list failed: ${response.statusCode} ${response.body}`);
  const groups = response.json<{ groups: SecurityGroup[] }>().groups;
  return new Map(groups.map((group) => [group.id, group]));
}

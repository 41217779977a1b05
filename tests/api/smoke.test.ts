import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, makeUser, signIn, type TestApp } from '../helpers/test-app.js';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';

describe('smoke', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t?.close());

  it('signs an Administrator in and lists users', async () => {
    const admin = await makeUser(t, SYSTEM_GROUP_IDS.administrator);
    const caller = await signIn(t, admin.email);
    const response = await caller.request({ method: 'GET', url: '/api/v1/users' });
    expect(response.statusCode).toBe(200);
    expect(response.json().users.map((u: { email: string }) => u.email)).toContain(admin.email);
  });
});

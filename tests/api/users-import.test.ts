/**
 * CSV import of accounts: the preview writes nothing and lists per-line errors by column; the
 * import creates every account or none, each audited as New User audits it; no password comes from
 * a file (imported accounts cannot sign in until Reset Password, then must change it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import { expectRefused } from '../helpers/assertions.js';
import {
  auditSince,
  createCustomGroup,
  lastAuditId,
  quickSession,
  quickUser,
  stateSnapshot,
  uniqueEmail,
} from '../helpers/fixtures.js';
import { createTestApp, signIn, TEST_PASSWORD, UI_HEADERS, type Caller, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let admin: Caller;

beforeAll(async () => {
  t = await createTestApp();
  admin = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.administrator));
});
afterAll(async () => t?.close());

const csvOf = (...lines: string[]) => lines.map((line) => `${line}\r\n`).join('');
const HEADER =
  'Email,First Name,Last Name,Title,Telephone,Security Group,Functional Group,Session Timeout,User Must Change Password at Next Login';

function preview(caller: Caller, csv: string): Promise<LightMyRequestResponse> {
  return caller.request({ method: 'POST', url: '/api/v1/users/import/preview', payload: { csv } });
}
function runImport(caller: Caller, csv: string): Promise<LightMyRequestResponse> {
  return caller.request({ method: 'POST', url: '/api/v1/users/import', payload: { csv } });
}

async function accountsByEmail(emails: string[]) {
  return t.db
    .selectFrom('users')
    .selectAll()
    .where(
      'email_normalized',
      'in',
      emails.map((email) => email.toLowerCase()),
    )
    .execute();
}

describe('import', () => {
  it('creates every account of a valid file (BOM, CRLF, quoted cells), each audited as New User, plus one summary', async () => {
    const [a, b] = [uniqueEmail('imp-a'), uniqueEmail('imp-b')];
    const csv =
      '\ufeff' +
      csvOf(
        HEADER,
        `${a},Ann,"O'Neil, Jr.",Analyst,+1 555 0100,regular user,Finance,30,yes`,
        `${b.toUpperCase()},Bo,Berg,,,Read Only User,"Audit ""team""",,`,
      );
    const auditBefore = await lastAuditId(t);
    const previewed = await preview(admin, csv);
    expect(previewed.statusCode, previewed.body).toBe(200);
    expect(previewed.json().summary).toEqual({ create: 2, errors: 0 });
    expect(previewed.json().rows[0]).toMatchObject({
      line: 2,
      email: a,
      lastName: "O'Neil, Jr.",
      securityGroup: 'Regular User',
      sessionTimeoutMinutes: 30,
      mustChangePassword: true,
      errors: [],
    });
    expect(await accountsByEmail([a, b])).toHaveLength(0);

    const response = await runImport(admin, csv);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ created: 2, users: [{ email: a }, { email: b.toUpperCase() }] });
    const created = await accountsByEmail([a, b]);
    expect(created).toHaveLength(2);
    const ann = created.find((user) => user.email === a)!;
    expect(ann).toMatchObject({
      first_name: 'Ann',
      title: 'Analyst',
      security_group_id: SYSTEM_GROUP_IDS.regularUser,
      functional_group: 'Finance',
      session_timeout_minutes: 30,
      user_type: 'native',
      status: 'enabled',
      password_hash: null,
      must_change_password: 1,
    });
    const bo = created.find((user) => user.email !== a)!;
    expect(bo).toMatchObject({ functional_group: 'Audit "team"', session_timeout_minutes: 60 });

    const audit = await auditSince(t, auditBefore);
    expect(audit.map((row) => [row.action, row.target_email])).toEqual([
      ['user.created', a],
      ['user.created', b.toUpperCase()],
      ['users.imported', null],
    ]);
    expect(audit[0]!.details).toMatchObject({ securityGroup: SYSTEM_GROUP_IDS.regularUser, userType: 'native' });
    expect(audit[2]!.details).toEqual({ created: 2 });

    // No password from a file: nothing signs in to an imported account.
    const refusedSignIn = await t.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      headers: UI_HEADERS,
      payload: { email: a, password: TEST_PASSWORD },
    });
    expect(refusedSignIn.statusCode).toBe(401);

    // Reset Password gives it a first password, which must be changed at once.
    const reset = await admin.request({
      method: 'PATCH',
      url: `/api/v1/users/${ann.id}/security`,
      payload: { resetPassword: { newPassword: TEST_PASSWORD, confirmNewPassword: TEST_PASSWORD } },
    });
    expect(reset.statusCode, reset.body).toBe(200);
    const owner = await signIn(t, a);
    const me = await owner.request({ method: 'GET', url: '/api/v1/users' });
    expect(me.json().error.code).toBe('password_change_required');
  });

  it('a file with one bad line creates none and names the line and the column (preview and import)', async () => {
    const [good, bad] = [uniqueEmail('good'), 'not-an-email'];
    const csv = csvOf(HEADER, `${good},Gia,Good,,,Regular User,,,`, `${bad},Ben,Bad,,,Regular User,,,`);
    const body = (await preview(admin, csv)).json();
    expect(body.summary).toEqual({ create: 1, errors: 1 });
    expect(body.rows[1]).toMatchObject({
      line: 3,
      errors: [{ column: 'Email', message: expect.stringMatching(/valid email/) }],
    });

    const error = await expectRefused(t, () => runImport(admin, csv), 422, 'import_has_errors');
    expect(error.fields).toEqual({ 'line 3': expect.stringMatching(/^Email: Enter a valid email/) });
    expect(await accountsByEmail([good])).toHaveLength(0);
  });

  it('checks every field as New User does', async () => {
    const csv = csvOf(
      HEADER,
      `${uniqueEmail()},,Last,,,Regular User,,,`,
      `${uniqueEmail()},First,Last,,call me,Regular User,,,`,
      `${uniqueEmail()},First,Last,,,Regular User,,abc,`,
      `${uniqueEmail()},First,Last,,,Regular User,,2,`,
      `${uniqueEmail()},First,Last,,,Regular User,,600,`,
      `${uniqueEmail()},First,Last,,,,,,`,
      `${uniqueEmail()},First,Last,,,Spaceship Crew,,,`,
      `${uniqueEmail()},First,Last,,,Regular User,,,no`,
      `${uniqueEmail()},First,Last,,,Regular User,,,,surplus`,
      `${uniqueEmail()},${'f'.repeat(101)},Last,,,Regular User,,,`,
    );
    const body = (await preview(admin, csv)).json();
    const columns = Object.fromEntries(
      body.rows.map((row: { line: number; errors: Array<{ column: string | null }> }) => [
        row.line,
        row.errors.map((error) => error.column),
      ]),
    );
    expect(columns).toEqual({
      2: ['First Name'],
      3: ['Telephone'],
      4: ['Session Timeout'],
      5: ['Session Timeout'],
      6: ['Session Timeout'],
      7: ['Security Group'],
      8: ['Security Group'],
      9: ['User Must Change Password at Next Login'],
      10: [null],
      11: ['First Name'],
    });
    expect(body.rows[4].errors[0].message).toMatch(/Maximum Session Timeout|at most|maximum/i);
    expect(body.rows[6].errors[0].message).toBe('Unknown security group "Spaceship Crew".');
  });

  it('refuses duplicate emails inside the file and against the installation, in any letter case', async () => {
    const existing = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
    const email = uniqueEmail('twice');
    const csv = csvOf(
      'email,first name,last name,security group',
      `${email},One,Person,Regular User`,
      `${email.toUpperCase()},Two,Person,Regular User`,
      `${existing.email.toUpperCase()},Three,Person,Regular User`,
    );
    const body = (await preview(admin, csv)).json();
    expect(body.rows.map((row: { errors: unknown[] }) => row.errors)).toEqual([
      [],
      [{ column: 'Email', message: 'Line 2 has the same email.' }],
      [{ column: 'Email', message: 'An account with this email already exists.' }],
    ]);
    await expectRefused(t, () => runImport(admin, csv), 422, 'import_has_errors');
  });

  it('refuses a group with rights the importer lacks, as New User does', async () => {
    const manager = await quickSession(
      t,
      await quickUser(t, await createCustomGroup(t, ['users_groups:view', 'users_groups:create'])),
    );
    const csv = csvOf('Email,First Name,Last Name,Security Group', `${uniqueEmail()},Eve,Up,Administrator`);
    const body = (await preview(manager, csv)).json();
    expect(body.rows[0].errors).toEqual([{ column: 'Security Group', message: expect.any(String) }]);
    await expectRefused(t, () => runImport(manager, csv), 422, 'import_has_errors');
  });

  it('is refused without users_groups:create (403, nothing changed)', async () => {
    const viewer = await quickSession(t, await quickUser(t, await createCustomGroup(t, ['users_groups:view'])));
    const csv = csvOf('Email,First Name,Last Name,Security Group', `${uniqueEmail()},No,Right,Regular User`);
    await expectRefused(t, () => preview(viewer, csv), 403, 'forbidden');
    await expectRefused(t, () => runImport(viewer, csv), 403, 'forbidden');
  });

  it('refuses malformed files with a clear 400 on csv, and a body over 1 MiB with 413, changing nothing', async () => {
    for (const csv of [
      '',
      'Email,First Name\r\nx@example.test,X\r\n',
      'Email,First Name,Last Name,Security Group,Password\r\n',
      'Email,First Name,Last Name,Security Group,Shoe Size\r\n',
      'Email,First Name,Last Name,Security Group\r\n"unterminated,A,B,Regular User\r\n',
      'Email,First Name,Last Name,Security Group\r\n',
      'Email,Email,First Name,Last Name,Security Group\r\n',
    ]) {
      const error = await expectRefused(t, () => runImport(admin, csv), 400, 'validation_failed', 'csv');
      expect(error.message.length).toBeGreaterThan(10);
    }
    const rows = Array.from({ length: 1001 }, (_, i) => `r${i}@example.test,A,B,Regular User`);
    await expectRefused(
      t,
      () => preview(admin, csvOf('Email,First Name,Last Name,Security Group', ...rows)),
      400,
      'validation_failed',
      'csv',
    );
    const before = await stateSnapshot(t);
    const huge = `Email,First Name,Last Name,Security Group\r\nx@example.test,${'x'.repeat(1024 * 1024)},B,Regular User\r\n`;
    expect((await runImport(admin, huge)).statusCode).toBe(413);
    expect(await stateSnapshot(t)).toEqual(before);
  });

  it('two concurrent imports of the same email: one creates it, the other gets a 4xx, never a 500', async () => {
    const email = uniqueEmail('race');
    const csv = csvOf('Email,First Name,Last Name,Security Group', `${email},Race,Person,Regular User`);
    const responses = await Promise.all([runImport(admin, csv), runImport(admin, csv), runImport(admin, csv)]);
    const statuses = responses.map((response) => response.statusCode).sort();
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    for (const status of statuses.filter((s) => s !== 200)) expect([409, 422]).toContain(status);
    expect(await accountsByEmail([email])).toHaveLength(1);
  });
});

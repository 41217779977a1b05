/**
 * Every audit action written anywhere in src/server has a label and a category, and the details of
 * an entry read in the product's words ("Must change password: off → on").
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS, AUDIT_CATEGORIES, auditActionsIn, isAuditAction } from '../../src/shared/audit-actions.js';
import { describeAuditDetails, keyInWords } from '../../src/server/presenters/audit-wording.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Every action name written in src/server: `action: 'x.y'` (recordAudit or a direct insert) and the seed's list. */
function writtenActions(): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of sourceFiles('src/server')) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/\baction:\s*'([a-z_]+\.[a-z_.]+)'/g)) found.set(match[1]!, file);
    // The seed's weighted list of actions: ['user.updated', 30]
    for (const match of text.matchAll(/\[\s*'([a-z_]+\.[a-z_]+)',\s*\d+\s*\]/g)) found.set(match[1]!, file);
    // An action chosen in code: `const auditAction = … 'user.created' …`
    for (const match of text.matchAll(/auditAction\b[^;]*?'([a-z_]+\.[a-z_]+)'/g)) found.set(match[1]!, file);
  }
  return found;
}

describe('audit action labels', () => {
  it('every action written in src/server has a label and a category', () => {
    const written = writtenActions();
    // The scan finds the direct inserts as well as recordAudit's callers.
    expect(written.has('demo.loaded')).toBe(true);
    expect(written.has('user.security_updated')).toBe(true);
    expect(written.size).toBeGreaterThan(40);
    const missing = [...written].filter(([action]) => !isAuditAction(action)).map(([a, file]) => `${a} (${file})`);
    expect(missing, 'add these to src/shared/audit-actions.ts').toEqual([]);
  });

  it('every label is words, unique, and every category has actions', () => {
    const labels = Object.values(AUDIT_ACTIONS).map((a) => a.label);
    expect(new Set(labels).size).toBe(labels.length);
    for (const label of labels) expect(label).toMatch(/^[A-Z]/);
    expect(AUDIT_ACTIONS['demo.loaded'].label).toBe('Demo data loaded');
    for (const category of Object.keys(AUDIT_CATEGORIES) as (keyof typeof AUDIT_CATEGORIES)[])
      expect(auditActionsIn(category).length, category).toBeGreaterThan(0);
  });
});

describe('details in words', () => {
  const names = {
    accounts: new Map([['u1', { name: 'Ann Lee', email: 'ann@example.test' }]]),
    groups: new Map([
      ['regular-user', 'Regular User'],
      ['administrator', 'Administrator'],
    ]),
  };

  it('renders changes as "Label: a → b": booleans on/off, groups by name, values in words', () => {
    expect(
      describeAuditDetails(
        'user.security_updated',
        {
          changes: {
            must_change_password: { from: 0, to: 1 },
            security_group_id: { from: 'regular-user', to: 'administrator' },
            status: { from: 'enabled', to: 'disabled' },
          },
          sessionsEnded: 2,
          tokenRevoked: false,
        },
        names,
      ),
    ).toEqual([
      'Must change password: off → on',
      'Security Group: Regular User → Administrator',
      'Account Status: Enabled → Disabled',
      'Sessions ended: 2',
      'API token revoked: no',
    ]);
  });

  it('reads other shapes: top-level changes, settings, lists, hidden IDs, unknown keys', () => {
    expect(describeAuditDetails('user.updated', { title: { from: 'Dev', to: 'Lead' } })).toEqual(['Title: Dev → Lead']);
    expect(
      describeAuditDetails('task.assignee_changed', { taskId: 't1', title: 'Fix', from: null, to: 'u1' }, names),
    ).toEqual(['Assignee: — → Ann Lee (ann@example.test)', 'Title: Fix']);
    expect(describeAuditDetails('settings.updated', { changes: { logRetentionDays: { from: null, to: 30 } } })).toEqual(
      ['Log retention (days): — → 30'],
    );
    expect(
      describeAuditDetails('user.password_reset', { by: 'self', sessionsEnded: 0, mustChangePassword: true }),
    ).toEqual(['Reset by: the account itself', 'Sessions ended: 0', 'Must change password: on']);
    expect(describeAuditDetails('demo.loaded', {})).toEqual([]);
    expect(describeAuditDetails('x.y', { someNewThing: 'a' })).toEqual(['Some new thing: a']);
    expect(keyInWords('first_name')).toBe('First name');
  });
});

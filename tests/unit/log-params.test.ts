import { describe, expect, it } from 'vitest';
import {
  auditFilters,
  describeDetails,
  describeReason,
  loginFilters,
  openTab,
  readLogParams,
  writeLogParams,
} from '../../src/web/pages/logs/log-params.js';

describe('Logs page address', () => {
  it('reads and writes the tab, filters and cursor, dropping what is unknown', () => {
    const params = readLogParams(
      new URLSearchParams(
        'tab=logins&email=ann&result=failure&from=2026-01-02&to=bad&cursor=WyJhIl0&pageSize=100&action=nope&page=3',
      ),
    );
    expect(params).toMatchObject({
      tab: 'logins',
      email: 'ann',
      result: 'failure',
      fromDate: '2026-01-02',
      toDate: '',
    });
    expect(params).toMatchObject({ cursor: 'WyJhIl0', pageSize: 100, action: '' });
    expect(params).not.toHaveProperty('page');
    expect(writeLogParams(params).toString()).toBe(
      'tab=logins&email=ann&result=failure&from=2026-01-02&cursor=WyJhIl0&pageSize=100',
    );
    expect(writeLogParams(readLogParams(new URLSearchParams())).toString()).toBe('');
  });

  it('opens a tab on its unfiltered first page, keeping the page size', () => {
    const filtered = readLogParams(
      new URLSearchParams(
        'tab=events&actor=a@x.test&target=b@x.test&action=user.created&from=2026-01-02&to=2026-01-03&cursor=WyJhIl0&pageSize=100',
      ),
    );
    expect(writeLogParams({ ...filtered, ...openTab('logins') }).toString()).toBe('tab=logins&pageSize=100');
    expect(writeLogParams({ ...filtered, ...openTab('events') }).toString()).toBe('pageSize=100');
  });

  it('turns picked days into the start and end of the UTC day', () => {
    const params = readLogParams(new URLSearchParams('from=2026-03-01&to=2026-03-31&action=user.created'));
    expect(auditFilters(params)).toMatchObject({
      action: 'user.created',
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-03-31T23:59:59.999Z',
    });
    expect(loginFilters(readLogParams(new URLSearchParams()))).toMatchObject({ from: undefined, to: undefined });
  });
});

describe('describeDetails', () => {
  it('shows changes as old → new, and other details as they are', () => {
    expect(describeDetails({ changes: { status: { from: 'enabled', to: 'disabled' } } })).toBe(
      'status: enabled → disabled',
    );
    expect(describeDetails({ securityGroup: 'read-only-user', userType: 'native' })).toBe(
      'securityGroup: read-only-user; userType: native',
    );
    expect(describeDetails({ masked: 'lk_…abcd', replacedPrevious: false, note: null })).toBe(
      'masked: lk_…abcd; replacedPrevious: false; note: —',
    );
    expect(describeDetails({})).toBe('');
  });

  it('puts a failure reason into words', () => {
    expect(describeReason('wrong_password')).toBe('Wrong password');
    expect(describeReason(null)).toBe('—');
  });
});

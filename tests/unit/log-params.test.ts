import { describe, expect, it } from 'vitest';
import {
  auditFilters,
  describeReason,
  loginFilters,
  openTab,
  readLogParams,
  writeLogParams,
} from '../../src/web/pages/logs/log-params.js';
import { formatCalendarDate, formatDateTime } from '../../src/web/format/date-time.js';

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

  it("turns picked days into the start and end of the viewer's day, in UTC for the API", () => {
    const params = readLogParams(
      new URLSearchParams('from=2026-03-01&to=2026-03-31&action=user.created&category=accounts'),
    );
    expect(auditFilters(params)).toMatchObject({
      category: 'accounts',
      action: 'user.created',
      from: new Date(2026, 2, 1, 0, 0, 0, 0).toISOString(),
      to: new Date(2026, 2, 31, 23, 59, 59, 999).toISOString(),
    });
    const zone = process.env.TZ;
    try {
      // Berlin in winter is UTC+1: its 1 March begins at 23:00 UTC on 28 February.
      process.env.TZ = 'Europe/Berlin';
      expect(auditFilters(params)).toMatchObject({
        from: '2026-02-28T23:00:00.000Z',
        to: '2026-03-31T21:59:59.999Z',
      });
      expect(formatDateTime('2026-12-07T13:03:00Z', { dateFormat: 'yyyy-mm-dd', timeFormat: '24-hour' })).toBe(
        '2026-12-07 14:03 UTC+1',
      );
      process.env.TZ = 'Asia/Kolkata';
      expect(formatDateTime('2026-12-07T13:03:00Z', { dateFormat: 'dd mon yyyy', timeFormat: '12-hour' })).toBe(
        '07 Dec 2026 6:33 PM UTC+5:30',
      );
      expect(formatCalendarDate('2026-12-07', 'mm/dd/yyyy')).toBe('12/07/2026');
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
    expect(readLogParams(new URLSearchParams('category=nope')).category).toBe('');
    expect(loginFilters(readLogParams(new URLSearchParams()))).toMatchObject({ from: undefined, to: undefined });
  });
});

describe('describeReason', () => {
  it('puts a failure reason into words', () => {
    expect(describeReason('wrong_password')).toBe('Wrong password');
    expect(describeReason(null)).toBe('—');
  });
});

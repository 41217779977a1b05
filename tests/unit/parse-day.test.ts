import { describe, expect, it } from 'vitest';
import { formatCalendarDate, parseDay } from '../../src/web/format/date-time.js';
import { DATE_FORMATS } from '../../src/shared/schemas/users.js';

describe('parseDay: a day typed in the date pickers', () => {
  it("reads each Date Format as it is written, and gives the API's YYYY-MM-DD", () => {
    expect(parseDay('2026-12-07', 'yyyy-mm-dd')).toBe('2026-12-07');
    expect(parseDay('12/07/2026', 'mm/dd/yyyy')).toBe('2026-12-07');
    expect(parseDay('07/12/2026', 'dd/mm/yyyy')).toBe('2026-12-07');
    expect(parseDay('7/12/2026', 'dd/mm/yyyy')).toBe('2026-12-07');
    expect(parseDay('07 Dec 2026', 'dd mon yyyy')).toBe('2026-12-07');
    expect(parseDay(' 7 december 2026 ', 'dd mon yyyy')).toBe('2026-12-07');
  });

  it('takes YYYY-MM-DD in every format (no format can mistake it)', () => {
    for (const format of DATE_FORMATS) expect(parseDay('2030-01-02', format)).toBe('2030-01-02');
  });

  it('reads back every day as the pickers show it', () => {
    for (const format of DATE_FORMATS)
      for (const day of ['2026-01-31', '2026-02-28', '2028-02-29', '2026-12-07'])
        expect(parseDay(formatCalendarDate(day, format), format), `${format} ${day}`).toBe(day);
  });

  it('refuses what is not a real day in the format: no guessing, no rolling over', () => {
    expect(parseDay('31/02/2026', 'dd/mm/yyyy')).toBeNull();
    expect(parseDay('12/31/2026', 'dd/mm/yyyy')).toBeNull();
    expect(parseDay('31/12/2026', 'mm/dd/yyyy')).toBeNull();
    expect(parseDay('07/12/2026', 'yyyy-mm-dd')).toBeNull();
    expect(parseDay('07 Dez 2026', 'dd mon yyyy')).toBeNull();
    expect(parseDay('2027-02-29', 'yyyy-mm-dd')).toBeNull();
    expect(parseDay('', 'yyyy-mm-dd')).toBeNull();
    expect(parseDay('yesterday', 'dd mon yyyy')).toBeNull();
  });
});

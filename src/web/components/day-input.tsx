import { DateInput } from '@mantine/dates';
// Only the pages with a day to pick load the date pickers' styles (with their code), not the first load.
import '@mantine/dates/styles.css';
import type { User } from '../../shared/schemas/users.js';
import { DAYJS_DATE_FORMATS, parseDay } from '../format/date-time.js';
import { IconCalendar } from './icons.js';

/** The picker's month and year controls, named for screen readers (Mantine leaves them unnamed). */
const CALENDAR_LABELS = {
  previousMonth: 'Previous month',
  nextMonth: 'Next month',
  previousYear: 'Previous year',
  nextYear: 'Next year',
  previousDecade: 'Previous decade',
  nextDecade: 'Next decade',
  monthLevelControl: 'Choose a month',
  yearLevelControl: 'Choose a year',
};

export interface DayInputProps {
  label: string;
  /** The day as YYYY-MM-DD, '' for none. */
  value: string;
  /** The day picked or typed, YYYY-MM-DD; '' when cleared. */
  onChange: (day: string) => void;
  /** The viewer's Date Format: the field shows, and accepts typed, days in it. */
  dateFormat: User['dateFormat'];
  /** Earliest and latest days the calendar offers (YYYY-MM-DD). */
  minDate?: string;
  maxDate?: string;
  error?: string;
  w?: number;
}

/**
 * A day (no time) in the viewer's Date Format: typed ("07/12/2026", or 2026-12-07 in any format)
 * or picked from a calendar, whose days are buttons reached by the arrow keys. The value stays
 * YYYY-MM-DD, the API's form for a day.
 */
export function DayInput({ label, value, onChange, dateFormat, minDate, maxDate, error, w }: DayInputProps) {
  const format = DAYJS_DATE_FORMATS[dateFormat];
  return (
    <DateInput
      label={label}
      value={value || null}
      onChange={(day) => onChange(day ?? '')}
      valueFormat={format}
      dateParser={(text) => parseDay(text, dateFormat)}
      placeholder={dateFormat}
      minDate={minDate || undefined}
      maxDate={maxDate || undefined}
      clearable
      clearButtonProps={{ 'aria-label': `Clear ${label}` }}
      ariaLabels={CALENDAR_LABELS}
      // Mantine writes weekends in red-6 (3.3:1 on white) and the neighbouring months' days faded
      // (2.2:1), below WCAG AA's 4.5:1: weekends look like other days, other months' days are left out.
      weekendDays={[]}
      hideOutsideDates
      leftSection={<IconCalendar />}
      error={error}
      w={w}
      popoverProps={{ withinPortal: true }}
      autoComplete="off"
    />
  );
}

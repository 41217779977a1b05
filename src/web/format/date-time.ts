import type { User } from '../../shared/schemas/users.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

export type DateTimePreferences = Pick<User, 'dateFormat' | 'timeFormat'>;

/** A date in the viewer's preferred format (in the browser's time zone). */
export function formatDate(date: Date, dateFormat: User['dateFormat']): string {
  const d = pad(date.getDate());
  const m = pad(date.getMonth() + 1);
  const y = String(date.getFullYear());
  switch (dateFormat) {
    case 'mm/dd/yyyy':
      return `${m}/${d}/${y}`;
    case 'dd/mm/yyyy':
      return `${d}/${m}/${y}`;
    case 'dd mon yyyy':
      return `${d} ${MONTHS[date.getMonth()]} ${y}`;
    case 'yyyy-mm-dd':
    default:
      return `${y}-${m}-${d}`;
  }
}

export function formatTime(date: Date, timeFormat: User['timeFormat']): string {
  const minutes = pad(date.getMinutes());
  if (timeFormat === '12-hour') {
    const hours = date.getHours() % 12 || 12;
    return `${hours}:${minutes} ${date.getHours() < 12 ? 'AM' : 'PM'}`;
  }
  return `${pad(date.getHours())}:${minutes}`;
}

/**
 * The browser's time zone at `date` as its offset from UTC: "UTC", "UTC+1", "UTC-5", "UTC+5:30".
 * An offset rather than a zone's abbreviation: every browser spells it alike, and it names the
 * instant without doubt (summer and winter time differ, so the offset is the one at that date).
 */
export function formatZone(date: Date): string {
  const minutes = -date.getTimezoneOffset();
  if (minutes === 0) return 'UTC';
  const sign = minutes > 0 ? '+' : '-';
  const abs = Math.abs(minutes);
  const hours = Math.floor(abs / 60);
  const rest = abs % 60;
  return `UTC${sign}${hours}${rest ? `:${pad(rest)}` : ''}`;
}

/**
 * An ISO timestamp from the API as the viewer prefers to read it, in the browser's time zone and
 * saying which ("2026-12-07 14:03 UTC+1"); `fallback` when there is none. Every time the UI shows
 * goes through here (or formatDate/formatTime with formatZone).
 */
export function formatDateTime(iso: string | null, prefs: DateTimePreferences, fallback = 'Never'): string {
  const parts = dateTimeParts(iso, prefs);
  return parts ? `${parts.date} ${parts.time}` : fallback;
}

/**
 * formatDateTime's two halves, the day ("07 Dec 2026") and the time with its zone ("11:58 PM
 * UTC+5:30"), for a narrow table column that may break between them but never inside either.
 */
export function dateTimeParts(iso: string | null, prefs: DateTimePreferences): { date: string; time: string } | null {
  if (!iso) return null;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return null;
  return {
    date: formatDate(date, prefs.dateFormat),
    time: `${formatTime(date, prefs.timeFormat)} ${formatZone(date)}`,
  };
}

/**
 * A calendar date the API holds as YYYY-MM-DD (a task's due date: a day, not an instant, so no
 * zone) in the viewer's date format; `fallback` for none.
 */
export function formatCalendarDate(day: string | null, dateFormat: User['dateFormat'], fallback = '—'): string {
  const match = day ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(day) : null;
  if (!match) return day || fallback;
  return formatDate(new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3])), dateFormat);
}

/**
 * A day picked in a date filter (YYYY-MM-DD) as the instant its first or last millisecond begins
 * in the browser's time zone, in ISO UTC for the API: a person who picks 7 December means their
 * 7 December, midnight to midnight, wherever UTC's day begins.
 */
export function localDayBoundary(day: string, edge: 'start' | 'end'): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return undefined;
  const [y, m, d] = [Number(match[1]), Number(match[2]) - 1, Number(match[3])];
  const date = edge === 'start' ? new Date(y, m, d, 0, 0, 0, 0) : new Date(y, m, d, 23, 59, 59, 999);
  return date.toISOString();
}

/** "Generated <when> · last used <when> from <address>" (or "· never used") for a token's field. */
export function describeTokenUse(
  token: { createdAt: string; lastUsedAt: string | null; lastUsedIp: string | null },
  prefs: DateTimePreferences,
): string {
  const lastUse = token.lastUsedAt
    ? `last used ${formatDateTime(token.lastUsedAt, prefs)}${token.lastUsedIp ? ` from ${token.lastUsedIp}` : ''}`
    : 'never used';
  return `Generated ${formatDateTime(token.createdAt, prefs)} · ${lastUse}`;
}

/** Each Date Format as dayjs spells it (the date pickers show their day in it). */
export const DAYJS_DATE_FORMATS: Record<User['dateFormat'], string> = {
  'yyyy-mm-dd': 'YYYY-MM-DD',
  'mm/dd/yyyy': 'MM/DD/YYYY',
  'dd/mm/yyyy': 'DD/MM/YYYY',
  'dd mon yyyy': 'DD MMM YYYY',
};

/**
 * A day typed in the viewer's Date Format ("07/12/2026" for dd/mm/yyyy, "7 dec 2026" for dd mon
 * yyyy) as YYYY-MM-DD; also YYYY-MM-DD itself, which no format can mistake. Null when it is not
 * a real day in that format (31/02/2026, 12/31/2026 for dd/mm/yyyy).
 */
export function parseDay(text: string, dateFormat: User['dateFormat']): string | null {
  const input = text.trim();
  let parts: [year: number, month: number, day: number] | null = null;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(input);
  const slashed = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(input);
  const named = /^(\d{1,2})\s+([a-z]{3})[a-z]*\.?\s+(\d{4})$/i.exec(input);
  if (iso) parts = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (slashed && dateFormat === 'mm/dd/yyyy') parts = [Number(slashed[3]), Number(slashed[1]), Number(slashed[2])];
  else if (slashed && dateFormat === 'dd/mm/yyyy') parts = [Number(slashed[3]), Number(slashed[2]), Number(slashed[1])];
  else if (named && dateFormat === 'dd mon yyyy') {
    const month = MONTHS.findIndex((name) => name.toLowerCase() === named[2]!.slice(0, 3).toLowerCase());
    if (month >= 0) parts = [Number(named[3]), month + 1, Number(named[1])];
  }
  if (!parts) return null;
  const [year, month, day] = parts;
  const date = new Date(year, month - 1, day);
  // Date rolls 31 February over into March: only a day that stays itself is real.
  if (date.getFullYear() !== year || date.getMonth() !== month - 1 || date.getDate() !== day) return null;
  return `${String(year).padStart(4, '0')}-${pad(month)}-${pad(day)}`;
}

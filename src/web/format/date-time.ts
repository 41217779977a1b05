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

/** An ISO timestamp from the API as the viewer prefers to read it; `fallback` when there is none. */
export function formatDateTime(iso: string | null, prefs: DateTimePreferences, fallback = 'Never'): string {
  if (!iso) return fallback;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return fallback;
  return `${formatDate(date, prefs.dateFormat)} ${formatTime(date, prefs.timeFormat)}`;
}

/**
 * Times and keys in the formats the app writes, made fast enough for tens of millions of rows.
 */
import { randomBytes } from 'node:crypto';

export const DAY_MS = 86_400_000;
export const YEAR_MS = 365 * DAY_MS;

/**
 * An ISO 8601 time in UTC, as Date#toISOString writes it, built from a cached date part: the seed
 * writes tens of millions of them, and new Date(…).toISOString() was a tenth of its JS time.
 * Exported for its test.
 */
export const isoDays = new Map<number, string>();
export const two = (n: number) => (n < 10 ? `0${n}` : `${n}`);
export function iso(ms: number): string {
  const inDay = ms - Math.floor(ms / DAY_MS) * DAY_MS;
  const day = ms - inDay;
  let dayText = isoDays.get(day);
  if (dayText === undefined) isoDays.set(day, (dayText = new Date(day).toISOString().slice(0, 11)));
  const millis = inDay % 1000;
  const seconds = Math.floor(inDay / 1000);
  return (
    `${dayText}${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}.` +
    `${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`
  );
}

/**
 * n random version 4 UUIDs in ascending order. Rows written in key order add to the right edge
 * of a unique index; random keys split pages all over it (measured on SQLite: a million rows with
 * a random text primary key took three times as long as without one). The first 48 bits of the
 * i-th one are a random number in the i-th of n equal slices of their range, so they ascend
 * without sorting (sorting a million strings took seconds); the other 74 random bits of a
 * version 4 UUID stay random. Exported for its test.
 */
export function ascendingUuids(n: number): string[] {
  const slice = Math.floor(2 ** 48 / Math.max(n, 1));
  const uuids = new Array<string>(n);
  const CHUNK = 65_536;
  for (let start = 0; start < n; start += CHUNK) {
    const k = Math.min(CHUNK, n - start);
    const random = randomBytes(k * 16);
    const hex = random.toString('hex');
    for (let j = 0; j < k; j++) {
      const i = start + j;
      const head = (i * slice + (random.readUIntBE(j * 16, 6) % slice)).toString(16).padStart(12, '0');
      const rest = hex.slice(j * 32 + 12, j * 32 + 32);
      uuids[i] =
        `${head.slice(0, 8)}-${head.slice(8)}-4${rest.slice(0, 3)}-` +
        `${'89ab'[random[j * 16 + 6]! & 3]}${rest.slice(4, 7)}-${rest.slice(8)}`;
    }
  }
  return uuids;
}

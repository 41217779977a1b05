/**
 * Keyset (cursor) paging facts the web app needs without zod (schemas/paging.ts builds the API's
 * schemas from them): the web's first load stays free of the validation library.
 */

/** The cursor that asks for the last page. */
export const CURSOR_LAST = 'last';
export const CURSOR_MAX_LENGTH = 1024;
export const CURSOR_PATTERN = /^[A-Za-z0-9_-]+$/;

/** Whether `value` can be a cursor (what CursorSchema accepts), so a page can drop one that cannot. */
export function isCursor(value: string): boolean {
  return value.length <= CURSOR_MAX_LENGTH && CURSOR_PATTERN.test(value);
}

/** How many rows match: exact, or (exact false) a lower bound. */
export interface Total {
  count: number;
  /** false: at least `count` rows match, possibly many more. */
  exact: boolean;
}

/**
 * A whole number with its thousands grouped, as `toLocaleString('en-US')` writes it: "1,234". Not
 * through Intl: a page's first call of it loads the locale's data, on a slow phone 0.1 s before the
 * users list could show its count and rows.
 */
export function formatCount(count: number): string {
  return String(count).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** "1,234", or "more than 10,000" when the count is a lower bound. */
export function describeTotal(total: Total): string {
  return total.exact ? formatCount(total.count) : `more than ${formatCount(total.count)}`;
}

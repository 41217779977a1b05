import { z } from 'zod';
import { CURSOR_MAX_LENGTH, CURSOR_PATTERN, describeTotal, type Total } from '../paging.js';

export { CURSOR_LAST } from '../paging.js';
export { describeTotal, type Total };

/**
 * Keyset (cursor) paging, shared by every list: users, records, tasks and both logs.
 *
 * A request names where its page starts with `cursor`: absent for the first page, `last` for the
 * last page, or a cursor the previous answer gave (`next` / `previous`). A cursor is opaque: it
 * holds the sort value and ID of the row it continues from, so a page costs the same anywhere in
 * a list of millions, and rows added or removed elsewhere never make a page repeat or skip a row.
 */
export const CursorSchema = z
  .string()
  .max(CURSOR_MAX_LENGTH)
  .regex(CURSOR_PATTERN, 'A cursor is a value a previous page gave, or "last".');

/** The query fields of every paged list (spread into its query schema). */
export function pageQueryFields(defaultPageSize: number) {
  return {
    /** Absent: the first page. "last": the last page. Otherwise a `next` or `previous` cursor. */
    cursor: CursorSchema.optional(),
    pageSize: z.coerce.number().int().min(1).max(500).default(defaultPageSize),
  };
}

/**
 * How many rows match: exact when counting was cheap, else a lower bound ("more than 10,000")
 * rather than a count that would read a million rows on every request.
 */
export const TotalSchema = z.object({
  count: z.number().int().min(0),
  /** false: at least `count` rows match, possibly many more. */
  exact: z.boolean(),
});

/** The paging part of every list answer (spread into its response schema). */
export const pageInfoFields = {
  pageSize: z.number().int(),
  /** The cursor of the page after this one; null on the last page. */
  next: z.string().nullable(),
  /** The cursor of the page before this one; null on the first page. */
  previous: z.string().nullable(),
  total: TotalSchema,
};
export type PageInfo = { pageSize: number; next: string | null; previous: string | null; total: Total };

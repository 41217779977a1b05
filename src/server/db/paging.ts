import type { SelectQueryBuilder } from 'kysely';

/** Which page of a list a request asks for (page counts from 1). */
export interface PageRequest {
  page: number;
  pageSize: number;
}

/** Limits a query to one page of its rows: use with `.$call(onePage(query))` after the ORDER BY. */
export function onePage({ page, pageSize }: PageRequest) {
  return <DB, TB extends keyof DB, O>(qb: SelectQueryBuilder<DB, TB, O>): SelectQueryBuilder<DB, TB, O> =>
    qb.limit(pageSize).offset((page - 1) * pageSize);
}

/**
 * One page of a list and how many rows match in all, queried together. `matching` is the list's
 * FROM and WHERE without its selection (the count needs no columns, joins only where they filter).
 */
export async function pageWithTotal<R, DB, TB extends keyof DB>(
  page: { execute(): Promise<R[]> },
  matching: SelectQueryBuilder<DB, TB, object>,
): Promise<{ rows: R[]; total: number }> {
  // Kysely cannot resolve the selection's type for a generic table, so it is named here.
  const counted = matching
    .select((eb) => eb.fn.countAll<number | string>().as('total'))
    .executeTakeFirstOrThrow() as Promise<{ total: number | string }>;
  const [rows, count] = await Promise.all([page.execute(), counted]);
  return { rows, total: Number(count.total) };
}

/**
 * What every SCIM list (GET /Users, GET /Groups) shares: reading startIndex and count
 * (RFC 7644 §3.4.2.4), turning the filter into SQL (a filter we cannot read is 400 invalidFilter),
 * and the ListResponse around one page.
 */
import type { RawBuilder, SqlBool } from 'kysely';
import { invalidValue, ScimError } from './scim-errors.js';
import { parseFilter, ScimFilterError, type Filter } from './scim-filter.js';
import { SCIM_LIST_SCHEMA, SCIM_MAX_RESULTS } from './scim-schema.js';

export interface ScimListQuery {
  filter?: string;
  startIndex?: string;
  count?: string;
}

/** An integer query parameter, or the fallback when absent; anything else is 400 invalidValue. */
export function integerParam(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  if (!/^-?\d{1,9}$/.test(value.trim())) throw invalidValue(`${name} must be an integer.`);
  return Number(value);
}

/** The page asked for: a startIndex under 1 is 1, a negative count 0, a count above our maximum the maximum. */
export function scimPage(query: ScimListQuery): { startIndex: number; count: number } {
  return {
    startIndex: Math.max(1, integerParam(query.startIndex, 'startIndex', 1)),
    count: Math.min(SCIM_MAX_RESULTS, Math.max(0, integerParam(query.count, 'count', 100))),
  };
}

/** The filter as a SQL condition (null without one), built by the resource's own `toSql`. */
export function scimFilterCondition(
  filter: string | undefined,
  toSql: (parsed: Filter) => RawBuilder<SqlBool>,
): RawBuilder<SqlBool> | null {
  if (filter === undefined) return null;
  try {
    return toSql(parseFilter(filter));
  } catch (error) {
    if (error instanceof ScimFilterError) throw new ScimError(400, 'invalidFilter', error.message);
    throw error;
  }
}

/** A ListResponse: the total of all matches and one page of resources. */
export function scimListResponse<Resource>(totalResults: number, startIndex: number, resources: Resource[]) {
  return {
    schemas: [SCIM_LIST_SCHEMA],
    totalResults,
    startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}

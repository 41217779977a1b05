import { hashKey, type QueryClient } from '@tanstack/react-query';
import type { Me } from '../../../shared/schemas/session.js';
import { queryKeys } from '../../api/query-keys.js';
import { listUsers } from '../../api/users.js';
import { can } from '../../auth/abilities.js';
import { readListParams } from '../../../shared/user-list-address.js';

/** The list the visit's start asked for (its query's hash), until the page has first shown it. */
let startListHash: string | undefined;

/**
 * A visit that starts on the users list asks for the page of accounts the address names as soon
 * as the session is known, while the page's code is still on the way (the same query the page
 * then reads: it renders the rows without a second round trip). Settles once the answer is in.
 */
export async function prefetchUserList(
  queryClient: QueryClient,
  me: Me,
  location: Pick<Location, 'search'>,
): Promise<void> {
  if (!can(me, 'users_groups:view')) return;
  const params = readListParams(new URLSearchParams(location.search));
  const queryKey = queryKeys.userList(params);
  startListHash = hashKey(queryKey);
  await queryClient.prefetchQuery({ queryKey, queryFn: ({ signal }) => listUsers(params, signal) });
}

/**
 * The list query's `refetchOnMount`: as usual (when stale), except for the answer the visit's start
 * has just fetched, which the page shows as it is when it first mounts, rather than asking for the
 * same page again (on a slow phone that second request and the render after it came while the
 * first rows were being drawn).
 */
export function refetchListOnMount(query: { queryHash: string; state: { isInvalidated: boolean } }): boolean {
  return query.queryHash !== startListHash || query.state.isInvalidated;
}

/** The page has mounted (its query has subscribed): later mounts refetch as usual. */
export function forgetStartList(): void {
  startListHash = undefined;
}

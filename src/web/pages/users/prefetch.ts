import type { QueryClient } from '@tanstack/react-query';
import type { Me } from '../../../shared/schemas/session.js';
import { queryKeys } from '../../api/query-keys.js';
import { listUsers } from '../../api/users.js';
import { can } from '../../auth/abilities.js';
import { readListParams } from '../../../shared/user-list-address.js';

/**
 * A visit that starts on the users list asks for the page of accounts the address names as soon
 * as the session is known, while the page's code is still on the way (the same query the page
 * then reads: it renders the rows without a second round trip).
 */
export function prefetchUserList(queryClient: QueryClient, me: Me, location: Pick<Location, 'search'>): void {
  if (!can(me, 'users_groups:view')) return;
  const params = readListParams(new URLSearchParams(location.search));
  void queryClient.prefetchQuery({
    queryKey: queryKeys.userList(params),
    queryFn: ({ signal }) => listUsers(params, signal),
  });
}

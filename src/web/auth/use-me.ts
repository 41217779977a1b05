import { useQuery } from '@tanstack/react-query';
import type { Me } from '../../shared/schemas/session.js';
import { queryKeys } from '../api/query-keys.js';
import { fetchMe } from '../api/session.js';

/** The signed-in account (null when nobody is signed in; undefined while loading). */
export function useMe() {
  return useQuery<Me | null>({ queryKey: queryKeys.me, queryFn: fetchMe, staleTime: 60_000, retry: false });
}

/** The signed-in account inside pages behind <RequireAuth>, which renders them only once it is known. */
export function useSignedInMe(): Me {
  const { data } = useMe();
  if (!data) throw new Error('useSignedInMe() used outside <RequireAuth>');
  return data;
}

import { useQuery, type UseQueryOptions } from '@tanstack/react-query';
import { createContext, useContext } from 'react';
import type { Me } from '../../shared/schemas/session.js';
import { queryKeys } from '../api/query-keys.js';
import { fetchMe } from '../api/session.js';
import { rememberSessionEnd } from './session-end.js';

/** The signed-in account (null when nobody is signed in; undefined while loading). */
export const meQuery = {
  queryKey: queryKeys.me,
  // "Your session has ended" also when it ended while no page was open (not for never signed in).
  queryFn: () => fetchMe((code) => code === 'session_expired' && rememberSessionEnd(code)),
  staleTime: 60_000,
  retry: false,
} satisfies UseQueryOptions<Me | null>;

export function useMe() {
  return useQuery<Me | null>(meQuery);
}

/**
 * Whether a page may ask for its data: someone is signed in and has no step pending (a required
 * password change or MFA enrolment, before which the server refuses everything else).
 */
export function mayLoadPages(me: Me | null | undefined): me is Me {
  return Boolean(me && !me.user.mustChangePassword && !me.mfaEnrollmentRequired);
}

/**
 * The signed-in account as <RequireAuth> last saw it. Pages read it from here rather than from the
 * query, so that in the moment a session ends (the query becomes null) they never render without
 * one: <RequireAuth> unmounts them and goes to the sign-in page instead.
 */
export const SignedInMeContext = createContext<Me | null>(null);

/** The signed-in account, inside pages behind <RequireAuth>. */
export function useSignedInMe(): Me {
  const me = useContext(SignedInMeContext);
  if (!me) throw new Error('useSignedInMe() used outside <RequireAuth>');
  return me;
}

import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { messageOf } from '../api/client.js';
import { queryKeys } from '../api/query-keys.js';
import { signOut } from '../api/session.js';
import { rememberProviderSignOut } from './provider-sign-out.js';
import { rememberSessionEnd, SIGNED_OUT } from './session-end.js';
import { useSignedInMe } from './use-me.js';

export interface SignOutOptions {
  /**
   * Go straight to this page once signed out, with the whole cache cleared. The forced pages
   * (password change, MFA enrollment) use it: they stand outside the app frame, so nothing would
   * take them to the sign-in page otherwise; it says "You are signed out" there too. Without it
   * (the app frame's Sign Out), <RequireAuth> sees nobody signed in and goes to the sign-in page,
   * which says so and may offer the provider's sign-out page.
   */
  navigateTo?: string;
}

/**
 * Sign Out, for pages behind <RequireAuth>. Even if the server could not be told, the account is
 * forgotten here, so the person always ends up on the sign-in page.
 */
export function useSignOut({ navigateTo }: SignOutOptions = {}) {
  const me = useSignedInMe();
  const navigate = useNavigate();
  const queryClient = useQueryClient();

  return useMutation({
    mutationFn: signOut,
    onSettled: (_data, error) => {
      if (navigateTo !== undefined) {
        queryClient.clear();
        queryClient.setQueryData(queryKeys.me, null);
        void navigate(navigateTo, { replace: true, state: { reason: SIGNED_OUT } });
        return;
      }
      if (error) notifications.show({ color: 'red', message: messageOf(error) });
      // Signed in through a provider with a sign-out page: the sign-in page offers it next.
      const provider = me.identityProvider;
      rememberProviderSignOut(provider?.signOutUrl ? { name: provider.name, url: provider.signOutUrl } : null);
      rememberSessionEnd(SIGNED_OUT);
      queryClient.setQueryData(queryKeys.me, null);
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== queryKeys.me[0] });
    },
  });
}

import {
  AppShell,
  Box,
  Button,
  Group,
  Text,
  UnstyledButton,
  useMantineColorScheme,
  VisuallyHidden,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { Link, Outlet, useLocation } from 'react-router';
import { messageOf } from '../api/client.js';
import { queryKeys } from '../api/query-keys.js';
import { signOut } from '../api/session.js';
import { can } from '../auth/abilities.js';
import { rememberSessionEnd, SIGNED_OUT } from '../auth/session-end.js';
import { useSignedInMe } from '../auth/use-me.js';
import { fullName } from '../format/labels.js';
import { LatchkeyLogo } from './latchkey-logo.js';

function HeaderLink({ to, active, children }: { to: string; active: boolean; children: string }) {
  return (
    <Button
      component={Link}
      to={to}
      variant={active ? 'light' : 'subtle'}
      color={active ? 'blue' : 'gray'}
      aria-current={active ? 'page' : undefined}
    >
      {children}
    </Button>
  );
}

/** Follows the signed-in account's UI theme preference (Light, Dark, or the system's). */
function useThemePreference(theme: 'light' | 'dark' | 'system') {
  const { setColorScheme } = useMantineColorScheme();
  useEffect(() => {
    setColorScheme(theme === 'system' ? 'auto' : theme);
  }, [theme, setColorScheme]);
}

/**
 * After moving to another page, focus goes to the page's main region (as a full page load would
 * start from the top), so keyboard and screen-reader users are not left on a link that is gone.
 */
function useFocusMainOnNavigation(pathname: string) {
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.getElementById('main')?.focus({ preventScroll: true });
    window.scrollTo({ top: 0 });
  }, [pathname]);
}

/** The frame of every signed-in page: product name, the navigation this account may use, sign out. */
export function AppLayout() {
  const me = useSignedInMe();
  const location = useLocation();
  const queryClient = useQueryClient();
  useThemePreference(me.user.theme);
  useFocusMainOnNavigation(location.pathname);

  const myPath = `/users/${me.user.id}`;
  const onMyPage = location.pathname === myPath;
  const onUsers = location.pathname === '/users' || (location.pathname.startsWith('/users/') && !onMyPage);

  const signOutMutation = useMutation({
    mutationFn: signOut,
    onSettled: (_data, error) => {
      // Even if the server could not be told, forget the account here: <RequireAuth> then goes to
      // the sign-in page, which says "You are signed out".
      if (error) notifications.show({ color: 'red', message: messageOf(error) });
      rememberSessionEnd(SIGNED_OUT);
      queryClient.setQueryData(queryKeys.me, null);
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== queryKeys.me[0] });
    },
  });

  return (
    <AppShell header={{ height: 60 }} padding="lg">
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <AppShell.Header>
        <Group h="100%" px="lg" justify="space-between" wrap="nowrap">
          <Group gap="xl" wrap="nowrap">
            <UnstyledButton component={Link} to="/">
              <Group gap={8} wrap="nowrap">
                <LatchkeyLogo size={28} />
                <Text fw={700} size="lg">
                  Latchkey
                </Text>
              </Group>
            </UnstyledButton>
            <Box component="nav" aria-label="Main">
              <Group gap={4} wrap="nowrap">
                {can(me, 'users_groups:view') && (
                  <HeaderLink to="/users" active={onUsers}>
                    Users
                  </HeaderLink>
                )}
                {can(me, 'event_logs:view') && (
                  <HeaderLink to="/logs" active={location.pathname === '/logs'}>
                    Logs
                  </HeaderLink>
                )}
                <HeaderLink to={myPath} active={onMyPage}>
                  My Account
                </HeaderLink>
                <Button component="a" href="/api/docs" variant="subtle" color="gray">
                  API Reference
                </Button>
              </Group>
            </Box>
          </Group>
          <Group gap="md" wrap="nowrap">
            <Text size="sm" c="dimmed" truncate maw={280}>
              <VisuallyHidden>Signed in as </VisuallyHidden>
              {fullName(me.user)}
            </Text>
            <Button variant="default" onClick={() => signOutMutation.mutate()} loading={signOutMutation.isPending}>
              Sign Out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Main id="main" tabIndex={-1}>
        <Box maw={1760} mx="auto">
          <Outlet />
        </Box>
      </AppShell.Main>
    </AppShell>
  );
}

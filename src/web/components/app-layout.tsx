import {
  AppShell,
  Box,
  Burger,
  Button,
  Divider,
  Stack,
  Group,
  Text,
  UnstyledButton,
  useMantineColorScheme,
  VisuallyHidden,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useEffect, useRef } from 'react';
import { Link, Outlet, useLocation } from 'react-router';
import { can } from '../auth/abilities.js';
import { useSignedInMe } from '../auth/use-me.js';
import { useSignOut } from '../auth/use-sign-out.js';
import { fullName } from '../format/labels.js';
import type { Permission } from '../../shared/permissions.js';
import { LatchkeyLogo } from './latchkey-logo.js';
import { NavButton } from './button-markup.js';

/** The areas of the product, each shown only to accounts whose group may view it. */
const NAV_ITEMS: ReadonlyArray<{ to: string; label: string; permission: Permission }> = [
  { to: '/records', label: 'Records', permission: 'records:view' },
  { to: '/tasks', label: 'Tasks', permission: 'tasks:view' },
  { to: '/reports', label: 'Reports', permission: 'reports:view' },
  { to: '/users', label: 'Users', permission: 'users_groups:view' },
  { to: '/security-groups', label: 'Security Groups', permission: 'users_groups:view' },
  { to: '/logs', label: 'Logs', permission: 'event_logs:view' },
  { to: '/identity-providers', label: 'Identity Providers', permission: 'administration:configure_sso' },
  { to: '/settings', label: 'Settings', permission: 'administration:manage_settings' },
];

/**
 * Follows the signed-in account's UI theme preference (Light, Dark, or the system's). Only a change
 * is set: Mantine's setColorScheme also turns every transition off for a moment, with a style for
 * every element added and removed again, two restyles of the whole page (on the users list, right
 * after its first paint and after every render of the frame).
 */
function useThemePreference(theme: 'light' | 'dark' | 'system') {
  const { colorScheme, setColorScheme } = useMantineColorScheme();
  const wanted = theme === 'system' ? 'auto' : theme;
  useEffect(() => {
    if (wanted !== colorScheme) setColorScheme(wanted);
  }, [wanted, colorScheme, setColorScheme]);
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
  useThemePreference(me.user.theme);
  useFocusMainOnNavigation(location.pathname);

  const [navOpened, { toggle: toggleNav, close: closeNav }] = useDisclosure(false);
  useEffect(closeNav, [location.pathname, closeNav]);

  const myPath = `/users/${me.user.id}`;
  const onMyPage = location.pathname === myPath;
  const isActive = (to: string) => !onMyPage && (location.pathname === to || location.pathname.startsWith(`${to}/`));

  const signOutMutation = useSignOut();

  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{ width: 210, breakpoint: 'sm', collapsed: { mobile: !navOpened } }}
      padding="lg"
    >
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <AppShell.Header>
        <Group h="100%" px="lg" justify="space-between" wrap="nowrap">
          <Group gap="xl" wrap="nowrap">
            <Burger opened={navOpened} onClick={toggleNav} hiddenFrom="sm" size="sm" aria-label="Navigation" />
            <UnstyledButton component={Link} to="/">
              <Group gap={8} wrap="nowrap">
                <LatchkeyLogo size={28} />
                <Text fw={700} size="lg">
                  Latchkey
                </Text>
              </Group>
            </UnstyledButton>
          </Group>
          <Group gap="md" wrap="nowrap">
            <Text size="sm" c="dimmed" truncate maw={280}>
              <VisuallyHidden>Signed in as </VisuallyHidden>
              {fullName(me.user)}
            </Text>
            <Button variant="default" onClick={() => signOutMutation.mutate()} loading={signOutMutation.isPending}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" component="nav" aria-label="Main">
        <Stack gap={2}>
          {NAV_ITEMS.filter((item) => !item.permission || can(me, item.permission)).map((item) => (
            <NavButton key={item.to} to={item.to} active={isActive(item.to)}>
              {item.label}
            </NavButton>
          ))}
          <Divider my="xs" />
          <NavButton to={myPath} active={onMyPage}>
            My Account
          </NavButton>
          <NavButton href="/api/docs" active={false}>
            API Reference
          </NavButton>
        </Stack>
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1}>
        <Box maw={1760} mx="auto">
          <Outlet />
        </Box>
      </AppShell.Main>
    </AppShell>
  );
}

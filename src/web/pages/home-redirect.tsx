import { Navigate } from 'react-router';
import { can } from '../auth/abilities.js';
import { useSignedInMe } from '../auth/use-me.js';
import type { Permission } from '../../shared/permissions.js';

/** Where home leads, first match wins: administrators land on the accounts they run, others on their data. */
const HOME_PAGES: ReadonlyArray<{ permission: Permission; path: string }> = [
  { permission: 'users_groups:view', path: '/users' },
  { permission: 'records:view', path: '/records' },
  { permission: 'tasks:view', path: '/tasks' },
  { permission: 'reports:view', path: '/reports' },
];

/** Home: the first area this account may use, or its own page when it may use none. */
export function HomeRedirect() {
  const me = useSignedInMe();
  const home = HOME_PAGES.find((page) => can(me, page.permission));
  return <Navigate to={home?.path ?? `/users/${me.user.id}`} replace />;
}

import { Navigate } from 'react-router';
import { can } from '../auth/abilities.js';
import { useSignedInMe } from '../auth/use-me.js';

/** Home: the User Accounts list for those who may see it, everyone else their own page. */
export function HomeRedirect() {
  const me = useSignedInMe();
  return <Navigate to={can(me, 'users_groups:view') ? '/users' : `/users/${me.user.id}`} replace />;
}

import { Center, Loader } from '@mantine/core';
import { Navigate, Outlet, useLocation } from 'react-router';
import { ErrorState } from '../components/error-state.js';
import { loginPathFor } from './redirect.js';
import { sessionEndReason } from './session-end.js';
import { useMe } from './use-me.js';

/** Renders the signed-in part of the app, or sends the person to sign in (and back here after). */
export function RequireAuth() {
  const location = useLocation();
  const me = useMe();
  if (me.isPending) {
    return (
      <Center h="100vh">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  if (me.isError) return <ErrorState error={me.error} onRetry={() => void me.refetch()} fullPage />;
  if (me.data === null) {
    return <Navigate to={loginPathFor(location)} replace state={{ reason: sessionEndReason() }} />;
  }
  return <Outlet />;
}

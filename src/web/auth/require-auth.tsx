import { Center, Loader } from '@mantine/core';
import { Navigate, Outlet, useLocation } from 'react-router';
import { ErrorState } from '../components/error-state.js';
import { loginPathFor } from './redirect.js';
import { SIGNED_OUT, sessionEndReason } from './session-end.js';
import { SignedInMeContext, useMe } from './use-me.js';
import { UI_ROUTES } from '../../shared/ui-routes.js';

export const CHANGE_PASSWORD_PATH = UI_ROUTES.changePassword;
export const MFA_ENROLMENT_PATH = UI_ROUTES.mfaEnrollment;

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
    const reason = sessionEndReason();
    // After Sign Out, the sign-in page plainly; otherwise remember where the person was going.
    return <Navigate to={reason === SIGNED_OUT ? '/login' : loginPathFor(location)} replace state={{ reason }} />;
  }
  // "User Must Change Password at Next Login": the server refuses everything else until it is done.
  if (me.data.user.mustChangePassword && location.pathname !== CHANGE_PASSWORD_PATH) {
    return <Navigate to={CHANGE_PASSWORD_PATH} replace />;
  }
  // "Enroll in Multi-Factor Authentication" without a factor yet (after any password change).
  if (!me.data.user.mustChangePassword && me.data.mfaEnrollmentRequired && location.pathname !== MFA_ENROLMENT_PATH) {
    return <Navigate to={MFA_ENROLMENT_PATH} replace />;
  }
  return (
    <SignedInMeContext value={me.data}>
      <Outlet />
    </SignedInMeContext>
  );
}

import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { ApiError, setPendingStepHandler, setUnauthorizedHandler } from './api/client.js';
import { queryKeys } from './api/query-keys.js';
import { rememberSessionEnd } from './auth/session-end.js';
import { RequireAuth } from './auth/require-auth.js';
import { ChangePasswordPage } from './pages/change-password-page.js';
import { MfaEnrollmentPage } from './pages/mfa-enrollment-page.js';
import { AppLayout } from './components/app-layout.js';
import { HomeRedirect } from './pages/home-redirect.js';
import { IdentityProviderEditorPage } from './pages/identity-providers/identity-provider-editor-page.js';
import { IdentityProvidersPage } from './pages/identity-providers/identity-providers-page.js';
import { LoginPage } from './pages/login-page.js';
import { LogsPage } from './pages/logs/logs-page.js';
import { NotFoundPage } from './pages/not-found-page.js';
import { RecordsPage } from './pages/records/records-page.js';
import { ViewRecordPage } from './pages/records/view-record-page.js';
import { ReportsPage } from './pages/reports/reports-page.js';
import { SecurityGroupEditorPage } from './pages/security-groups/security-group-editor-page.js';
import { SecurityGroupsPage } from './pages/security-groups/security-groups-page.js';
import { TasksPage } from './pages/tasks/tasks-page.js';
import { ViewTaskPage } from './pages/tasks/view-task-page.js';
import { SetupPage } from './pages/setup-page.js';
import { SettingsPage } from './pages/settings/settings-page.js';
import { UsersPage } from './pages/users/users-page.js';
import { ViewUserPage } from './pages/view-user/view-user-page.js';
import { cssVariablesResolver, theme } from './theme.js';
import { UI_ROUTES } from '../shared/ui-routes.js';

const queryClient = new QueryClient({
  queryCache: new QueryCache(),
  defaultOptions: {
    queries: {
      // A 4xx answer will not change by asking again; only retry what may be a passing problem.
      retry: (failureCount, error) =>
        failureCount < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
      refetchOnWindowFocus: false,
    },
  },
});

// Any 401 from the API (a session that ended or was revoked): forget who was signed in, and
// <RequireAuth> sends the person to the sign-in page, remembering where they were.
setUnauthorizedHandler((error) => {
  rememberSessionEnd(error.code);
  queryClient.setQueryData(queryKeys.me, null);
});

setPendingStepHandler(() => void queryClient.invalidateQueries({ queryKey: queryKeys.me }));

/**
 * A data router (not <BrowserRouter>), so pages can use react-router's data APIs such as
 * useBlocker (a form with unsaved changes asks before the person leaves). Every path comes from
 * UI_ROUTES, the one list the server also answers the page for (a path missing there would 404).
 */
const router = createBrowserRouter([
  { path: UI_ROUTES.setup, element: <SetupPage /> },
  { path: UI_ROUTES.login, element: <LoginPage /> },
  {
    element: <RequireAuth />,
    children: [
      { path: UI_ROUTES.changePassword, element: <ChangePasswordPage /> },
      { path: UI_ROUTES.mfaEnrollment, element: <MfaEnrollmentPage /> },
      {
        element: <AppLayout />,
        children: [
          // UI_ROUTES.home
          { index: true, element: <HomeRedirect /> },
          { path: UI_ROUTES.users, element: <UsersPage /> },
          { path: UI_ROUTES.user, element: <ViewUserPage /> },
          { path: UI_ROUTES.records, element: <RecordsPage /> },
          { path: UI_ROUTES.record, element: <ViewRecordPage /> },
          { path: UI_ROUTES.tasks, element: <TasksPage /> },
          { path: UI_ROUTES.task, element: <ViewTaskPage /> },
          { path: UI_ROUTES.reports, element: <ReportsPage /> },
          { path: UI_ROUTES.securityGroups, element: <SecurityGroupsPage /> },
          { path: UI_ROUTES.securityGroup, element: <SecurityGroupEditorPage /> },
          { path: UI_ROUTES.logs, element: <LogsPage /> },
          { path: UI_ROUTES.identityProviders, element: <IdentityProvidersPage /> },
          { path: UI_ROUTES.identityProvider, element: <IdentityProviderEditorPage /> },
          { path: UI_ROUTES.settings, element: <SettingsPage /> },
          // Any other path: the server answers it with 404 (the page, for a browser), and this says so.
          { path: '*', element: <NotFoundPage /> },
        ],
      },
    ],
  },
]);

export function App() {
  return (
    <MantineProvider theme={theme} defaultColorScheme="light" cssVariablesResolver={cssVariablesResolver}>
      <Notifications position="bottom-right" limit={4} />
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </MantineProvider>
  );
}

import { MantineProvider } from '@mantine/core';
import { notificationsStore } from '@mantine/notifications';
import { QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, useSyncExternalStore } from 'react';
import { createBrowserRouter, matchRoutes, RouterProvider, type RouteObject } from 'react-router';
import { ApiError, setPendingStepHandler, setUnauthorizedHandler } from './api/client.js';
import type { Me } from '../shared/schemas/session.js';
import { queryKeys } from './api/query-keys.js';
import { rememberSessionEnd } from './auth/session-end.js';
import { RequireAuth } from './auth/require-auth.js';
import { mayLoadPages, meQuery } from './auth/use-me.js';
import { AppLayout } from './components/app-layout.js';
import { HomeRedirect } from './pages/home-redirect.js';
import { NotFoundPage } from './pages/not-found-page.js';
import { prefetchUserList } from './pages/users/prefetch.js';
import { lazyPage, type LazyPage } from './lazy-page.js';
import { withLaterStyles } from './styles/with-later-styles.js';
import { cssVariablesResolver, theme } from './theme.js';
import { UI_ROUTES } from '../shared/ui-routes.js';

/**
 * Every page but the tiny redirect and "not found" is its own chunk: the first load carries the
 * app's frame and the one page asked for, not all of them.
 */
const pages = {
  changePassword: lazyPage(
    () => import('./pages/change-password-page.js'),
    (m) => m.ChangePasswordPage,
  ),
  mfaEnrollment: lazyPage(
    () => import('./pages/mfa-enrollment-page.js'),
    (m) => m.MfaEnrollmentPage,
  ),
  identityProviderEditor: lazyPage(
    () => import('./pages/identity-providers/identity-provider-editor-page.js'),
    (m) => m.IdentityProviderEditorPage,
  ),
  identityProviders: lazyPage(
    () => import('./pages/identity-providers/identity-providers-page.js'),
    (m) => m.IdentityProvidersPage,
  ),
  login: lazyPage(
    () => import('./pages/login-page.js'),
    (m) => m.LoginPage,
  ),
  forgotPassword: lazyPage(
    () => import('./pages/forgot-password-page.js'),
    (m) => m.ForgotPasswordPage,
  ),
  resetPassword: lazyPage(
    () => import('./pages/reset-password-page.js'),
    (m) => m.ResetPasswordPage,
  ),
  logs: lazyPage(
    () => import('./pages/logs/logs-page.js'),
    (m) => m.LogsPage,
  ),
  records: lazyPage(
    () => import('./pages/records/records-page.js'),
    (m) => m.RecordsPage,
  ),
  viewRecord: lazyPage(
    () => import('./pages/records/view-record-page.js'),
    (m) => m.ViewRecordPage,
  ),
  reports: lazyPage(
    () => import('./pages/reports/reports-page.js'),
    (m) => m.ReportsPage,
  ),
  securityGroupEditor: lazyPage(
    () => import('./pages/security-groups/security-group-editor-page.js'),
    (m) => m.SecurityGroupEditorPage,
  ),
  securityGroups: lazyPage(
    () => import('./pages/security-groups/security-groups-page.js'),
    (m) => m.SecurityGroupsPage,
  ),
  tasks: lazyPage(
    () => import('./pages/tasks/tasks-page.js'),
    (m) => m.TasksPage,
  ),
  viewTask: lazyPage(
    () => import('./pages/tasks/view-task-page.js'),
    (m) => m.ViewTaskPage,
  ),
  setup: lazyPage(
    () => import('./pages/setup-page.js'),
    (m) => m.SetupPage,
  ),
  settings: lazyPage(
    () => import('./pages/settings/settings-page.js'),
    (m) => m.SettingsPage,
  ),
  users: lazyPage(
    () => import('./pages/users/users-page.js'),
    (m) => m.UsersPage,
    { firstLoad: true },
  ),
  viewUser: lazyPage(
    () => import('./pages/view-user/view-user-page.js'),
    (m) => m.ViewUserPage,
  ),
} satisfies Record<string, LazyPage>;

/** What a route's `handle` may carry to let the start of a visit fetch things early. */
interface RouteHandle {
  /** Fetches the page's code. */
  preload?: () => Promise<unknown>;
  /**
   * Asks for the page's first data once the session is known (before the page's code has arrived);
   * settles when it has arrived (or failed).
   */
  prefetch?: (queryClient: QueryClient, me: Me, location: Location) => Promise<void>;
}

/** A route's element for a lazily loaded page; `handle.preload` lets the start of a visit fetch it early. */
function shows(page: LazyPage, prefetch?: RouteHandle['prefetch']): Pick<RouteObject, 'element' | 'handle'> {
  return { element: page.element, handle: { preload: page.preload, prefetch } satisfies RouteHandle };
}

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
const routes: RouteObject[] = [
  { path: UI_ROUTES.setup, ...shows(pages.setup) },
  { path: UI_ROUTES.login, ...shows(pages.login) },
  { path: UI_ROUTES.forgotPassword, ...shows(pages.forgotPassword) },
  { path: UI_ROUTES.resetPassword, ...shows(pages.resetPassword) },
  {
    element: <RequireAuth />,
    children: [
      { path: UI_ROUTES.changePassword, ...shows(pages.changePassword) },
      { path: UI_ROUTES.mfaEnrollment, ...shows(pages.mfaEnrollment) },
      {
        element: <AppLayout />,
        children: [
          // UI_ROUTES.home
          { index: true, element: <HomeRedirect /> },
          { path: UI_ROUTES.users, ...shows(pages.users, prefetchUserList) },
          { path: UI_ROUTES.user, ...shows(pages.viewUser) },
          { path: UI_ROUTES.records, ...shows(pages.records) },
          { path: UI_ROUTES.record, ...shows(pages.viewRecord) },
          { path: UI_ROUTES.tasks, ...shows(pages.tasks) },
          { path: UI_ROUTES.task, ...shows(pages.viewTask) },
          { path: UI_ROUTES.reports, ...shows(pages.reports) },
          { path: UI_ROUTES.securityGroups, ...shows(pages.securityGroups) },
          { path: UI_ROUTES.securityGroup, ...shows(pages.securityGroupEditor) },
          { path: UI_ROUTES.logs, ...shows(pages.logs) },
          { path: UI_ROUTES.identityProviders, ...shows(pages.identityProviders) },
          { path: UI_ROUTES.identityProvider, ...shows(pages.identityProviderEditor) },
          { path: UI_ROUTES.settings, ...shows(pages.settings) },
          // Any other path: the server answers it with 404 (the page, for a browser), and this says so.
          { path: '*', element: <NotFoundPage /> },
        ],
      },
    ],
  },
];

// The page a visit starts on is fetched at once, alongside the session check (/api/v1/me), rather
// than after it: on a slow network that saves a whole round trip before the page can render. Its
// first data is asked for as soon as that check answers, not once the page's code has arrived.
const startHandles = (matchRoutes(routes, window.location) ?? []).map(
  (match) => match.route.handle as RouteHandle | undefined,
);
const startPreloads = startHandles.map((handle) => handle?.preload?.());
const startPrefetches = startHandles.flatMap((handle) => (handle?.prefetch ? [handle.prefetch] : []));
const startData =
  startPrefetches.length > 0
    ? queryClient.fetchQuery(meQuery).then(
        (me) =>
          mayLoadPages(me)
            ? Promise.all(startPrefetches.map((prefetch) => prefetch(queryClient, me, window.location)))
            : undefined,
        () => {},
      )
    : undefined;

/**
 * Settles once what the start of the visit asked for above has arrived or failed: the page's code,
 * the session and the page's first data (src/web/main.tsx waits for it before the first render).
 */
export const visitStarted: Promise<unknown> = Promise.allSettled([...startPreloads, startData]);

const router = createBrowserRouter(routes);

/**
 * Mantine's notification container (with its transitions, about 8 KB gzipped) is fetched when the
 * first notification is shown rather than before the first page can render: `notifications.show()`
 * only puts the notification into this store, and the container shows what the store holds.
 */
const Notifications = lazy(() =>
  withLaterStyles(import('./components/notifications-container.js')).then(({ Notifications: Container }) => ({
    default: Container,
  })),
);
let notificationShown = false;
const anyNotification = () => {
  const { notifications, queue } = notificationsStore.getState();
  notificationShown ||= notifications.length > 0 || queue.length > 0;
  return notificationShown;
};

function DeferredNotifications() {
  const needed = useSyncExternalStore(notificationsStore.subscribe, anyNotification);
  return needed ? (
    <Suspense fallback={null}>
      <Notifications position="bottom-right" limit={4} />
    </Suspense>
  ) : null;
}

export function App() {
  return (
    <MantineProvider theme={theme} defaultColorScheme="light" cssVariablesResolver={cssVariablesResolver}>
      <DeferredNotifications />
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </MantineProvider>
  );
}

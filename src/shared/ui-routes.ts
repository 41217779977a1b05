/**
 * THE list of the web UI's page paths (react-router patterns; `:name` is one path segment).
 * The UI's router is built from it (src/web/app.tsx) and the server answers the UI's page only for
 * these paths (src/server/app.ts); anything else is a 404, so a monitoring or provisioning client
 * asking for `/metrics` or `/scim/v2/Users` is never fooled by a 200 of HTML.
 * tests/api/web-ui.test.ts proves app.tsx routes nothing but these.
 */
export const UI_ROUTES = {
  home: '/',
  login: '/login',
  setup: '/setup',
  /** Forgot password: ask for a link by email. */
  forgotPassword: '/forgot-password',
  /** Opens an emailed link (its secret after `#token=`, never sent to the server in the URL) to choose a new password. */
  resetPassword: '/reset-password',
  changePassword: '/change-password',
  mfaEnrollment: '/set-up-mfa',
  users: '/users',
  user: '/users/:id',
  records: '/records',
  record: '/records/:id',
  tasks: '/tasks',
  task: '/tasks/:id',
  reports: '/reports',
  securityGroups: '/security-groups',
  /** "new" (optionally ?copyFrom=<group id>) or a custom group's ID. */
  securityGroup: '/security-groups/:id',
  logs: '/logs',
  identityProviders: '/identity-providers',
  /** "new" (?protocol=oidc|saml) or a provider's ID. */
  identityProvider: '/identity-providers/:id',
  settings: '/settings',
} as const;

export type UiRouteName = keyof typeof UI_ROUTES;

const PATTERNS: ReadonlyArray<readonly string[]> = Object.values(UI_ROUTES).map((pattern) =>
  pattern.split('/').filter(Boolean),
);

/**
 * True when `pathname` (no query string) is a page of the UI, as react-router would match it: the
 * same number of segments, literal segments equal, a `:param` matching any one non-empty segment.
 * One trailing slash is ignored, as react-router does.
 */
export function isUiRoute(pathname: string): boolean {
  if (!pathname.startsWith('/')) return false;
  const segments = pathname.slice(1).split('/');
  if (segments.length > 0 && segments[segments.length - 1] === '') segments.pop();
  if (segments.some((segment) => segment === '')) return false;
  return PATTERNS.some(
    (pattern) =>
      pattern.length === segments.length &&
      pattern.every((part, index) => part.startsWith(':') || part === segments[index]),
  );
}

import { Alert, Anchor, Button, Checkbox, Stack, Text, TextInput } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Link, Navigate, useLocation, useNavigate, useSearchParams } from 'react-router';
import { queryKeys } from '../api/query-keys.js';
import { fetchPasswordResetAvailability } from '../api/password-reset.js';
import { isMfaChallenge } from '../api/mfa.js';
import { signIn } from '../api/session.js';
import type { Me } from '../../shared/schemas/session.js';
import { forgetProviderSignOut, readProviderSignOut } from '../auth/provider-sign-out.js';
import { safeNextPath } from '../auth/redirect.js';
import { clearSessionEndReason, SIGNED_OUT } from '../auth/session-end.js';
import { useMe } from '../auth/use-me.js';
import { PublicPage } from '../components/public-page.js';
import { PasswordField } from '../components/password-field.js';
import { useFieldErrors } from '../components/use-field-errors.js';
import { MfaCodeStep } from './mfa-code-step.js';
import { SsoDomainSuggestion, SsoErrorAlert, SsoProviderButtons, useSsoDiscovery } from './sso-sign-in-options.js';
import { UI_ROUTES } from '../../shared/ui-routes.js';

/** Only the email is ever remembered on this device; never the password. */
const REMEMBERED_EMAIL_KEY = 'latchkey.rememberedEmail';

function readRememberedEmail(): string {
  try {
    return localStorage.getItem(REMEMBERED_EMAIL_KEY) ?? '';
  } catch {
    return '';
  }
}

function rememberEmail(email: string | null): void {
  try {
    if (email) localStorage.setItem(REMEMBERED_EMAIL_KEY, email);
    else localStorage.removeItem(REMEMBERED_EMAIL_KEY);
  } catch {
    // Storage can be disabled by the browser; remembering is a convenience only.
  }
}

interface LoginState {
  /** Why the last session ended (see auth/session-end.ts). */
  reason?: string | null;
  notice?: string;
  email?: string;
}

const FIELDS = ['email', 'password'] as const;

export function LoginPage() {
  useDocumentTitle('Sign in · Latchkey');
  const location = useLocation();
  const state = (location.state ?? {}) as LoginState;
  const [searchParams] = useSearchParams();
  const next = safeNextPath(searchParams.get('next'));
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const me = useMe();

  const remembered = readRememberedEmail();
  const [email, setEmail] = useState(state.email ?? remembered);
  const [password, setPassword] = useState('');
  const [rememberUsername, setRememberUsername] = useState(remembered !== '');
  const errors = useFieldErrors(FIELDS);
  const discovery = useSsoDiscovery(email);
  const ssoError = searchParams.get('sso_error');
  // "Forgot password?" only where a link can be sent (email configured, self-service reset on).
  const passwordReset = useQuery({
    queryKey: queryKeys.passwordResetAvailability,
    queryFn: ({ signal }) => fetchPasswordResetAvailability(signal),
    staleTime: 60_000,
    retry: false,
  });
  // Read once: "Also sign out of <provider>" belongs to this one visit after Sign Out.
  const [providerSignOut] = useState(() => (state.reason === SIGNED_OUT ? readProviderSignOut() : null));

  // The reason arrived with the navigation (location.state); forget it for later visits.
  useEffect(() => {
    clearSessionEndReason();
    forgetProviderSignOut();
  }, []);

  // Set when the password was right and the account has MFA: the code step is shown.
  const [challenge, setChallenge] = useState<{ id: string; passkey: boolean } | null>(null);

  const finish = (signedIn: Me) => {
    rememberEmail(rememberUsername ? email.trim() : null);
    // Nothing cached for an earlier account may show for this one.
    queryClient.clear();
    queryClient.setQueryData(queryKeys.me, signedIn);
    void navigate(next, { replace: true });
  };

  const mutation = useMutation({
    mutationFn: signIn,
    onSuccess: (result) => {
      setPassword('');
      if (isMfaChallenge(result)) setChallenge({ id: result.challenge, passkey: result.passkey });
      else finish(result);
    },
    onError: (error) => {
      setPassword('');
      errors.showError(error);
    },
  });

  // Already signed in (a bookmark of /login, the Back button): go where they were going.
  if (me.data && !mutation.isPending && !mutation.isSuccess) return <Navigate to={next} replace />;

  if (challenge) {
    return (
      <MfaCodeStep
        challenge={challenge.id}
        passkey={challenge.passkey}
        onSignedIn={finish}
        onRestart={(error) => {
          setChallenge(null);
          mutation.reset();
          if (error) errors.showError(error);
        }}
      />
    );
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const missing: Partial<Record<(typeof FIELDS)[number], string>> = {};
    if (!email.trim()) missing.email = 'Email is required.';
    if (!password) missing.password = 'Password is required.';
    errors.clear();
    if (Object.keys(missing).length > 0) {
      errors.setFields(missing);
      return;
    }
    mutation.mutate({ email: email.trim(), password });
  }

  const sessionEnded = state.reason === 'session_expired' || state.reason === 'unauthenticated';

  return (
    <PublicPage title="Sign in">
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          {state.notice && (
            <Alert color="green" role="status">
              {state.notice}
            </Alert>
          )}
          {ssoError !== null && !mutation.isSuccess && <SsoErrorAlert code={ssoError} />}
          {state.reason === SIGNED_OUT &&
            (providerSignOut ? (
              <Alert color="blue" role="status">
                <Text size="sm">You are signed out of Latchkey.</Text>
                <Text size="sm" mt={4}>
                  You may still be signed in at {providerSignOut.name}.{' '}
                  <Anchor href={providerSignOut.url} size="sm" fw={600}>
                    Also sign out of {providerSignOut.name}
                  </Anchor>
                </Text>
              </Alert>
            ) : (
              <Alert color="blue" role="status">
                You are signed out.
              </Alert>
            ))}
          {sessionEnded && !mutation.isError && (
            <Alert color="yellow" role="status">
              {state.reason === 'session_expired'
                ? 'Your session has ended. Please sign in again.'
                : 'Please sign in to continue.'}
            </Alert>
          )}
          {errors.formError && (
            <Alert color="red" role="alert">
              {errors.formError}
            </Alert>
          )}
          <TextInput
            label="Email"
            type="email"
            autoComplete="username"
            value={email}
            onChange={(event) => {
              setEmail(event.currentTarget.value);
              discovery.onEmailChange(event.currentTarget.value);
              errors.clearField('email');
            }}
            onBlur={(event) => discovery.onEmailBlur(event.currentTarget.value)}
            error={errors.fields.email}
            withAsterisk
            autoFocus={email === ''}
          />
          {discovery.provider && <SsoDomainSuggestion provider={discovery.provider} returnTo={next} />}
          <PasswordField
            label="Password"
            autoComplete="current-password"
            value={password}
            onChange={(event) => {
              setPassword(event.currentTarget.value);
              errors.clearField('password');
            }}
            error={errors.fields.password}
            withAsterisk
            autoFocus={email !== ''}
          />
          {passwordReset.data?.available && (
            <Anchor component={Link} to={UI_ROUTES.forgotPassword} size="sm" mt={-8} style={{ alignSelf: 'flex-end' }}>
              Forgot password?
            </Anchor>
          )}
          <Checkbox
            label="Remember Username"
            description="Keeps your email on this device. Your password is never stored."
            checked={rememberUsername}
            onChange={(event) => setRememberUsername(event.currentTarget.checked)}
          />
          <Button type="submit" fullWidth loading={mutation.isPending} mt="xs">
            Sign in
          </Button>
        </Stack>
      </form>
      <SsoProviderButtons returnTo={next} />
    </PublicPage>
  );
}

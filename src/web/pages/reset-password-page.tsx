/**
 * Forgot password, step 2: the page an emailed link opens. The link's secret is after `#`, so the
 * browser never sends it in a URL (no access log, no Referer); it is read once, taken out of the
 * address bar and history, and posted with the new password. Choosing the password signs nobody
 * in: the page ends with "Password changed" and a way to the sign-in page.
 */
import { Alert, Anchor, Button, Stack, Text } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { isApiError } from '../api/client.js';
import { resetPasswordWithLink } from '../api/password-reset.js';
import { queryKeys } from '../api/query-keys.js';
import { PasswordChangeFields, type PasswordChangeValues } from '../components/password-change-fields.js';
import { PublicPage } from '../components/public-page.js';
import { useFieldErrors } from '../components/use-field-errors.js';
import { UI_ROUTES } from '../../shared/ui-routes.js';

const FIELDS = ['newPassword', 'confirmNewPassword'] as const;

/** The secret from the link (`#token=…`, as the setup link has it). */
function tokenInLink(): string {
  return new URLSearchParams(window.location.hash.replace(/^#/, '')).get('token')?.trim() ?? '';
}

export function ResetPasswordPage() {
  useDocumentTitle('Choose a new password · Latchkey');
  // Read without side effects: React may render the page more than once before showing it (a part
  // of it still loading), and each render must still find the secret.
  const [token] = useState(tokenInLink);
  // Once the page is shown, the secret leaves the address bar and the history.
  useEffect(() => {
    if (window.location.hash) window.history.replaceState(window.history.state, '', window.location.pathname);
  }, []);
  const queryClient = useQueryClient();
  const [values, setValues] = useState<PasswordChangeValues>({
    currentPassword: '',
    newPassword: '',
    confirmNewPassword: '',
  });
  const errors = useFieldErrors(FIELDS);
  const mutation = useMutation({
    mutationFn: resetPasswordWithLink,
    onSuccess: () => {
      // Every session of the account ended, this browser's too if it had one.
      queryClient.clear();
      queryClient.setQueryData(queryKeys.me, null);
    },
    onError: (error) => errors.showError(error),
  });

  const askAgain = (
    <Anchor component={Link} to={UI_ROUTES.forgotPassword} size="sm">
      Ask for a new link
    </Anchor>
  );

  if (mutation.isSuccess) {
    return (
      <PublicPage title="Password changed">
        <Stack gap="md">
          <Alert color="green" role="status">
            Your password has been changed, and every session of your account was signed out.
          </Alert>
          <Text size="sm">
            Sign in with your new password. If your account uses a second factor, you will be asked for it.
          </Text>
          <Button component={Link} to={UI_ROUTES.login} fullWidth>
            Sign in
          </Button>
        </Stack>
      </PublicPage>
    );
  }

  if (!token) {
    return (
      <PublicPage title="Choose a new password">
        <Stack gap="md">
          <Alert color="red" role="alert">
            This link is incomplete. Open the whole link from the email, or ask for a new one.
          </Alert>
          {askAgain}
        </Stack>
      </PublicPage>
    );
  }

  const linkRefused = isApiError(mutation.error, 'password_reset_link_invalid');

  function set(field: keyof PasswordChangeValues, value: string) {
    setValues((current) => ({ ...current, [field]: value }));
    if (field !== 'currentPassword') errors.clearField(field);
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    errors.clear();
    const missing: Partial<Record<(typeof FIELDS)[number], string>> = {};
    if (!values.newPassword) missing.newPassword = 'New Password is required.';
    if (values.newPassword !== values.confirmNewPassword) missing.confirmNewPassword = 'The passwords do not match.';
    if (Object.keys(missing).length > 0) {
      errors.setFields(missing);
      return;
    }
    mutation.mutate({ token, newPassword: values.newPassword });
  }

  return (
    <PublicPage title="Choose a new password" width={460}>
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <Text size="sm">
            Choose the new password of your Latchkey account. Every session of the account will be signed out.
          </Text>
          <PasswordChangeFields values={values} errors={errors.fields} onChange={set} withCurrentPassword={false} />
          {errors.formError && (
            <Alert color="red" role="alert">
              <Stack gap={4}>
                <Text size="sm">{errors.formError}</Text>
                {linkRefused && (
                  // The alert's own colour: the link colour lacks contrast on its tinted background.
                  <Anchor
                    component={Link}
                    to={UI_ROUTES.forgotPassword}
                    size="sm"
                    c="inherit"
                    fw={600}
                    underline="always"
                  >
                    Ask for a new link
                  </Anchor>
                )}
              </Stack>
            </Alert>
          )}
          <Button type="submit" fullWidth loading={mutation.isPending}>
            Change password
          </Button>
        </Stack>
      </form>
    </PublicPage>
  );
}

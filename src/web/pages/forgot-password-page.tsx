/**
 * Forgot password, step 1: ask for a link by email. Everyone gets the same answer, whether or not
 * an account has this email (the server decides whether a link is sent, and says nothing about it).
 */
import { Alert, Anchor, Button, Stack, Text, TextInput } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { askForPasswordResetLink } from '../api/password-reset.js';
import { PublicPage } from '../components/public-page.js';
import { useFieldErrors } from '../components/use-field-errors.js';
import { UI_ROUTES } from '../../shared/ui-routes.js';

const FIELDS = ['email'] as const;

export function ForgotPasswordPage() {
  useDocumentTitle('Forgot password · Latchkey');
  const [email, setEmail] = useState('');
  const errors = useFieldErrors(FIELDS);
  const mutation = useMutation({
    mutationFn: askForPasswordResetLink,
    onError: (error) => errors.showError(error),
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    errors.clear();
    if (!email.trim()) {
      errors.setFields({ email: 'Email is required.' });
      return;
    }
    mutation.mutate({ email: email.trim() });
  }

  const backToSignIn = (
    <Anchor component={Link} to={UI_ROUTES.login} size="sm">
      Back to sign in
    </Anchor>
  );

  if (mutation.isSuccess) {
    return (
      <PublicPage title="Check your email">
        <Stack gap="md">
          <Alert color="blue" role="status">
            {mutation.data.message}
          </Alert>
          {backToSignIn}
        </Stack>
      </PublicPage>
    );
  }

  return (
    <PublicPage title="Forgot password">
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <Text size="sm">
            Enter the email of your Latchkey account. If it has a Latchkey password, we will email you a link to choose
            a new one. Accounts that sign in with single sign-on change their password with their identity provider.
          </Text>
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
              errors.clearField('email');
            }}
            error={errors.fields.email}
            withAsterisk
            autoFocus
          />
          <Button type="submit" fullWidth loading={mutation.isPending}>
            Email me a link
          </Button>
          {backToSignIn}
        </Stack>
      </form>
    </PublicPage>
  );
}

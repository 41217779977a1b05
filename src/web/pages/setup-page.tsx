import { Alert, Anchor, Button, Center, Loader, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type ChangeEvent, type FormEvent } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { PASSWORD_MIN_LENGTH } from '../../shared/schemas/common.js';
import { queryKeys } from '../api/query-keys.js';
import { completeSetup, fetchSetupStatus } from '../api/session.js';
import { ErrorState } from '../components/error-state.js';
import { PublicPage } from '../components/public-page.js';
import { PasswordField } from '../components/password-field.js';
import { useFieldErrors } from '../components/use-field-errors.js';

const FIELDS = ['email', 'firstName', 'lastName', 'password', 'confirmPassword'] as const;
type Field = (typeof FIELDS)[number];

/** The one-time token from the setup link (`/setup#token=…`: a fragment never reaches any server log). */
function tokenFromHash(hash: string): string {
  return new URLSearchParams(hash.replace(/^#/, '')).get('token')?.trim() ?? '';
}

function SignInLink() {
  return (
    <Anchor component={Link} to="/login">
      Go to sign in
    </Anchor>
  );
}

export function SetupPage() {
  useDocumentTitle('Set up Latchkey');
  const location = useLocation();
  const navigate = useNavigate();
  const token = tokenFromHash(location.hash);
  const status = useQuery({ queryKey: queryKeys.setupStatus, queryFn: fetchSetupStatus, retry: false });

  const [values, setValues] = useState<Record<Field, string>>({
    email: '',
    firstName: '',
    lastName: '',
    password: '',
    confirmPassword: '',
  });
  const errors = useFieldErrors(FIELDS);

  const mutation = useMutation({
    mutationFn: completeSetup,
    onSuccess: (admin) => {
      void navigate('/login', {
        replace: true,
        state: {
          notice: `The Administrator account ${admin.email} is ready. Sign in with it now.`,
          email: admin.email,
        },
      });
    },
    onError: (error) => errors.showError(error),
  });

  function field(name: Field) {
    return {
      value: values[name],
      error: errors.fields[name],
      onChange: (event: ChangeEvent<HTMLInputElement>) => {
        const value = event.currentTarget.value;
        setValues((current) => ({ ...current, [name]: value }));
        errors.clearField(name);
      },
    };
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const problems: Partial<Record<Field, string>> = {};
    if (!values.email.trim()) problems.email = 'Email is required.';
    if (!values.firstName.trim()) problems.firstName = 'First Name is required.';
    if (!values.lastName.trim()) problems.lastName = 'Last Name is required.';
    if (!values.password) problems.password = 'Password is required.';
    else if (values.password !== values.confirmPassword) problems.confirmPassword = 'The passwords do not match.';
    errors.clear();
    if (Object.keys(problems).length > 0) {
      errors.setFields(problems);
      return;
    }
    mutation.mutate({ token, ...values, email: values.email.trim() });
  }

  if (status.isPending) {
    return (
      <Center h="100vh">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  if (status.isError) return <ErrorState error={status.error} onRetry={() => void status.refetch()} fullPage />;

  if (!status.data.setupRequired && !mutation.isSuccess) {
    return (
      <PublicPage title="Latchkey is already set up">
        <Stack>
          <Text>An account already exists, so this setup page is closed. Sign in with your account instead.</Text>
          <SignInLink />
        </Stack>
      </PublicPage>
    );
  }
  if (!token) {
    return (
      <PublicPage title="Open the setup link">
        <Stack>
          <Text>
            To create the first Administrator, open the one-time setup link that Latchkey printed when it started (it
            looks like{' '}
            <Text span ff="monospace">
              …/setup#token=…
            </Text>
            ). Restarting Latchkey prints a new link while no account exists.
          </Text>
          <SignInLink />
        </Stack>
      </PublicPage>
    );
  }

  return (
    <PublicPage title="Create the first Administrator" width={520}>
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <Text size="sm" c="dimmed">
            This account can do everything in Latchkey, including creating the other accounts. The setup link works
            once.
          </Text>
          {errors.formError && (
            <Alert color="red" role="alert">
              {errors.formError}
            </Alert>
          )}
          <TextInput label="Email" type="email" autoComplete="username" withAsterisk autoFocus {...field('email')} />
          <SimpleGrid cols={2} spacing="md">
            <TextInput label="First Name" autoComplete="given-name" withAsterisk {...field('firstName')} />
            <TextInput label="Last Name" autoComplete="family-name" withAsterisk {...field('lastName')} />
          </SimpleGrid>
          <PasswordField
            label="Password"
            description={`At least ${PASSWORD_MIN_LENGTH} characters and hard to guess: not a common password, your email, your name or the product name. A few words make a good passphrase.`}
            autoComplete="new-password"
            withAsterisk
            {...field('password')}
          />
          <PasswordField
            label="Confirm Password"
            autoComplete="new-password"
            withAsterisk
            {...field('confirmPassword')}
          />
          <Button type="submit" fullWidth loading={mutation.isPending} mt="xs">
            Create Administrator
          </Button>
        </Stack>
      </form>
    </PublicPage>
  );
}

/**
 * Sign-in, step 2, for an account with multi-factor authentication: a passkey (when the account
 * has one), a code from the authenticator app, or one of the recovery codes. A dead challenge (expired, used, too many wrong codes) goes
 * back to the password step with the server's message.
 */
import { Alert, Anchor, Button, Divider, Stack, Text, TextInput } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { isApiError } from '../api/client.js';
import { completeMfaSignIn } from '../api/mfa.js';
import { PasskeyDeviceError, signInWithPasskey } from '../auth/passkey-ceremony.js';
import { PublicPage } from '../components/public-page.js';
import { useFieldErrors } from '../components/use-field-errors.js';
import type { Me } from '../../shared/schemas/session.js';

const FIELDS = ['code', 'recoveryCode'] as const;

export function MfaCodeStep({
  challenge,
  passkey,
  onSignedIn,
  onRestart,
}: {
  challenge: string;
  /** The account has a passkey: offer it first. */
  passkey: boolean;
  onSignedIn: (me: Me) => void;
  onRestart: (error?: unknown) => void;
}) {
  useDocumentTitle('Authentication code · Latchkey');
  const [useRecoveryCode, setUseRecoveryCode] = useState(false);
  const [value, setValue] = useState('');
  const errors = useFieldErrors(FIELDS);
  const field = useRecoveryCode ? 'recoveryCode' : 'code';

  const verify = useMutation({
    mutationFn: () => completeMfaSignIn({ challenge, [field]: value.trim() }),
    onSuccess: onSignedIn,
    onError: (error) => {
      setValue('');
      if (isApiError(error, 'mfa_challenge_invalid') || isApiError(error, 'login_locked')) onRestart(error);
      else if (isApiError(error, 'mfa_code_invalid')) errors.setFields({ [field]: error.message });
      else errors.showError(error);
    },
  });

  const passkeySignIn = useMutation({
    mutationFn: () => signInWithPasskey(challenge),
    onSuccess: onSignedIn,
    onError: (error) => {
      errors.clear();
      if (isApiError(error, 'mfa_challenge_invalid') || isApiError(error, 'login_locked')) onRestart(error);
      else if (isApiError(error, 'mfa_code_invalid'))
        errors.setFormError('The passkey could not be verified. Try again or type a code.');
      else if (error instanceof PasskeyDeviceError) errors.setFormError(error.message);
      else errors.showError(error);
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    errors.clear();
    if (!value.trim()) {
      errors.setFields({
        [field]: useRecoveryCode ? 'Recovery Code is required.' : 'Authentication Code is required.',
      });
      return;
    }
    verify.mutate();
  }

  return (
    <PublicPage title="Two-step verification">
      {passkey && (
        <Stack gap="md" mb="md">
          <Text size="sm">Use the passkey you added for Latchkey: your browser will ask for it.</Text>
          <Button fullWidth onClick={() => passkeySignIn.mutate()} loading={passkeySignIn.isPending}>
            Use a passkey
          </Button>
          <Divider label="or type a code" labelPosition="center" />
        </Stack>
      )}
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <Text size="sm">
            {useRecoveryCode
              ? 'Type one of the recovery codes you saved when you set up your authenticator app. Each code works once.'
              : 'Open your authenticator app and type the 6-digit code it shows for Latchkey.'}
          </Text>
          {useRecoveryCode ? (
            <TextInput
              key="recoveryCode"
              label="Recovery Code"
              autoComplete="off"
              spellCheck={false}
              value={value}
              onChange={(event) => {
                setValue(event.currentTarget.value);
                errors.clearField('recoveryCode');
              }}
              error={errors.fields.recoveryCode}
              withAsterisk
              autoFocus
            />
          ) : (
            <TextInput
              key="code"
              label="Authentication code"
              autoComplete="one-time-code"
              inputMode="numeric"
              value={value}
              onChange={(event) => {
                setValue(event.currentTarget.value);
                errors.clearField('code');
              }}
              error={errors.fields.code}
              withAsterisk
              autoFocus
            />
          )}
          {errors.formError && (
            <Alert color="red" role="alert">
              {errors.formError}
            </Alert>
          )}
          <Button type="submit" fullWidth variant={passkey ? 'default' : 'filled'} loading={verify.isPending}>
            Verify
          </Button>
          <Stack gap={4} align="center">
            <Anchor
              component="button"
              type="button"
              size="sm"
              onClick={() => {
                setUseRecoveryCode((current) => !current);
                setValue('');
                errors.clear();
              }}
            >
              {useRecoveryCode ? 'Use a code from the authenticator app instead' : 'Use a recovery code instead'}
            </Anchor>
            <Anchor component="button" type="button" size="sm" onClick={() => onRestart()}>
              Sign in as someone else
            </Anchor>
          </Stack>
        </Stack>
      </form>
    </PublicPage>
  );
}

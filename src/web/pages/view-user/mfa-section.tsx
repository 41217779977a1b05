/**
 * Multi-factor authentication on your own Password & Security tab, the one place for it: its state,
 * your authenticator apps and passkeys (date added, last use), adding one, removing one, new
 * recovery codes, and turning it off (when the server's `can` allows). Every change asks for your
 * password again. Shown on your own account only: nobody sets up MFA for someone else (an
 * Administrator requires or resets it with the "Enroll in Multi-Factor Authentication" checkbox).
 */
import { Alert, Button, Group, Loader, Modal, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import {
  getOwnMfa,
  regenerateRecoveryCodes,
  removeMfaFactor,
  startTotpEnrollment,
  type MfaStatus,
  type TotpEnrollment,
} from '../../api/mfa.js';
import { queryKeys } from '../../api/query-keys.js';
import { updateSecuritySettings } from '../../api/security.js';
import type { SecuritySettings } from '../../../shared/schemas/security.js';
import { useSignedInMe } from '../../auth/use-me.js';
import { ErrorState } from '../../components/error-state.js';
import { PasskeySetup } from '../../components/passkey-setup.js';
import { PasswordField } from '../../components/password-field.js';
import { RecoveryCodes, TotpSetup } from '../../components/totp-setup.js';
import { useFieldErrors } from '../../components/use-field-errors.js';
import { formatDateTime } from '../../format/date-time.js';

type MfaFactor = MfaStatus['factors'][number];

/** Your own MFA in a sentence: on, required by an Administrator, or off. */
function ownMfaState(settings: SecuritySettings): string {
  const required = settings.mfaRequiredByOther ? ' An Administrator requires it: you cannot turn it off.' : '';
  if (settings.mfaActive) return `On: sign-in asks for a code from an authenticator app or a passkey.${required}`;
  if (settings.mfaEnrolled) return `Required: set it up below (or at your next sign-in).${required}`;
  return 'Off: you sign in with your password alone.';
}

export function OwnMfaSection({ settings, onChanged }: { settings: SecuritySettings; onChanged: () => void }) {
  const me = useSignedInMe();
  const queryClient = useQueryClient();
  const status = useQuery({ queryKey: queryKeys.ownMfa, queryFn: ({ signal }) => getOwnMfa(signal) });
  const [settingUp, setSettingUp] = useState(false);
  const [addingPasskey, setAddingPasskey] = useState(false);
  const [removing, setRemoving] = useState<MfaFactor | null>(null);
  const [renewing, setRenewing] = useState(false);
  const [turningOff, setTurningOff] = useState(false);

  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: queryKeys.ownMfa });
    onChanged();
  };

  return (
    <Stack gap="sm" maw={720} component="section" aria-labelledby="mfa-heading">
      <Title order={2} size="h4" id="mfa-heading">
        Multi-factor authentication
      </Title>
      {/* The one place for your own MFA: its state, and turning it off (the server's `can`). */}
      <Text size="sm">{ownMfaState(settings)}</Text>
      {status.isPending && <Loader aria-label="Loading multi-factor authentication" />}
      {status.isError && <ErrorState error={status.error} onRetry={() => void status.refetch()} />}
      {status.data && status.data.factors.length === 0 && (
        <>
          <Text size="sm">
            Protect your account with a code from an authenticator app on your phone, or with a passkey, in addition to
            your password.
          </Text>
          <Group>
            <Button onClick={() => setSettingUp(true)}>Set up authenticator app</Button>
            <Button variant="default" onClick={() => setAddingPasskey(true)}>
              Add a passkey
            </Button>
          </Group>
        </>
      )}
      {status.data && status.data.factors.length > 0 && (
        <>
          <Table withTableBorder striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Authenticator</Table.Th>
                <Table.Th scope="col">Type</Table.Th>
                <Table.Th scope="col">Date added</Table.Th>
                <Table.Th scope="col">Last used</Table.Th>
                {status.data.factors.length > 1 && (
                  <Table.Th scope="col">
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                )}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {status.data.factors.map((factor) => (
                <Table.Tr key={factor.id}>
                  <Table.Td>{factor.name}</Table.Td>
                  <Table.Td>{factor.kind === 'passkey' ? 'Passkey' : 'Authenticator app'}</Table.Td>
                  <Table.Td>{formatDateTime(factor.createdAt, me.user)}</Table.Td>
                  <Table.Td>{formatDateTime(factor.lastUsedAt, me.user)}</Table.Td>
                  {status.data.factors.length > 1 && (
                    <Table.Td>
                      <Button size="xs" variant="default" color="red" onClick={() => setRemoving(factor)}>
                        Remove
                      </Button>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {status.data.factors.length === 1 && (
            <Text size="sm" c="dimmed">
              To move to a new phone or device, add the new authenticator app or passkey first, then remove the old one.
              Lost it? Sign in with a recovery code, or ask an Administrator to reset multi-factor authentication.
            </Text>
          )}
          <Text size="sm">Recovery codes left: {status.data.recoveryCodesLeft} of 10.</Text>
          <Group>
            <Button variant="default" onClick={() => setSettingUp(true)}>
              Add another authenticator app
            </Button>
            <Button variant="default" onClick={() => setAddingPasskey(true)}>
              Add a passkey
            </Button>
            <Button variant="default" onClick={() => setRenewing(true)}>
              New recovery codes
            </Button>
            {settings.mfaEnrolled && settings.can.turnOffMfaNeedsCurrentPassword && (
              <Button variant="default" color="red" onClick={() => setTurningOff(true)}>
                Turn off multi-factor authentication
              </Button>
            )}
          </Group>
        </>
      )}

      {settingUp && (
        <SetUpModal
          email={me.user.email}
          onClose={() => {
            setSettingUp(false);
            refresh();
          }}
        />
      )}
      {addingPasskey && (
        <AddPasskeyModal
          email={me.user.email}
          onClose={() => {
            setAddingPasskey(false);
            refresh();
          }}
        />
      )}
      {removing && (
        <PasswordConfirmModal
          title={`Remove ${removing.name}?`}
          description={
            removing.kind === 'passkey'
              ? 'This passkey will no longer sign you in.'
              : 'Codes from this app will no longer sign you in.'
          }
          confirmLabel="Remove"
          danger
          onConfirm={(password) => removeMfaFactor(removing.id, password)}
          onDone={() => {
            notifications.show({
              color: 'green',
              title: 'Authenticator removed',
              message: `${removing.name} was removed.`,
            });
            setRemoving(null);
            refresh();
          }}
          onClose={() => setRemoving(null)}
        />
      )}
      {turningOff && (
        <PasswordConfirmModal
          title="Turn off multi-factor authentication for your account?"
          description="Your authenticator apps, passkeys and recovery codes are removed and your other sessions end. You sign in with your password alone until you set up multi-factor authentication again."
          confirmLabel="Turn off"
          danger
          onConfirm={(password) =>
            updateSecuritySettings(me.user.id, { mfaEnrolled: false, currentPassword: password })
          }
          onDone={() => {
            notifications.show({
              color: 'green',
              title: 'Multi-factor authentication turned off',
              message: 'You sign in with your password alone.',
            });
            setTurningOff(false);
            void queryClient.invalidateQueries({ queryKey: queryKeys.me });
            refresh();
          }}
          onClose={() => setTurningOff(false)}
        />
      )}
      {renewing && (
        <NewRecoveryCodesModal
          email={me.user.email}
          onClose={() => {
            setRenewing(false);
            refresh();
          }}
        />
      )}
    </Stack>
  );
}

const PASSWORD_FIELDS = ['currentPassword'] as const;

/** Asks for the current password, then runs `onConfirm` with it; wrong passwords show next to the field. */
function PasswordForm<T>({
  description,
  confirmLabel,
  danger,
  onConfirm,
  onDone,
  onCancel,
}: {
  description: string;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: (password: string) => Promise<T>;
  onDone: (result: T) => void;
  onCancel: () => void;
}) {
  const [password, setPassword] = useState('');
  const errors = useFieldErrors(PASSWORD_FIELDS);
  const run = useMutation({
    mutationFn: () => onConfirm(password),
    onSuccess: onDone,
    onError: (error) => {
      setPassword('');
      errors.showError(error);
    },
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    errors.clear();
    if (!password) {
      errors.setFields({ currentPassword: 'Current Password is required.' });
      return;
    }
    run.mutate();
  }
  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <Text size="sm">{description}</Text>
        <PasswordField
          label="Current Password"
          autoComplete="current-password"
          value={password}
          onChange={(event) => {
            setPassword(event.currentTarget.value);
            errors.clearField('currentPassword');
          }}
          error={errors.fields.currentPassword}
          withAsterisk
          data-autofocus
        />
        {errors.formError && (
          <Alert color="red" role="alert">
            {errors.formError}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" color={danger ? 'red' : undefined} loading={run.isPending}>
            {confirmLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function PasswordConfirmModal<T>(props: {
  title: string;
  description: string;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: (password: string) => Promise<T>;
  onDone: (result: T) => void;
  onClose: () => void;
}) {
  return (
    <Modal opened onClose={props.onClose} title={props.title} centered>
      <PasswordForm {...props} onCancel={props.onClose} />
    </Modal>
  );
}

/** Password → QR code and key → code → recovery codes (for the first authenticator). */
function SetUpModal({ email, onClose }: { email: string; onClose: () => void }) {
  const [enrollment, setEnrollment] = useState<TotpEnrollment | null>(null);
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  // Once the codes are on screen, closing by accident would lose them: only the button closes.
  const showingCodes = recoveryCodes !== null;
  return (
    <Modal
      opened
      onClose={onClose}
      title="Set up authenticator app"
      centered
      size="lg"
      closeOnClickOutside={!showingCodes}
      closeOnEscape={!showingCodes}
      withCloseButton={!showingCodes}
    >
      {showingCodes ? (
        <RecoveryCodes codes={recoveryCodes} email={email} onDone={onClose} />
      ) : enrollment ? (
        <TotpSetup
          enrollment={enrollment}
          onConfirmed={(result) => {
            notifications.show({
              color: 'green',
              title: 'Authenticator app added',
              message: 'Sign-in now asks for a code.',
            });
            if (result.recoveryCodes) setRecoveryCodes(result.recoveryCodes);
            else onClose();
          }}
        />
      ) : (
        <PasswordForm
          description="Type your password to set up an authenticator app."
          confirmLabel="Continue"
          onConfirm={(password) => startTotpEnrollment(password)}
          onDone={setEnrollment}
          onCancel={onClose}
        />
      )}
    </Modal>
  );
}

/** Name and password → the browser's passkey dialog → recovery codes (for the first factor). */
function AddPasskeyModal({ email, onClose }: { email: string; onClose: () => void }) {
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const showingCodes = recoveryCodes !== null;
  return (
    <Modal
      opened
      onClose={onClose}
      title="Add a passkey"
      centered
      size="lg"
      closeOnClickOutside={!showingCodes}
      closeOnEscape={!showingCodes}
      withCloseButton={!showingCodes}
    >
      {showingCodes ? (
        <RecoveryCodes codes={recoveryCodes} email={email} onDone={onClose} />
      ) : (
        <PasskeySetup
          askPassword
          onCancel={onClose}
          onRegistered={(result) => {
            notifications.show({
              color: 'green',
              title: 'Passkey added',
              message: `${result.factor.name} can now sign you in.`,
            });
            if (result.recoveryCodes) setRecoveryCodes(result.recoveryCodes);
            else onClose();
          }}
        />
      )}
    </Modal>
  );
}

function NewRecoveryCodesModal({ email, onClose }: { email: string; onClose: () => void }) {
  const [codes, setCodes] = useState<string[] | null>(null);
  return (
    <Modal
      opened
      onClose={onClose}
      title="New recovery codes"
      centered
      size="lg"
      closeOnClickOutside={codes === null}
      closeOnEscape={codes === null}
      withCloseButton={codes === null}
    >
      {codes ? (
        <RecoveryCodes codes={codes} email={email} onDone={onClose} />
      ) : (
        <PasswordForm
          description="New recovery codes replace all of your current ones, which stop working."
          confirmLabel="Generate new codes"
          onConfirm={(password) => regenerateRecoveryCodes(password)}
          onDone={(result) => setCodes(result.recoveryCodes)}
          onCancel={onClose}
        />
      )}
    </Modal>
  );
}

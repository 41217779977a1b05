/**
 * The Password & Security tab, exactly as the seed article describes it: Security Group, Account
 * Status, API Token (with Generate), Enroll in Multi-Factor Authentication, Reset Password (with
 * User Must Change Password at Next Login), all saved by one Change button. Navigating away
 * cancels (with a warning when something was changed).
 *
 * What the viewer may change comes from the server (`settings.can`); this file only reads it.
 */
import { Alert, Button, Checkbox, Group, Loader, Modal, Select, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { Decision } from '../../../shared/schemas/decision.js';
import type { SecuritySettings, UpdateSecurity } from '../../../shared/schemas/security.js';
import type { User } from '../../../shared/schemas/users.js';
import { messageOf } from '../../api/client.js';
import { queryKeys } from '../../api/query-keys.js';
import {
  generateApiToken,
  getSecuritySettings,
  revokeApiToken,
  updateSecuritySettings,
  type GeneratedApiToken,
} from '../../api/security.js';
import { listSecurityGroups } from '../../api/users.js';
import { useSignedInMe } from '../../auth/use-me.js';
import { ErrorState } from '../../components/error-state.js';
import { PlainField } from '../../components/plain-field.js';
import { ShownOnceSecretDialog } from '../../components/shown-once-secret-dialog.js';
import { useFieldErrors } from '../../components/use-field-errors.js';
import { PasswordChangeFields } from '../../components/password-change-fields.js';
import { UnsavedChangesGuard } from '../../components/unsaved-changes-guard.js';
import { describeTokenUse } from '../../format/date-time.js';
import { ACCOUNT_STATUS_LABELS } from '../../format/labels.js';
import { OwnMfaSection } from './mfa-section.js';

const securityKey = (userId: string) => [...queryKeys.user(userId), 'security'] as const;

interface Draft {
  securityGroupId: string;
  accountStatus: 'enabled' | 'disabled';
  mfaEnrolled: boolean;
  resetPassword: boolean;
  currentPassword: string;
  newPassword: string;
  confirmNewPassword: string;
  mustChangePassword: boolean;
}

function draftFrom(settings: SecuritySettings): Draft {
  return {
    securityGroupId: settings.securityGroup.id,
    accountStatus: settings.accountStatus,
    mfaEnrolled: settings.mfaEnrolled,
    resetPassword: false,
    currentPassword: '',
    newPassword: '',
    confirmNewPassword: '',
    mustChangePassword: settings.mustChangePassword,
  };
}

/** Only what changed goes in the request: the server refuses fields the viewer may not set. */
function changesOf(settings: SecuritySettings, draft: Draft): UpdateSecurity {
  const changes: UpdateSecurity = {};
  if (draft.securityGroupId !== settings.securityGroup.id) changes.securityGroupId = draft.securityGroupId;
  if (draft.accountStatus !== settings.accountStatus) changes.accountStatus = draft.accountStatus;
  // Another account's MFA only: your own is turned off in the Multi-factor authentication section.
  if (draft.mfaEnrolled !== settings.mfaEnrolled) changes.mfaEnrolled = draft.mfaEnrolled;
  if (draft.mustChangePassword !== settings.mustChangePassword) changes.mustChangePassword = draft.mustChangePassword;
  if (draft.resetPassword) {
    changes.resetPassword = {
      ...(settings.can.resetPassword === 'own' ? { currentPassword: draft.currentPassword } : {}),
      newPassword: draft.newPassword,
      confirmNewPassword: draft.confirmNewPassword,
    };
  }
  return changes;
}

const FIELDS = [
  'securityGroupId',
  'accountStatus',
  'mfaEnrolled',
  'currentPassword',
  'newPassword',
  'confirmNewPassword',
  'mustChangePassword',
] as const;

export function PasswordSecurityTab({ user }: { user: User }) {
  const me = useSignedInMe();
  const isOwnAccount = me.user.id === user.id;
  const query = useQuery({
    queryKey: securityKey(user.id),
    queryFn: ({ signal }) => getSecuritySettings(user.id, signal),
  });
  if (query.isPending) return <Loader aria-label="Loading password and security settings" />;
  if (query.isError) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  // Keyed by the saved state, so the form starts afresh from the server's answer after each save.
  return (
    <Stack gap="xl">
      <SecurityForm key={JSON.stringify(query.data)} user={user} settings={query.data} />
      {isOwnAccount && <OwnMfaSection settings={query.data} onChanged={() => void query.refetch()} />}
    </Stack>
  );
}

function SecurityForm({ user, settings }: { user: User; settings: SecuritySettings }) {
  const me = useSignedInMe();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>(() => draftFrom(settings));
  const [confirmingDisable, setConfirmingDisable] = useState(false);
  const [confirmingMfaReset, setConfirmingMfaReset] = useState(false);
  const errors = useFieldErrors(FIELDS);
  const can = settings.can;
  const isOwnAccount = user.id === me.user.id;
  const changes = changesOf(settings, draft);
  const dirty = Object.keys(changes).length > 0;

  const groups = useQuery({
    queryKey: queryKeys.securityGroups,
    queryFn: ({ signal }) => listSecurityGroups(signal),
    enabled: can.changeSecurityGroup.allowed,
  });
  // Only groups the server would accept (their rights are all the viewer's), and the current one.
  const assignable = groups.data?.filter((g) => g.can.assign.allowed || g.id === settings.securityGroup.id);
  const groupOptions = (assignable ?? [settings.securityGroup]).map((g) => ({
    value: g.id,
    label: g.name,
    description: g.description,
  }));
  const selectedGroup = groupOptions.find((g) => g.value === draft.securityGroupId);

  const save = useMutation({
    mutationFn: () => updateSecuritySettings(user.id, changes),
    onSuccess: async (saved) => {
      errors.clear();
      queryClient.setQueryData(securityKey(user.id), saved);
      await queryClient.invalidateQueries({ queryKey: queryKeys.users });
      if (user.id === me.user.id) await queryClient.invalidateQueries({ queryKey: queryKeys.me });
      notifications.show({
        color: 'green',
        title: 'Changes saved',
        message: 'The password and security settings were saved.',
      });
    },
    onError: (error) => errors.showError(error),
  });

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setDraft((current) => ({ ...current, [key]: value }));
    if ((FIELDS as readonly string[]).includes(key)) errors.clearField(key as (typeof FIELDS)[number]);
  };

  const submit = () => {
    if (!dirty) {
      notifications.show({ title: 'Nothing to save', message: 'No password or security setting was changed.' });
      return;
    }
    if (draft.resetPassword && draft.newPassword !== draft.confirmNewPassword) {
      errors.setFields({ confirmNewPassword: 'The passwords do not match.' });
      return;
    }
    if (changes.accountStatus === 'disabled') setConfirmingDisable(true);
    else if (changes.mfaEnrolled === false) setConfirmingMfaReset(true);
    else save.mutate();
  };

  const mustChangeCheckbox = (
    <Checkbox
      label="User Must Change Password at Next Login"
      description={
        settings.mustChangePassword
          ? 'Required now: the account must choose a new password at its next sign-in. Clear it and click Change to lift it.'
          : undefined
      }
      checked={draft.mustChangePassword}
      onChange={(event) => set('mustChangePassword', event.currentTarget.checked)}
      error={errors.fields.mustChangePassword}
    />
  );

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
      noValidate
    >
      <Stack gap="md" maw={560}>
        {can.changeSecurityGroup.allowed ? (
          <Select
            label="Security Group"
            description={selectedGroup?.description}
            data={groupOptions}
            value={draft.securityGroupId}
            onChange={(value) => value && set('securityGroupId', value)}
            allowDeselect={false}
            error={errors.fields.securityGroupId}
            renderOption={({ option }) => {
              const description = groupOptions.find((g) => g.value === option.value)?.description;
              return (
                <div>
                  <Text size="sm">{option.label}</Text>
                  <Text size="xs" c="dimmed">
                    {description}
                  </Text>
                </div>
              );
            }}
          />
        ) : (
          <PlainField
            label="Security Group"
            value={settings.securityGroup.name}
            note={refusal(can.changeSecurityGroup)}
          />
        )}

        {can.changeAccountStatus.allowed ? (
          <Select
            label="Account Status"
            data={[
              { value: 'enabled', label: 'Enabled' },
              { value: 'disabled', label: 'Disabled' },
            ]}
            value={draft.accountStatus}
            onChange={(value) => value && set('accountStatus', value)}
            allowDeselect={false}
            error={errors.fields.accountStatus}
          />
        ) : (
          <PlainField
            label="Account Status"
            value={ACCOUNT_STATUS_LABELS[settings.accountStatus]}
            note={refusal(can.changeAccountStatus)}
          />
        )}

        <ApiTokenField user={user} settings={settings} />

        {/* Your own MFA is in one place: the Multi-factor authentication section below the form. */}
        {!isOwnAccount &&
          (can.changeMfaEnrollment.allowed ? (
            <Checkbox
              label="Enroll in Multi-Factor Authentication"
              description={`${mfaDescription(settings, draft.mfaEnrolled)} API tokens keep working without multi-factor authentication.`}
              checked={draft.mfaEnrolled}
              onChange={(event) => set('mfaEnrolled', event.currentTarget.checked)}
              error={errors.fields.mfaEnrolled}
            />
          ) : (
            <PlainField
              label="Enroll in Multi-Factor Authentication"
              value={mfaDescription(settings, settings.mfaEnrolled)}
              note={refusal(can.changeMfaEnrollment)}
            />
          ))}

        {can.resetPassword !== 'none' && (
          <Checkbox
            label="Reset Password"
            checked={draft.resetPassword}
            onChange={(event) => set('resetPassword', event.currentTarget.checked)}
          />
        )}

        {draft.resetPassword && (
          <Stack gap="sm" pl="xl">
            <PasswordChangeFields
              values={draft}
              errors={errors.fields}
              onChange={set}
              withCurrentPassword={can.resetPassword === 'own'}
            />
            {can.setMustChangePassword.allowed && mustChangeCheckbox}
          </Stack>
        )}
        {/* Already required: shown without Reset Password, so an Administrator can clear it on its own. */}
        {!draft.resetPassword && settings.mustChangePassword && can.setMustChangePassword.allowed && mustChangeCheckbox}

        {errors.formError && (
          <Alert color="red" title="Not saved" role="alert">
            {errors.formError}
          </Alert>
        )}

        <Group>
          <Button type="submit" loading={save.isPending}>
            Change
          </Button>
          {dirty && (
            <Text size="sm" c="dimmed">
              Unsaved changes. Navigate to another page to cancel your changes.
            </Text>
          )}
        </Group>
      </Stack>

      <UnsavedChangesGuard when={dirty && !save.isPending} />

      <Modal
        opened={confirmingMfaReset}
        onClose={() => setConfirmingMfaReset(false)}
        title={`Reset multi-factor authentication for ${user.email}?`}
        centered
      >
        <Stack>
          <Text size="sm">
            The account&apos;s authenticator apps and recovery codes are removed and its sessions end. It signs in with
            its password alone until multi-factor authentication is set up again.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirmingMfaReset(false)}>
              Cancel
            </Button>
            <Button
              color="red"
              onClick={() => {
                setConfirmingMfaReset(false);
                save.mutate();
              }}
            >
              Reset and save
            </Button>
          </Group>
        </Stack>
      </Modal>

      <Modal
        opened={confirmingDisable}
        onClose={() => setConfirmingDisable(false)}
        title={`Disable ${user.email}?`}
        centered
      >
        <Stack>
          <Text size="sm">
            The account&apos;s sessions end at once and its API token is deleted. Enabling it again later brings back
            neither: a new token must be generated.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirmingDisable(false)}>
              Cancel
            </Button>
            <Button
              color="red"
              onClick={() => {
                setConfirmingDisable(false);
                save.mutate();
              }}
            >
              Disable and save
            </Button>
          </Group>
        </Stack>
      </Modal>
    </form>
  );
}

/** What the MFA checkbox means for this account now, and what saving the draft value will do. */
function mfaDescription(settings: SecuritySettings, draftValue: boolean): string {
  if (draftValue && !settings.mfaEnrolled)
    return 'The account will have to set up an authenticator app or a passkey at its next sign-in.';
  if (!draftValue && settings.mfaEnrolled)
    return "Saving removes the account's authenticator apps, passkeys and recovery codes and ends its sessions (for a lost phone or key).";
  if (!settings.mfaEnrolled) return 'Off.';
  const required = settings.mfaRequiredByOther
    ? " Required by an Administrator: the account's owner cannot turn it off."
    : '';
  return settings.mfaActive
    ? `On: sign-in asks for a code from an authenticator app or a passkey.${required}`
    : `Pending: set-up at next sign-in.${required}`;
}

/**
 * API Token: masked token with its dates ("No token" as a placeholder when there is none), Generate
 * (confirm → shown once with a copy button) and Revoke (confirmed), each as the server's `can` allows.
 */
function ApiTokenField({ user, settings }: { user: User; settings: SecuritySettings }) {
  const me = useSignedInMe();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const [generated, setGenerated] = useState<GeneratedApiToken | null>(null);
  const token = settings.apiToken;

  const generate = useMutation({
    mutationFn: () => generateApiToken(user.id),
    onSuccess: (result) => {
      setConfirming(false);
      setGenerated(result);
    },
    onError: (error) => {
      setConfirming(false);
      notifications.show({ color: 'red', title: 'No token was generated', message: messageOf(error) });
    },
  });

  const [confirmingRevoke, setConfirmingRevoke] = useState(false);
  const revoke = useMutation({
    mutationFn: () => revokeApiToken(user.id),
    onSuccess: async () => {
      setConfirmingRevoke(false);
      await queryClient.invalidateQueries({ queryKey: securityKey(user.id) });
      notifications.show({
        color: 'green',
        title: 'API token revoked',
        message: `The API token of ${user.email} no longer works.`,
      });
    },
    onError: (error) => {
      setConfirmingRevoke(false);
      notifications.show({ color: 'red', title: 'The token was not revoked', message: messageOf(error) });
    },
  });

  const closeGenerated = () => {
    setGenerated(null);
    void queryClient.invalidateQueries({ queryKey: securityKey(user.id) });
  };

  const details = token ? describeTokenUse(token, me.user) : 'This account has no API token.';

  return (
    <div>
      <Group align="flex-end" gap="sm" wrap="nowrap">
        <TextInput
          label="API Token"
          description={details}
          value={token ? token.masked : ''}
          placeholder="No token"
          readOnly
          style={{ flex: 1 }}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
        />
        {settings.can.generateApiToken.allowed && (
          <Button variant="default" onClick={() => setConfirming(true)}>
            Generate
          </Button>
        )}
        {token && settings.can.revokeApiToken.allowed && (
          <Button variant="default" color="red" onClick={() => setConfirmingRevoke(true)}>
            Revoke
          </Button>
        )}
      </Group>

      <Modal opened={confirmingRevoke} onClose={() => setConfirmingRevoke(false)} title="Revoke API token?" centered>
        <Stack>
          <Text size="sm">
            The API token of {user.email} stops working at once: scripts and integrations using it are refused from
            their next request. A new token can be generated later.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirmingRevoke(false)}>
              Cancel
            </Button>
            <Button color="red" onClick={() => revoke.mutate()} loading={revoke.isPending}>
              Revoke
            </Button>
          </Group>
        </Stack>
      </Modal>

      <Modal opened={confirming} onClose={() => setConfirming(false)} title="Generate API token" centered>
        <Stack>
          <Text size="sm">
            {token
              ? `A new API token for ${user.email} replaces the current one, which stops working immediately.`
              : `Generate an API token for ${user.email}?`}{' '}
            The token acts with the account&apos;s security group.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
            <Button onClick={() => generate.mutate()} loading={generate.isPending}>
              Generate
            </Button>
          </Group>
        </Stack>
      </Modal>

      <ShownOnceSecretDialog
        secret={generated?.token ?? null}
        title="Your new API token"
        secretLabel="New API token"
        instructions="Store it somewhere safe, such as a secrets manager."
        onClose={closeGenerated}
      />
    </div>
  );
}

/** The server's reason for a refused decision (none when allowed). */
const refusal = (decision: Decision) => (decision.allowed ? undefined : decision.message);

import { Alert, Button, Group, NumberInput, Paper, Skeleton, Stack, Text, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { queryKeys } from '../../api/query-keys.js';
import { updateInstallationSettings, useInstallationSettings } from '../../api/settings.js';
import { can } from '../../auth/abilities.js';
import { useSignedInMe } from '../../auth/use-me.js';
import { ErrorState } from '../../components/error-state.js';
import { NoPermissionPage } from '../../components/notice-page.js';
import { useFieldErrors } from '../../components/use-field-errors.js';
import { formatDateTime } from '../../format/date-time.js';
import type { InstallationSettings } from '../../../shared/schemas/settings.js';
import { SESSION_TIMEOUT_MAX, SESSION_TIMEOUT_MIN } from '../../../shared/schemas/users.js';

const FIELDS = ['maxSessionTimeoutMinutes'] as const;

/** Settings: the installation-wide settings only an Administrator changes (administration:manage_settings). */
export function SettingsPage() {
  useDocumentTitle('Settings · Latchkey');
  const me = useSignedInMe();
  if (!can(me, 'administration:manage_settings')) {
    return (
      <NoPermissionPage
        myAccountPath={`/users/${me.user.id}`}
        message="Only an Administrator can change the installation's settings."
      />
    );
  }
  return <Settings />;
}

function Settings() {
  const settings = useInstallationSettings();
  return (
    <Stack gap="md" maw={720}>
      <Title order={1} size="h2">
        Settings
      </Title>
      {settings.isPending ? (
        <Skeleton h={180} />
      ) : settings.isError ? (
        <ErrorState error={settings.error} onRetry={() => void settings.refetch()} />
      ) : (
        // A fresh form for each saved version, so the saved value becomes the new starting point.
        <SettingsForm key={settings.data.updatedAt} settings={settings.data} />
      )}
    </Stack>
  );
}

function SettingsForm({ settings }: { settings: InstallationSettings }) {
  const me = useSignedInMe();
  const queryClient = useQueryClient();
  const [maxTimeout, setMaxTimeout] = useState<number | string>(settings.maxSessionTimeoutMinutes);
  const errors = useFieldErrors(FIELDS);

  const mutation = useMutation({
    mutationFn: updateInstallationSettings,
    onSuccess: (saved) => {
      notifications.show({ color: 'green', message: 'Settings saved' });
      queryClient.setQueryData(queryKeys.settings, saved);
    },
    onError: (error) => errors.showError(error),
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    errors.clear();
    if (maxTimeout === '') {
      errors.setFields({ maxSessionTimeoutMinutes: 'Maximum session timeout is required.' });
      return;
    }
    if (Number(maxTimeout) === settings.maxSessionTimeoutMinutes) {
      notifications.show({ color: 'blue', message: 'Nothing has changed, so there is nothing to save.' });
      return;
    }
    mutation.mutate({ maxSessionTimeoutMinutes: Number(maxTimeout) });
  }

  return (
    <form onSubmit={submit} noValidate aria-label="Settings">
      <Paper withBorder p="md" radius="md" component="section" aria-labelledby="sessions-heading">
        <Stack gap="sm">
          <Title order={2} size="h4" id="sessions-heading">
            Sessions
          </Title>
          <NumberInput
            label="Maximum session timeout (minutes)"
            description={
              `The longest Session Timeout anyone may choose (${SESSION_TIMEOUT_MIN}–${SESSION_TIMEOUT_MAX}). ` +
              'Lowering it also ends, at their next request, sessions that have been idle longer.'
            }
            inputWrapperOrder={['label', 'input', 'description', 'error']}
            min={SESSION_TIMEOUT_MIN}
            max={SESSION_TIMEOUT_MAX}
            allowDecimal={false}
            allowNegative={false}
            clampBehavior="none"
            withAsterisk
            maw={320}
            value={maxTimeout}
            onChange={(value) => {
              setMaxTimeout(value);
              errors.clearField('maxSessionTimeoutMinutes');
            }}
            readOnly={!settings.can.update}
            error={errors.fields.maxSessionTimeoutMinutes}
          />
          {errors.formError && (
            <Alert color="red" role="alert" title="Settings not saved">
              {errors.formError}
            </Alert>
          )}
          <Group justify="space-between" align="center">
            <Button type="submit" loading={mutation.isPending} disabled={!settings.can.update}>
              Save
            </Button>
            <Text size="sm" c="dimmed">
              Last changed {formatDateTime(settings.updatedAt, me.user)}.
            </Text>
          </Group>
        </Stack>
      </Paper>
    </form>
  );
}

import {
  Alert,
  Box,
  Button,
  Checkbox,
  Group,
  Modal,
  NumberInput,
  Paper,
  Radio,
  Skeleton,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { listAuditEvents, listLoginAttempts } from '../../api/logs.js';
import { queryKeys } from '../../api/query-keys.js';
import { updateInstallationSettings, useInstallationSettings } from '../../api/settings.js';
import { can } from '../../auth/abilities.js';
import { useSignedInMe } from '../../auth/use-me.js';
import { ErrorState } from '../../components/error-state.js';
import { NoPermissionPage } from '../../components/notice-page.js';
import { useFieldErrors } from '../../components/use-field-errors.js';
import { formatDateTime } from '../../format/date-time.js';
import type { Total } from '../../../shared/paging.js';
import { describeCount, type Noun } from '../../format/count.js';
import {
  LOG_RETENTION_MAX_DAYS,
  LOG_RETENTION_MIN_DAYS,
  type InstallationSettings,
  type UpdateInstallationSettings,
} from '../../../shared/schemas/settings.js';
import { SESSION_TIMEOUT_MAX, SESSION_TIMEOUT_MIN } from '../../../shared/schemas/users.js';
import { EmailSection } from './email-section.js';

const FIELDS = ['maxSessionTimeoutMinutes', 'logRetentionDays'] as const;
const DAY_MS = 24 * 60 * 60 * 1000;

/** What a shorter retention would delete at once: how many entries of each log are older than its limit. */
interface PendingDeletion {
  changes: UpdateInstallationSettings;
  days: number;
  olderThan: string;
  events: Total | null;
  attempts: Total | null;
}

/**
 * How many entries of each log lie before `olderThan` (exact up to 10,000); null where the
 * Administrator may not read that log or it did not answer (the question is then asked without it).
 */
async function entriesBefore(olderThan: string): Promise<{ events: Total | null; attempts: Total | null }> {
  // The API's `to` is inclusive; retention deletes strictly older entries, a millisecond apart at most.
  const to = new Date(Date.parse(olderThan) - 1).toISOString();
  const [events, attempts] = await Promise.allSettled([
    listAuditEvents({ actor: '', target: '', action: '', to, pageSize: 1 }),
    listLoginAttempts({ email: '', result: '', to, pageSize: 1 }),
  ]);
  return {
    events: events.status === 'fulfilled' ? events.value.total : null,
    attempts: attempts.status === 'fulfilled' ? attempts.value.total : null,
  };
}

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
    <Stack gap="md">
      <Title order={1} size="h2">
        Settings
      </Title>
      <Box maw={720}>
        {settings.isPending ? (
          <Skeleton h={180} />
        ) : settings.isError ? (
          <ErrorState error={settings.error} onRetry={() => void settings.refetch()} />
        ) : (
          // A fresh form for each saved version, so the saved value becomes the new starting point.
          <SettingsForm key={settings.data.updatedAt} settings={settings.data} />
        )}
      </Box>
      {/* Wider: its table of messages needs the room. */}
      <EmailSection />
    </Stack>
  );
}

function SettingsForm({ settings }: { settings: InstallationSettings }) {
  const me = useSignedInMe();
  const queryClient = useQueryClient();
  const [maxTimeout, setMaxTimeout] = useState<number | string>(settings.maxSessionTimeoutMinutes);
  const [keepForever, setKeepForever] = useState(settings.logRetentionDays === null);
  const [retentionDays, setRetentionDays] = useState<number | string>(settings.logRetentionDays ?? 365);
  const [selfServiceReset, setSelfServiceReset] = useState(settings.selfServicePasswordReset);
  const [pending, setPending] = useState<PendingDeletion | null>(null);
  const [checking, setChecking] = useState(false);
  const errors = useFieldErrors(FIELDS);

  const mutation = useMutation({
    mutationFn: updateInstallationSettings,
    onSuccess: (saved) => {
      notifications.show({ color: 'green', message: 'Settings saved' });
      queryClient.setQueryData(queryKeys.settings, saved);
    },
    onError: (error) => errors.showError(error),
  });

  async function submit(event: FormEvent) {
    event.preventDefault();
    errors.clear();
    if (maxTimeout === '') {
      errors.setFields({ maxSessionTimeoutMinutes: 'Maximum session timeout is required.' });
      return;
    }
    if (!keepForever && retentionDays === '') {
      errors.setFields({ logRetentionDays: 'Enter the number of days to keep, or choose Keep forever.' });
      return;
    }
    const newRetention = keepForever ? null : Number(retentionDays);
    const changes: UpdateInstallationSettings = {};
    if (Number(maxTimeout) !== settings.maxSessionTimeoutMinutes) changes.maxSessionTimeoutMinutes = Number(maxTimeout);
    if (newRetention !== settings.logRetentionDays) changes.logRetentionDays = newRetention;
    if (selfServiceReset !== settings.selfServicePasswordReset) changes.selfServicePasswordReset = selfServiceReset;
    if (Object.keys(changes).length === 0) {
      notifications.show({ color: 'blue', message: 'Nothing has changed, so there is nothing to save.' });
      return;
    }
    // A shorter retention deletes entries that exist today: say how many, and ask first.
    const shorter =
      newRetention !== null &&
      Number.isInteger(newRetention) &&
      newRetention >= LOG_RETENTION_MIN_DAYS &&
      newRetention <= LOG_RETENTION_MAX_DAYS &&
      (settings.logRetentionDays === null || newRetention < settings.logRetentionDays);
    if (shorter) {
      const olderThan = new Date(Date.now() - newRetention * DAY_MS).toISOString();
      setChecking(true);
      const found = await entriesBefore(olderThan).finally(() => setChecking(false));
      const none = found.events?.count === 0 && found.attempts?.count === 0;
      if (!none) {
        setPending({ changes, days: newRetention, olderThan, ...found });
        return;
      }
    }
    mutation.mutate(changes);
  }

  return (
    <form onSubmit={(event) => void submit(event)} noValidate aria-label="Settings">
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
        </Stack>
      </Paper>
      <Paper withBorder p="md" radius="md" component="section" aria-labelledby="sign-in-heading" mt="md">
        <Stack gap="sm">
          <Title order={2} size="h4" id="sign-in-heading">
            Sign-in
          </Title>
          <Checkbox
            label="Self-service password reset"
            description={
              'Offers "Forgot password?" on the sign-in page: people with a Latchkey password can ask for a ' +
              'single-use link by email (valid 30 minutes) to choose a new one. Needs email (SMTP) to be configured; ' +
              'single sign-on accounts never get a link.'
            }
            checked={selfServiceReset}
            onChange={(event) => setSelfServiceReset(event.currentTarget.checked)}
            disabled={!settings.can.update}
          />
        </Stack>
      </Paper>
      <Paper withBorder p="md" radius="md" component="section" aria-labelledby="logs-heading" mt="md">
        <Stack gap="sm">
          <Title order={2} size="h4" id="logs-heading">
            Logs
          </Title>
          <Radio.Group
            label="Log retention"
            description={
              'How long login history and system events are kept. Older entries are deleted in the background, ' +
              'within an hour of saving and every hour after; deleted entries cannot be recovered.'
            }
            value={keepForever ? 'forever' : 'days'}
            onChange={(value) => {
              setKeepForever(value === 'forever');
              errors.clearField('logRetentionDays');
            }}
            readOnly={!settings.can.update}
          >
            <Stack gap="xs" mt="xs">
              <Radio value="forever" label="Keep forever" disabled={!settings.can.update} />
              <Radio value="days" label="Delete entries older than a number of days" disabled={!settings.can.update} />
            </Stack>
          </Radio.Group>
          <NumberInput
            label="Days to keep"
            description={`From ${LOG_RETENTION_MIN_DAYS} to ${LOG_RETENTION_MAX_DAYS} days (ten years).`}
            inputWrapperOrder={['label', 'input', 'description', 'error']}
            min={LOG_RETENTION_MIN_DAYS}
            max={LOG_RETENTION_MAX_DAYS}
            allowDecimal={false}
            allowNegative={false}
            clampBehavior="none"
            maw={320}
            value={retentionDays}
            onChange={(value) => {
              setRetentionDays(value);
              errors.clearField('logRetentionDays');
            }}
            disabled={keepForever}
            readOnly={!settings.can.update}
            error={errors.fields.logRetentionDays}
          />
        </Stack>
      </Paper>
      <Stack gap="sm" mt="md">
        {errors.formError && (
          <Alert color="red" role="alert" title="Settings not saved">
            {errors.formError}
          </Alert>
        )}
        <Group justify="space-between" align="center">
          <Button type="submit" loading={mutation.isPending || checking} disabled={!settings.can.update}>
            Save
          </Button>
          <Text size="sm" c="dimmed">
            Last changed {formatDateTime(settings.updatedAt, me.user)}.
          </Text>
        </Group>
      </Stack>
      <ConfirmDeletion
        pending={pending}
        onCancel={() => setPending(null)}
        onConfirm={() => {
          if (pending) mutation.mutate(pending.changes);
          setPending(null);
        }}
      />
    </form>
  );
}

function ConfirmDeletion({
  pending,
  onCancel,
  onConfirm,
}: {
  pending: PendingDeletion | null;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  const me = useSignedInMe();
  const counted = (total: Total | null, noun: Noun) => (total ? describeCount(total, noun) : null);
  const what = [
    counted(pending?.events ?? null, ['system event', 'system events']),
    counted(pending?.attempts ?? null, ['sign-in attempt', 'sign-in attempts']),
  ]
    .filter(Boolean)
    .join(' and ');
  return (
    <Modal opened={pending !== null} onClose={onCancel} title="Delete older log entries?" centered>
      {pending && (
        <Stack gap="md">
          <Text>
            Keeping {pending.days} days deletes every log entry from before {formatDateTime(pending.olderThan, me.user)}
            {what ? ` (${what} today)` : ''}, within the hour. Deleted entries cannot be recovered.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={onCancel}>
              Cancel
            </Button>
            <Button color="red.8" onClick={onConfirm}>
              Delete older entries
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

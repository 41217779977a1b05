import { Alert, Button, Fieldset, Group, NumberInput, Select, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import {
  DATE_FORMATS,
  SESSION_TIMEOUT_MIN,
  THEMES,
  TIME_FORMATS,
  type AccountSettings,
  type User,
} from '../../../shared/schemas/users.js';
import { sessionTimeoutDescription } from '../../../shared/schemas/settings.js';
import { queryKeys } from '../../api/query-keys.js';
import { useMaxSessionTimeout } from '../../api/settings.js';
import { updateUserSettings } from '../../api/users.js';
import { PlainField } from '../../components/plain-field.js';
import { useFieldErrors } from '../../components/use-field-errors.js';
import { formatDate } from '../../format/date-time.js';
import { THEME_LABELS, TIME_FORMAT_LABELS } from '../../format/labels.js';
import type { UserTabProps } from './user-tab-props.js';

type TextField = 'firstName' | 'lastName' | 'title' | 'telephone' | 'functionalGroup';
const FIELDS = [
  'firstName',
  'lastName',
  'title',
  'telephone',
  'dateFormat',
  'timeFormat',
  'sessionTimeoutMinutes',
  'functionalGroup',
  'theme',
] as const;
type Field = (typeof FIELDS)[number];

/** Fields the identity provider owns for SSO accounts (it overwrites them at every sign-in). */
const PROVIDER_OWNED: readonly Field[] = ['firstName', 'lastName', 'title', 'telephone'];

interface Values {
  firstName: string;
  lastName: string;
  title: string;
  telephone: string;
  dateFormat: User['dateFormat'];
  timeFormat: User['timeFormat'];
  sessionTimeoutMinutes: number | string;
  functionalGroup: string;
  theme: User['theme'];
}

function valuesOf(user: User): Values {
  const {
    firstName,
    lastName,
    title,
    telephone,
    dateFormat,
    timeFormat,
    sessionTimeoutMinutes,
    functionalGroup,
    theme,
  } = user;
  return {
    firstName,
    lastName,
    title,
    telephone,
    dateFormat,
    timeFormat,
    sessionTimeoutMinutes,
    functionalGroup,
    theme,
  };
}

/** Only what changed is sent, so a save never overwrites a field someone else changed meanwhile. */
function changedFields(initial: Values, values: Values): AccountSettings {
  const changes: Record<string, unknown> = {};
  for (const field of FIELDS) {
    const value =
      field === 'sessionTimeoutMinutes'
        ? Number(values[field])
        : typeof values[field] === 'string'
          ? values[field].trim()
          : values[field];
    if (value !== initial[field]) changes[field] = value;
  }
  return changes;
}

const SAMPLE_DATE = new Date(2025, 2, 14);

/** The Account Settings tab (product.md §1 "View User"). */
export function AccountSettingsTab({ user, me }: UserTabProps) {
  // A fresh form for each version of the account, so saved values become the new starting point.
  return <AccountSettingsForm key={`${user.id}:${user.updatedAt}`} user={user} me={me} />;
}

function AccountSettingsForm({ user, me }: UserTabProps) {
  const queryClient = useQueryClient();
  const initial = valuesOf(user);
  const [values, setValues] = useState<Values>(initial);
  const errors = useFieldErrors(FIELDS);
  const maxTimeout = useMaxSessionTimeout();

  const isOwnAccount = me.user.id === user.id;
  // The server computed this for this viewer and enforces the same rule; the form only follows it.
  const mayEdit = user.can.update.allowed;
  const isSso = user.userType === 'sso';
  const provider = user.ssoProvider ?? 'the identity provider';

  const mutation = useMutation({
    mutationFn: (changes: AccountSettings) => updateUserSettings(user.id, changes),
    onSuccess: (updated) => {
      notifications.show({ color: 'green', message: 'Settings updated' });
      queryClient.setQueryData(queryKeys.user(user.id), updated);
      void queryClient.invalidateQueries({ queryKey: queryKeys.users });
      // Your own preferences (theme, date and time formats) apply at once.
      if (isOwnAccount) void queryClient.invalidateQueries({ queryKey: queryKeys.me });
    },
    onError: (error) => errors.showError(error),
  });

  function set<K extends keyof Values>(name: K, value: Values[K]) {
    setValues((current) => ({ ...current, [name]: value }));
    errors.clearField(name);
  }

  /**
   * Fields this viewer may not change are read-only rather than disabled: still readable (disabled
   * text is too faint) and still focusable, and announced as read-only.
   */
  const readOnlyProps = (readOnly: boolean) => (readOnly ? { readOnly: true, variant: 'filled' as const } : {});
  const locked = (field: Field) => !mayEdit || (isSso && PROVIDER_OWNED.includes(field));
  const text = (name: TextField) => ({
    value: values[name],
    error: errors.fields[name],
    ...readOnlyProps(locked(name)),
    description: isSso && PROVIDER_OWNED.includes(name) ? `Managed by ${provider}` : undefined,
    onChange: (event: { currentTarget: HTMLInputElement }) => set(name, event.currentTarget.value),
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    errors.clear();
    const problems: Partial<Record<Field, string>> = {};
    if (!values.firstName.trim()) problems.firstName = 'First Name is required.';
    if (!values.lastName.trim()) problems.lastName = 'Last Name is required.';
    if (values.sessionTimeoutMinutes === '') problems.sessionTimeoutMinutes = 'Session Timeout is required.';
    if (Object.keys(problems).length > 0) {
      errors.setFields(problems);
      return;
    }
    const changes = changedFields(initial, values);
    if (Object.keys(changes).length === 0) {
      notifications.show({ color: 'blue', message: 'Nothing has changed, so there is nothing to update.' });
      return;
    }
    mutation.mutate(changes);
  }

  return (
    <form onSubmit={submit} noValidate aria-label="Account Settings">
      <Stack gap="md" maw={900}>
        {!mayEdit && (
          <Alert color="gray" role="status">
            You can see these settings but not change them. {!user.can.update.allowed && user.can.update.message}
          </Alert>
        )}
        <Fieldset legend="Profile" radius="md">
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md" verticalSpacing="sm">
            <PlainField label="Email" value={user.email} note="The login ID; it cannot be changed." />
            <TextInput label="Functional Group" {...text('functionalGroup')} />
            <TextInput label="First Name" withAsterisk={!locked('firstName')} {...text('firstName')} />
            <TextInput label="Last Name" withAsterisk={!locked('lastName')} {...text('lastName')} />
            <TextInput label="Title" {...text('title')} />
            <TextInput label="Telephone" type="tel" {...text('telephone')} />
          </SimpleGrid>
        </Fieldset>
        <Fieldset legend="Preferences" radius="md">
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md" verticalSpacing="sm">
            <Select
              label="Date format"
              data={DATE_FORMATS.map((format) => ({
                value: format,
                label: `${format}  (${formatDate(SAMPLE_DATE, format)})`,
              }))}
              value={values.dateFormat}
              onChange={(value) => value && set('dateFormat', value)}
              allowDeselect={false}
              {...readOnlyProps(locked('dateFormat'))}
              error={errors.fields.dateFormat}
            />
            <Select
              label="Time format"
              data={TIME_FORMATS.map((format) => ({ value: format, label: TIME_FORMAT_LABELS[format] }))}
              value={values.timeFormat}
              onChange={(value) => value && set('timeFormat', value)}
              allowDeselect={false}
              {...readOnlyProps(locked('timeFormat'))}
              error={errors.fields.timeFormat}
            />
            <NumberInput
              label="Session Timeout (minutes)"
              description={sessionTimeoutDescription(maxTimeout)}
              inputWrapperOrder={['label', 'input', 'description', 'error']}
              min={SESSION_TIMEOUT_MIN}
              max={maxTimeout}
              allowDecimal={false}
              allowNegative={false}
              clampBehavior="none"
              withAsterisk={!locked('sessionTimeoutMinutes')}
              value={values.sessionTimeoutMinutes}
              onChange={(value) => set('sessionTimeoutMinutes', value)}
              {...readOnlyProps(locked('sessionTimeoutMinutes'))}
              error={errors.fields.sessionTimeoutMinutes}
            />
            <Select
              label="UI theme"
              data={THEMES.map((theme) => ({ value: theme, label: THEME_LABELS[theme] }))}
              value={values.theme}
              onChange={(value) => value && set('theme', value)}
              allowDeselect={false}
              {...readOnlyProps(locked('theme'))}
              error={errors.fields.theme}
            />
          </SimpleGrid>
        </Fieldset>
        {errors.formError && (
          <Alert color="red" role="alert" title="Settings not updated">
            {errors.formError}
          </Alert>
        )}
        {mayEdit && (
          <Group>
            <Button type="submit" loading={mutation.isPending}>
              Update
            </Button>
          </Group>
        )}
      </Stack>
    </form>
  );
}

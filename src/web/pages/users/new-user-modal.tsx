import {
  Alert,
  Button,
  Checkbox,
  Group,
  Modal,
  NumberInput,
  Radio,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { PASSWORD_MIN_LENGTH } from '../../../shared/schemas/common.js';
import { SESSION_TIMEOUT_MIN, type CreateUserInput } from '../../../shared/schemas/users.js';
import { sessionTimeoutDescription } from '../../../shared/schemas/settings.js';
import { useMaxSessionTimeout } from '../../api/settings.js';
import { queryKeys } from '../../api/query-keys.js';
import { createUser, listSecurityGroups } from '../../api/users.js';
import { can } from '../../auth/abilities.js';
import { useSignedInMe } from '../../auth/use-me.js';
import { PasswordField } from '../../components/password-field.js';
import { useFieldErrors } from '../../components/use-field-errors.js';

const FIELDS = [
  'email',
  'firstName',
  'lastName',
  'title',
  'telephone',
  'userType',
  'password',
  'confirmPassword',
  'securityGroupId',
  'sessionTimeoutMinutes',
  'functionalGroup',
  'ssoProvider',
  'mustChangePassword',
] as const;
type Field = (typeof FIELDS)[number];

interface Values {
  email: string;
  firstName: string;
  lastName: string;
  title: string;
  telephone: string;
  userType: 'native' | 'sso';
  password: string;
  confirmPassword: string;
  securityGroupId: string | null;
  sessionTimeoutMinutes: number | string;
  functionalGroup: string;
  ssoProvider: string;
  mustChangePassword: boolean;
}

const EMPTY: Values = {
  email: '',
  firstName: '',
  lastName: '',
  title: '',
  telephone: '',
  userType: 'native',
  password: '',
  confirmPassword: '',
  securityGroupId: null,
  sessionTimeoutMinutes: 60,
  functionalGroup: '',
  ssoProvider: '',
  mustChangePassword: false,
};

/** Required fields and matching passwords are checked here; everything else (the password policy too) by the server. */
function checkValues(values: Values): Partial<Record<Field, string>> {
  const problems: Partial<Record<Field, string>> = {};
  if (!values.email.trim()) problems.email = 'Email Address is required.';
  if (!values.firstName.trim()) problems.firstName = 'First Name is required.';
  if (!values.lastName.trim()) problems.lastName = 'Last Name is required.';
  if (values.userType === 'native') {
    if (!values.password) problems.password = 'Password is required for native users.';
    else if (values.password !== values.confirmPassword) problems.confirmPassword = 'The passwords do not match.';
  } else if (!values.ssoProvider.trim()) {
    problems.ssoProvider = 'Identity Provider is required for SSO users.';
  }
  if (!values.securityGroupId) problems.securityGroupId = 'Security Group is required.';
  if (values.sessionTimeoutMinutes === '') problems.sessionTimeoutMinutes = 'Session Timeout is required.';
  return problems;
}

function toInput(values: Values): CreateUserInput {
  const native = values.userType === 'native';
  return {
    email: values.email.trim(),
    firstName: values.firstName.trim(),
    lastName: values.lastName.trim(),
    title: values.title.trim(),
    telephone: values.telephone.trim(),
    userType: values.userType,
    ...(native
      ? {
          password: values.password,
          confirmPassword: values.confirmPassword,
          ...(values.mustChangePassword ? { mustChangePassword: true } : {}),
        }
      : { ssoProvider: values.ssoProvider.trim() }),
    securityGroupId: values.securityGroupId ?? '',
    sessionTimeoutMinutes: Number(values.sessionTimeoutMinutes),
    functionalGroup: values.functionalGroup.trim(),
  };
}

/** The New User dialog (product.md §1): creates an account, then refreshes the list. */
export function NewUserModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title="New User" size="xl" centered>
      {/* Mounted only while open, so every opening starts from an empty form. */}
      {opened && <NewUserForm onClose={onClose} />}
    </Modal>
  );
}

function NewUserForm({ onClose }: { onClose: () => void }) {
  const queryClient = useQueryClient();
  const me = useSignedInMe();
  // The server's rule (policies/account-security.ts): only those who may force a password change.
  const mayForcePasswordChange = can(me, 'administration:force_password_change');
  const [values, setValues] = useState<Values>(EMPTY);
  const maxTimeout = useMaxSessionTimeout();
  // A new account starts at an hour, or at the installation's maximum when that is lower.
  useEffect(() => {
    setValues((current) =>
      current.sessionTimeoutMinutes === EMPTY.sessionTimeoutMinutes && maxTimeout < Number(EMPTY.sessionTimeoutMinutes)
        ? { ...current, sessionTimeoutMinutes: maxTimeout }
        : current,
    );
  }, [maxTimeout]);
  const errors = useFieldErrors(FIELDS);
  const groups = useQuery({ queryKey: queryKeys.securityGroups, queryFn: ({ signal }) => listSecurityGroups(signal) });

  const groupOptions = useMemo(
    () => (groups.data ?? []).map((group) => ({ value: group.id, label: group.name })),
    [groups.data],
  );
  const descriptions = useMemo(
    () => new Map((groups.data ?? []).map((group) => [group.id, group.description])),
    [groups.data],
  );

  const mutation = useMutation({
    mutationFn: createUser,
    onSuccess: (user) => {
      notifications.show({ color: 'green', message: `User ${user.email} created` });
      void queryClient.invalidateQueries({ queryKey: queryKeys.users });
      void queryClient.invalidateQueries({ queryKey: queryKeys.securityGroups });
      onClose();
    },
    onError: (error) => errors.showError(error),
  });

  function set<K extends keyof Values>(name: K, value: Values[K]) {
    setValues((current) => ({ ...current, [name]: value }));
    errors.clearField(name);
  }
  const text = (
    name:
      | 'email'
      | 'firstName'
      | 'lastName'
      | 'title'
      | 'telephone'
      | 'functionalGroup'
      | 'password'
      | 'confirmPassword'
      | 'ssoProvider',
  ) => ({
    value: values[name],
    error: errors.fields[name],
    onChange: (event: { currentTarget: HTMLInputElement }) => set(name, event.currentTarget.value),
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    event.stopPropagation();
    const problems = checkValues(values);
    errors.clear();
    if (Object.keys(problems).length > 0) {
      errors.setFields(problems);
      return;
    }
    mutation.mutate(toInput(values));
  }

  const native = values.userType === 'native';
  const selectedDescription = values.securityGroupId ? descriptions.get(values.securityGroupId) : undefined;

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <TextInput
          label="Email Address / Login ID"
          type="email"
          autoComplete="off"
          withAsterisk
          data-autofocus
          {...text('email')}
        />
        <SimpleGrid cols={2} spacing="md" verticalSpacing="md">
          <TextInput label="First Name" withAsterisk {...text('firstName')} />
          <TextInput label="Last Name" withAsterisk {...text('lastName')} />
          <TextInput label="Title" {...text('title')} />
          <TextInput label="Telephone" type="tel" {...text('telephone')} />
        </SimpleGrid>
        <SimpleGrid cols={2} spacing="md">
          <Radio.Group
            label="User Type"
            value={values.userType}
            onChange={(value) => set('userType', value)}
            error={errors.fields.userType}
            description={native ? 'Signs in with a Latchkey password.' : 'Signs in through the identity provider.'}
          >
            <Group gap="xl" mt={8}>
              <Radio value="native" label="Native" />
              <Radio value="sso" label="SSO" />
            </Group>
          </Radio.Group>
          <NumberInput
            label="Session Timeout (minutes)"
            description={sessionTimeoutDescription(maxTimeout)}
            min={SESSION_TIMEOUT_MIN}
            max={maxTimeout}
            allowDecimal={false}
            allowNegative={false}
            clampBehavior="none"
            withAsterisk
            value={values.sessionTimeoutMinutes}
            onChange={(value) => set('sessionTimeoutMinutes', value)}
            error={errors.fields.sessionTimeoutMinutes}
          />
        </SimpleGrid>
        {!native && (
          <SimpleGrid cols={2} spacing="md">
            <TextInput
              label="Identity Provider"
              description="The name people know it by, such as Okta or Entra ID."
              placeholder="Okta"
              autoComplete="off"
              withAsterisk
              {...text('ssoProvider')}
            />
          </SimpleGrid>
        )}
        {native && (
          <SimpleGrid cols={2} spacing="md">
            <PasswordField
              label="Password"
              description={`At least ${PASSWORD_MIN_LENGTH} characters and hard to guess: not common, not the email, name or product name.`}
              autoComplete="new-password"
              withAsterisk
              {...text('password')}
            />
            <PasswordField
              label="Confirm Password"
              description="The same password again."
              autoComplete="new-password"
              withAsterisk
              {...text('confirmPassword')}
            />
          </SimpleGrid>
        )}
        {native && mayForcePasswordChange && (
          <Checkbox
            label="User Must Change Password at Next Login"
            description="The user chooses their own password at their first sign-in."
            checked={values.mustChangePassword}
            onChange={(event) => set('mustChangePassword', event.currentTarget.checked)}
            error={errors.fields.mustChangePassword}
          />
        )}
        <SimpleGrid cols={2} spacing="md">
          <Select
            label="Security Group"
            placeholder={groups.isPending ? 'Loading security groups…' : 'Choose a security group'}
            data={groupOptions}
            value={values.securityGroupId}
            onChange={(value) => set('securityGroupId', value)}
            error={
              errors.fields.securityGroupId ?? (groups.isError ? 'The security groups could not be loaded.' : undefined)
            }
            description={selectedDescription}
            inputWrapperOrder={['label', 'input', 'description', 'error']}
            withAsterisk
            allowDeselect={false}
            maxDropdownHeight={360}
            comboboxProps={{ withinPortal: true, width: 460, position: 'bottom-start' }}
            renderOption={({ option, checked }) => (
              <Stack gap={0} py={2}>
                <Text size="sm" fw={checked ? 600 : 500}>
                  {option.label}
                </Text>
                <Text size="xs" c="dimmed">
                  {descriptions.get(option.value)}
                </Text>
              </Stack>
            )}
          />
          <TextInput label="Functional Group" {...text('functionalGroup')} />
        </SimpleGrid>
        {errors.formError && (
          <Alert color="red" role="alert">
            {errors.formError}
          </Alert>
        )}
        <Group justify="flex-end" gap="sm" mt="xs">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={mutation.isPending}>
            Create User
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

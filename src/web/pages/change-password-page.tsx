/**
 * The forced password change ("User Must Change Password at Next Login"): until it is done the
 * server refuses everything else, so this is the only page such an account sees. Save changes the
 * password and continues to the home page; Cancel signs out.
 */
import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Navigate, useNavigate } from 'react-router';
import { queryKeys } from '../api/query-keys.js';
import { changeOwnPassword } from '../api/security.js';
import { useSignedInMe } from '../auth/use-me.js';
import { useSignOut } from '../auth/use-sign-out.js';
import { PasswordChangeFields } from '../components/password-change-fields.js';
import { PublicPage } from '../components/public-page.js';
import { useFieldErrors } from '../components/use-field-errors.js';

const FIELDS = ['currentPassword', 'newPassword', 'confirmNewPassword'] as const;

export function ChangePasswordPage() {
  useDocumentTitle('Change your password · Latchkey');
  const me = useSignedInMe();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [values, setValues] = useState({ currentPassword: '', newPassword: '', confirmNewPassword: '' });
  const errors = useFieldErrors(FIELDS);

  const save = useMutation({
    mutationFn: () => changeOwnPassword(values),
    onSuccess: async () => {
      notifications.show({ color: 'green', title: 'Password changed', message: 'Your password has been changed.' });
      await queryClient.invalidateQueries({ queryKey: queryKeys.me });
      void navigate('/', { replace: true });
    },
    onError: (error) => errors.showError(error),
  });

  const cancel = useSignOut({ navigateTo: '/login' });

  if (!me.user.mustChangePassword && !save.isSuccess) return <Navigate to="/" replace />;

  const set = (field: (typeof FIELDS)[number], value: string) => {
    setValues((current) => ({ ...current, [field]: value }));
    errors.clearField(field);
  };

  function submit(event: FormEvent) {
    event.preventDefault();
    const missing: Partial<Record<(typeof FIELDS)[number], string>> = {};
    if (!values.currentPassword) missing.currentPassword = 'Current Password is required.';
    if (!values.newPassword) missing.newPassword = 'New Password is required.';
    if (values.newPassword !== values.confirmNewPassword) missing.confirmNewPassword = 'The passwords do not match.';
    if (Object.keys(missing).length > 0) {
      errors.setFields(missing);
      return;
    }
    save.mutate();
  }

  return (
    <PublicPage title="Change your password" width={460}>
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <Text size="sm">
            An administrator requires you to choose a new password before you continue, {me.user.firstName}.
          </Text>
          <PasswordChangeFields values={values} errors={errors.fields} onChange={set} withCurrentPassword autoFocus />
          {errors.formError && (
            <Alert color="red" role="alert">
              {errors.formError}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => cancel.mutate()} loading={cancel.isPending}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending}>
              Save
            </Button>
          </Group>
        </Stack>
      </form>
    </PublicPage>
  );
}

/**
 * Adding a passkey, shared by the Password & Security tab and the forced enrollment page: a name
 * (so the person can tell their passkeys apart later), the current password where the server asks
 * for it, then the browser's own passkey dialog.
 */
import { Alert, Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { ConfirmedTotp } from '../api/mfa.js';
import { addPasskey, PasskeyDeviceError } from '../auth/passkey-ceremony.js';
import { PasswordField } from './password-field.js';
import { useFieldErrors } from './use-field-errors.js';

const FIELDS = ['name', 'currentPassword'] as const;

export function PasskeySetup({
  askPassword,
  onRegistered,
  onCancel,
}: {
  /** False only in the enrollment-only session after sign-in (the server does not ask then). */
  askPassword: boolean;
  onRegistered: (result: ConfirmedTotp) => void;
  onCancel?: () => void;
}) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const errors = useFieldErrors(FIELDS);
  const add = useMutation({
    mutationFn: () => addPasskey(name.trim(), askPassword ? password : undefined),
    onSuccess: onRegistered,
    onError: (error) => {
      setPassword('');
      if (error instanceof PasskeyDeviceError) errors.setFormError(error.message);
      else errors.showError(error);
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    errors.clear();
    const missing: Partial<Record<(typeof FIELDS)[number], string>> = {};
    if (!name.trim()) missing.name = 'Passkey Name is required.';
    if (askPassword && !password) missing.currentPassword = 'Current Password is required.';
    if (Object.keys(missing).length > 0) {
      errors.setFields(missing);
      return;
    }
    add.mutate();
  }

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <Text size="sm">
          A passkey signs you in with this device&apos;s screen lock, a security key or your phone, instead of typing a
          code. Your browser will ask you to create it.
        </Text>
        <TextInput
          label="Passkey Name"
          description="For example: Work laptop, YubiKey, Phone."
          maxLength={100}
          value={name}
          onChange={(event) => {
            setName(event.currentTarget.value);
            errors.clearField('name');
          }}
          error={errors.fields.name}
          withAsterisk
          data-autofocus
          styles={{ input: { maxWidth: 320 } }}
        />
        {askPassword && (
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
          />
        )}
        {errors.formError && (
          <Alert color="red" role="alert">
            {errors.formError}
          </Alert>
        )}
        <Group justify={onCancel ? 'flex-end' : 'flex-start'}>
          {onCancel && (
            <Button variant="default" onClick={onCancel}>
              Cancel
            </Button>
          )}
          <Button type="submit" loading={add.isPending}>
            Add passkey
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

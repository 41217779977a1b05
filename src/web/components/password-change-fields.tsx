import { PasswordInput } from '@mantine/core';
import { PASSWORD_MIN_LENGTH } from '../../shared/schemas/common.js';

export type PasswordChangeField = 'currentPassword' | 'newPassword' | 'confirmNewPassword';
export type PasswordChangeValues = Record<PasswordChangeField, string>;

/**
 * Current Password, New Password and Confirm New Password: the labels the seed article uses, the
 * same on the Password & Security tab and on the forced-change screen.
 */
export function PasswordChangeFields({
  values,
  errors,
  onChange,
  withCurrentPassword,
  autoFocus = false,
}: {
  values: PasswordChangeValues;
  errors: Partial<Record<PasswordChangeField, string>>;
  onChange: (field: PasswordChangeField, value: string) => void;
  /** Your own password needs the current one; an administrative reset does not. */
  withCurrentPassword: boolean;
  autoFocus?: boolean;
}) {
  return (
    <>
      {withCurrentPassword && (
        <PasswordInput
          label="Current Password"
          autoComplete="current-password"
          required
          data-autofocus={autoFocus || undefined}
          value={values.currentPassword}
          onChange={(event) => onChange('currentPassword', event.currentTarget.value)}
          error={errors.currentPassword}
        />
      )}
      <PasswordInput
        label="New Password"
        description={`At least ${PASSWORD_MIN_LENGTH} characters and hard to guess. Spaces are fine; a passphrase of a few words is best.`}
        autoComplete="new-password"
        required
        value={values.newPassword}
        onChange={(event) => onChange('newPassword', event.currentTarget.value)}
        error={errors.newPassword}
      />
      <PasswordInput
        label="Confirm New Password"
        autoComplete="new-password"
        required
        value={values.confirmNewPassword}
        onChange={(event) => onChange('confirmNewPassword', event.currentTarget.value)}
        error={errors.confirmNewPassword}
      />
    </>
  );
}

import { PasswordInput, type PasswordInputProps } from '@mantine/core';

/**
 * Mantine's PasswordInput with `aria-invalid` on the input while it shows an error (Mantine 9 sets
 * it on other inputs but not on this one), so screen readers announce the field as invalid.
 */
export function PasswordField(props: PasswordInputProps) {
  return <PasswordInput {...props} aria-invalid={props.error ? true : undefined} />;
}

/**
 * Setting up an authenticator app, shared by the forced enrollment page and the Password & Security
 * tab: the QR code, the key as text (for people who cannot scan), the otpauth URI, the code that
 * confirms it, and then the recovery codes, shown once.
 */
import { Alert, Button, Code, CopyButton, Group, Image, List, Stack, Text, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { confirmTotpEnrollment, type ConfirmedTotp, type TotpEnrollment } from '../api/mfa.js';
import { saveFile } from '../api/save-file.js';
import { useFieldErrors } from './use-field-errors.js';

/** "ABCD EFGH …": easier to read aloud and to type than 32 characters in one run. */
export function groupKey(secret: string): string {
  return secret.match(/.{1,4}/g)?.join(' ') ?? secret;
}

const CODE_FIELDS = ['code'] as const;

export function TotpSetup({
  enrollment,
  onConfirmed,
}: {
  enrollment: TotpEnrollment;
  onConfirmed: (result: ConfirmedTotp) => void;
}) {
  const [code, setCode] = useState('');
  const errors = useFieldErrors(CODE_FIELDS);
  const confirm = useMutation({
    mutationFn: () => confirmTotpEnrollment(code.trim()),
    onSuccess: onConfirmed,
    onError: (error) => {
      setCode('');
      errors.showError(error);
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    errors.clear();
    if (!code.trim()) {
      errors.setFields({ code: 'Authentication Code is required.' });
      return;
    }
    confirm.mutate();
  }

  return (
    <Stack gap="md">
      <Text size="sm">
        1. Scan this QR code with your authenticator app (for example Google Authenticator, Microsoft Authenticator,
        1Password or Bitwarden).
      </Text>
      <Image
        src={enrollment.qrCodeDataUrl}
        alt="QR code that adds your Latchkey account to an authenticator app"
        w={200}
        h={200}
        mx="auto"
      />
      <Stack gap={4}>
        <Text size="sm">Cannot scan it? Type this key into the app instead:</Text>
        <Group gap="sm">
          <Code aria-label="Setup key" fz="sm" style={{ letterSpacing: '0.05em', whiteSpace: 'nowrap' }}>
            {groupKey(enrollment.secret)}
          </Code>
          <CopyButton value={enrollment.secret}>
            {({ copied, copy }) => (
              <Button size="xs" variant="default" onClick={copy} style={{ flexShrink: 0 }}>
                {copied ? 'Copied' : 'Copy key'}
              </Button>
            )}
          </CopyButton>
        </Group>
        <details>
          <summary style={{ cursor: 'pointer', fontSize: 'var(--mantine-font-size-sm)' }}>Show the setup link</summary>
          <Code block mt="xs" style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap' }}>
            {enrollment.otpauthUri}
          </Code>
        </details>
      </Stack>
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <TextInput
            label="Authentication Code"
            description="2. Type the 6-digit code the app now shows for Latchkey."
            autoComplete="one-time-code"
            inputMode="numeric"
            value={code}
            onChange={(event) => {
              setCode(event.currentTarget.value);
              errors.clearField('code');
            }}
            error={errors.fields.code}
            withAsterisk
            styles={{ input: { maxWidth: 240 } }}
          />
          {errors.formError && (
            <Alert color="red" role="alert">
              {errors.formError}
            </Alert>
          )}
          <Group>
            <Button type="submit" loading={confirm.isPending}>
              Verify and turn on
            </Button>
          </Group>
        </Stack>
      </form>
    </Stack>
  );
}

/** The ten recovery codes, this once: copy, download, and confirm they are saved. */
export function RecoveryCodes({
  codes,
  email,
  onDone,
  doneLabel = 'I have saved my recovery codes',
}: {
  codes: string[];
  email: string;
  onDone: () => void;
  doneLabel?: string;
}) {
  const text = `Latchkey recovery codes for ${email}\nEach code works once, if you cannot use your authenticator app.\n\n${codes.join('\n')}\n`;
  return (
    <Stack gap="md">
      <Alert color="yellow" title="Save your recovery codes now">
        If you lose your phone, each of these codes signs you in once instead of a code from the app. They will not be
        shown again. Keep them somewhere safe, such as a password manager.
      </Alert>
      <List aria-label="Recovery codes" listStyleType="none" spacing={4} style={{ columns: 2 }} ff="monospace">
        {codes.map((code) => (
          <List.Item key={code}>
            <Code fz="sm">{code}</Code>
          </List.Item>
        ))}
      </List>
      <Group>
        <CopyButton value={text}>
          {({ copied, copy }) => (
            <Button variant="default" onClick={copy}>
              {copied ? 'Copied' : 'Copy'}
            </Button>
          )}
        </CopyButton>
        <Button
          variant="default"
          onClick={() => saveFile(new Blob([text], { type: 'text/plain' }), 'latchkey-recovery-codes.txt')}
        >
          Download
        </Button>
      </Group>
      <Group justify="flex-end">
        <Button onClick={onDone}>{doneLabel}</Button>
      </Group>
    </Stack>
  );
}

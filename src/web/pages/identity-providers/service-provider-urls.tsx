import { Button, CopyButton, Fieldset, Stack, Text, TextInput } from '@mantine/core';

/** A value to enter at the identity provider, with a Copy button named after it. */
function CopyField({ label, value }: { label: string; value: string }) {
  return (
    <TextInput
      label={label}
      value={value}
      readOnly
      variant="filled"
      styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 13 } }}
      rightSectionWidth={84}
      rightSection={
        <CopyButton value={value}>
          {({ copied, copy }) => (
            <Button size="compact-xs" variant="default" onClick={copy} aria-label={`Copy ${label}`} w={68}>
              {copied ? 'Copied' : 'Copy'}
            </Button>
          )}
        </CopyButton>
      }
    />
  );
}

/** What the identity provider's administrator enters there about Latchkey. */
export function ServiceProviderUrls({
  fields,
  note,
}: {
  fields: { label: string; value: string | null }[];
  note?: string;
}) {
  const shown = fields.filter((field): field is { label: string; value: string } => Boolean(field.value));
  return (
    <Fieldset legend="Enter these at the identity provider" radius="md">
      <Stack gap="sm">
        {note && (
          <Text size="sm" c="dimmed">
            {note}
          </Text>
        )}
        {shown.map((field) => (
          <CopyField key={field.label} label={field.label} value={field.value} />
        ))}
      </Stack>
    </Fieldset>
  );
}

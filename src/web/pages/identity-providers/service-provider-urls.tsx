import { Button, CopyButton, Fieldset, Stack, Text, TextInput } from '@mantine/core';
import type { IdentityProvider, SsoProtocolName } from '../../../shared/schemas/identity-providers.js';

/** A value to enter at the identity provider, with a Copy button named after it. */
export function CopyField({ label, value }: { label: string; value: string }) {
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

/**
 * The addresses for the identity provider's administrator: OpenID Connect's are known before saving
 * (the same for every provider); a SAML provider's are its own, so they appear once it is saved.
 */
export function ProviderServiceProviderUrls({
  protocol,
  provider,
}: {
  protocol: SsoProtocolName;
  provider: IdentityProvider | null;
}) {
  const sp = provider?.serviceProvider;
  const origin = window.location.origin;
  return (
    <>
      {protocol === 'oidc' ? (
        <ServiceProviderUrls
          note={
            provider
              ? undefined
              : 'Register Latchkey at the provider with these addresses (the same for every OpenID Connect provider).'
          }
          fields={[
            { label: 'Redirect URI', value: sp?.redirectUri ?? `${origin}/api/v1/sso/oidc/callback` },
            { label: 'Post-logout redirect URI', value: sp?.postLogoutRedirectUri ?? `${origin}/login` },
          ]}
        />
      ) : provider ? (
        <ServiceProviderUrls
          fields={[
            { label: 'SP Entity ID', value: sp?.entityId ?? null },
            { label: 'ACS URL', value: sp?.acsUrl ?? null },
            { label: 'Metadata URL', value: sp?.metadataUrl ?? null },
          ]}
        />
      ) : (
        <Fieldset legend="Enter these at the identity provider" radius="md">
          <Text size="sm" c="dimmed">
            Latchkey’s SP Entity ID, ACS URL and metadata URL appear here after saving: each SAML provider gets its own.
          </Text>
        </Fieldset>
      )}
    </>
  );
}

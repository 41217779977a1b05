import { Checkbox, Fieldset, PasswordInput, SimpleGrid, Stack, TextInput } from '@mantine/core';
import type { IdentityProvider } from '../../../shared/schemas/identity-providers.js';
import type { ProviderForm } from './use-provider-form.js';

/** An OpenID Connect provider's settings: issuer, client, scopes and groups claim. */
export function OidcSettingsFieldset({ form, provider }: { form: ProviderForm; provider: IdentityProvider | null }) {
  const { values, errors, set, setOidc } = form;
  return (
    <Fieldset legend="OpenID Connect settings" radius="md">
      <Stack gap="sm">
        <TextInput
          label="Issuer URL"
          description="Latchkey reads its /.well-known/openid-configuration."
          placeholder="https://login.corp.example"
          withAsterisk
          value={values.oidc.issuer}
          onChange={(event) => setOidc('issuer', event.currentTarget.value)}
          error={errors['oidc.issuer']}
          type="url"
        />
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md" verticalSpacing="sm">
          <TextInput
            label="Client ID"
            withAsterisk
            value={values.oidc.clientId}
            onChange={(event) => setOidc('clientId', event.currentTarget.value)}
            error={errors['oidc.clientId']}
            autoComplete="off"
          />
          <PasswordInput
            label="Client secret"
            description={
              provider?.oidc?.hasClientSecret && !values.clearClientSecret
                ? 'A client secret is stored — leave empty to keep it.'
                : 'Stored encrypted and never shown again. Leave empty for a public client (PKCE only).'
            }
            value={values.oidc.clientSecret}
            onChange={(event) => {
              setOidc('clientSecret', event.currentTarget.value);
              if (event.currentTarget.value !== '') set('clearClientSecret', false);
            }}
            error={errors['oidc.clientSecret']}
            autoComplete="new-password"
          />
          <TextInput
            label="Scopes"
            description="Separated by spaces; openid is always requested."
            value={values.oidc.scopes}
            onChange={(event) => setOidc('scopes', event.currentTarget.value)}
            error={errors['oidc.scopes']}
          />
          <TextInput
            label="Groups claim"
            description="The claim that carries group names. Empty: no group mapping."
            value={values.oidc.groupsClaim}
            onChange={(event) => setOidc('groupsClaim', event.currentTarget.value)}
            error={errors['oidc.groupsClaim']}
          />
        </SimpleGrid>
        {provider?.oidc?.hasClientSecret && (
          <Checkbox
            label="Clear the stored client secret (a public client that uses PKCE only)"
            checked={values.clearClientSecret}
            disabled={values.oidc.clientSecret !== ''}
            onChange={(event) => set('clearClientSecret', event.currentTarget.checked)}
          />
        )}
      </Stack>
    </Fieldset>
  );
}

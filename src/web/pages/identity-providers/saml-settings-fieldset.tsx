import { Fieldset, FileInput, Loader, SimpleGrid, Stack, Textarea, TextInput } from '@mantine/core';
import type { IdentityProvider } from '../../../shared/schemas/identity-providers.js';
import { messageOf } from '../../api/client.js';
import { useSignedInMe } from '../../auth/use-me.js';
import { CertificateExpiry } from './certificate-expiry.js';
import type { ProviderForm } from './use-provider-form.js';

const monospace = { input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 12 } };

/**
 * A SAML 2.0 provider's settings: read from its metadata file or entered by hand, with when the
 * signing certificate expires (the saved one's, or the one just read from metadata).
 */
export function SamlSettingsFieldset({ form, provider }: { form: ProviderForm; provider: IdentityProvider | null }) {
  const me = useSignedInMe();
  const { initial, values, errors, setSaml, metadata, metadataFile, fromMetadata, chooseMetadataFile } = form;
  return (
    <Fieldset legend="SAML 2.0 settings" radius="md">
      <Stack gap="sm">
        <FileInput
          label="Upload metadata XML"
          description="The identity provider’s metadata file fills in the fields below (nothing is saved until you press Save)."
          placeholder="Choose an .xml file"
          accept=".xml,application/xml,text/xml,application/samlmetadata+xml"
          value={metadataFile}
          onChange={chooseMetadataFile}
          error={metadata.isError ? messageOf(metadata.error) : undefined}
          rightSection={metadata.isPending ? <Loader size="xs" aria-label="Reading the metadata" /> : undefined}
          clearable
          maw={520}
        />
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md" verticalSpacing="sm">
          <TextInput
            label="Entity ID"
            description="The identity provider’s Entity ID (its Issuer)."
            withAsterisk
            value={values.saml.entityId}
            onChange={(event) => setSaml('entityId', event.currentTarget.value)}
            error={errors['saml.entityId']}
          />
          <TextInput
            label="SSO login URL"
            description="Where people are sent to sign in (HTTP-Redirect binding)."
            withAsterisk
            type="url"
            value={values.saml.ssoUrl}
            onChange={(event) => setSaml('ssoUrl', event.currentTarget.value)}
            error={errors['saml.ssoUrl']}
          />
          <TextInput
            label="Logout URL"
            description="Optional: offered to people after they sign out of Latchkey."
            type="url"
            value={values.saml.logoutUrl}
            onChange={(event) => setSaml('logoutUrl', event.currentTarget.value)}
            error={errors['saml.logoutUrl']}
          />
          <TextInput
            label="Groups attribute"
            description="The attribute that carries group names. Empty: no group mapping."
            value={values.saml.groupsAttribute}
            onChange={(event) => setSaml('groupsAttribute', event.currentTarget.value)}
            error={errors['saml.groupsAttribute']}
          />
        </SimpleGrid>
        <Textarea
          label="Signing certificate"
          description="PEM (-----BEGIN CERTIFICATE-----) or its base64. Assertions must be signed with its key."
          withAsterisk
          value={values.saml.certificate}
          onChange={(event) => setSaml('certificate', event.currentTarget.value)}
          error={errors['saml.certificate']}
          autosize
          minRows={4}
          maxRows={10}
          styles={monospace}
          spellCheck={false}
        />
        {provider?.saml && values.saml.certificate === initial.saml.certificate ? (
          <CertificateExpiry
            expiresAt={provider.saml.certificateExpiresAt}
            subject={provider.saml.certificateSubject}
            prefs={me.user}
          />
        ) : fromMetadata?.certificateExpiresAt && values.saml.certificate === fromMetadata.certificate ? (
          <CertificateExpiry expiresAt={fromMetadata.certificateExpiresAt} prefs={me.user} pending />
        ) : null}
      </Stack>
    </Fieldset>
  );
}

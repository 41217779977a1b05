import {
  Checkbox,
  Fieldset,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  TagsInput,
  Text,
  TextInput,
} from '@mantine/core';
import { SSO_PROTOCOL_LABELS, SSO_PROTOCOLS } from '../../../shared/schemas/identity-providers.js';
import { normaliseDomain, protocolOf } from './provider-form-values.js';
import type { ProviderForm } from './use-provider-form.js';

/** A new provider's protocol (OpenID Connect or SAML 2.0); it cannot be changed after saving. */
export function ProtocolFieldset({ form }: { form: ProviderForm }) {
  const { set } = form;
  const protocol = form.values.protocol;
  return (
    <Fieldset legend="Protocol" radius="md">
      <Stack gap="xs">
        <SegmentedControl
          aria-label="Protocol"
          value={protocol}
          onChange={(value) => set('protocol', protocolOf(value))}
          data={SSO_PROTOCOLS.map((value) => ({ value, label: SSO_PROTOCOL_LABELS[value] }))}
          maw={420}
        />
        <Text size="sm" c="dimmed">
          {protocol === 'oidc'
            ? 'OpenID Connect: Okta, Microsoft Entra ID, Google Workspace, Keycloak and most modern providers.'
            : 'SAML 2.0: for providers (such as ADFS) that offer SAML; Latchkey is the service provider.'}{' '}
          The protocol cannot be changed after saving.
        </Text>
      </Stack>
    </Fieldset>
  );
}

/** Name, default security group, email domains, Enabled (a new provider only) and email linking. */
export function GeneralFieldset({
  form,
  isNew,
  groupOptions,
}: {
  form: ProviderForm;
  isNew: boolean;
  groupOptions: { value: string; label: string }[];
}) {
  const { values, errors, set } = form;
  return (
    <Fieldset legend="General" radius="md">
      <Stack gap="sm">
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md" verticalSpacing="sm">
          <TextInput
            label="Name"
            description="Shown on the sign-in page: “Sign in with …”."
            withAsterisk
            value={values.name}
            onChange={(event) => set('name', event.currentTarget.value)}
            error={errors.name}
            maxLength={100}
            data-autofocus
          />
          <Select
            label="Default security group"
            description="For new accounts when no group mapping matches."
            withAsterisk
            data={groupOptions}
            value={values.defaultGroupId}
            onChange={(value) => set('defaultGroupId', value)}
            error={errors.defaultGroupId}
            allowDeselect={false}
            placeholder="Choose a security group"
          />
        </SimpleGrid>
        <TagsInput
          label="Email domains"
          description="People whose email ends in one of these are sent to this provider on the sign-in page. Press Enter after each."
          placeholder={values.emailDomains.length === 0 ? 'corp.example' : undefined}
          value={values.emailDomains}
          onChange={(domains) =>
            set('emailDomains', [...new Set(domains.map(normaliseDomain).filter((domain) => domain !== ''))])
          }
          splitChars={[',', ' ', ';']}
          acceptValueOnBlur
          clearable
          error={errors.emailDomains}
        />
        {isNew && (
          <Switch
            label="Enabled"
            description="People can sign in with it as soon as it is saved."
            checked={values.enabled}
            onChange={(event) => set('enabled', event.currentTarget.checked)}
          />
        )}
        <Checkbox
          label="Link to existing accounts with the same verified email"
          description="An existing Latchkey account then becomes an SSO account and loses its local password."
          checked={values.allowEmailLinking}
          onChange={(event) => set('allowEmailLinking', event.currentTarget.checked)}
          error={errors.allowEmailLinking}
        />
      </Stack>
    </Fieldset>
  );
}

import { Alert, Button, Center, Group, Loader, Stack } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import type { IdentityProvider, SsoProtocolName } from '../../../shared/schemas/identity-providers.js';
import { ApiError } from '../../api/client.js';
import { getIdentityProvider } from '../../api/identity-providers.js';
import { queryKeys } from '../../api/query-keys.js';
import { listSecurityGroups } from '../../api/security-groups.js';
import { can } from '../../auth/abilities.js';
import { useSignedInMe } from '../../auth/use-me.js';
import { ErrorState } from '../../components/error-state.js';
import { NoPermissionPage, NoticePage } from '../../components/notice-page.js';
import { UnsavedChangesGuard } from '../../components/unsaved-changes-guard.js';
import { GeneralFieldset, ProtocolFieldset } from './general-settings-fieldset.js';
import { GroupMappingEditor } from './group-mapping-editor.js';
import { CONFIGURE_SSO, IDENTITY_PROVIDERS_PATH, NO_SSO_PERMISSION_MESSAGE } from './identity-providers-page.js';
import { OidcSettingsFieldset } from './oidc-settings-fieldset.js';
import { RemoveProviderDialog, ToggleProviderDialog } from './provider-dialogs.js';
import { ProviderEditorHeader } from './provider-editor-header.js';
import { protocolOf } from './provider-form-values.js';
import { SamlSettingsFieldset } from './saml-settings-fieldset.js';
import { ProviderServiceProviderUrls } from './service-provider-urls.js';
import { ProvisioningSection } from './provisioning-section.js';
import { useProviderForm } from './use-provider-form.js';

/**
 * A new identity provider (/identity-providers/new?protocol=oidc|saml) or change one
 * (/identity-providers/<id>): a page of its own, since the settings do not fit a dialog on a laptop.
 */
export function IdentityProviderEditorPage() {
  const { id = 'new' } = useParams();
  const [searchParams] = useSearchParams();
  const me = useSignedInMe();
  const isNew = id === 'new';
  const allowed = can(me, CONFIGURE_SSO);
  const provider = useQuery({
    queryKey: queryKeys.identityProvider(id),
    queryFn: ({ signal }) => getIdentityProvider(id, signal),
    enabled: !isNew && allowed,
  });
  const groups = useQuery({
    queryKey: queryKeys.securityGroups,
    queryFn: ({ signal }) => listSecurityGroups(signal),
    enabled: allowed,
  });
  useDocumentTitle(
    isNew ? 'New Identity Provider · Latchkey' : `${provider.data?.name ?? 'Identity Provider'} · Latchkey`,
  );

  if (!allowed) return <NoPermissionPage myAccountPath={`/users/${me.user.id}`} message={NO_SSO_PERMISSION_MESSAGE} />;
  if ((!isNew && provider.isPending) || groups.isPending) {
    return (
      <Center py="xl">
        <Loader aria-label="Loading the identity provider" />
      </Center>
    );
  }
  if (provider.isError) {
    if (provider.error instanceof ApiError && provider.error.status === 404) {
      return (
        <NoticePage
          title="Identity provider not found"
          linkTo={IDENTITY_PROVIDERS_PATH}
          linkLabel="Go to Identity Providers"
        >
          There is no identity provider with this ID. It may have been removed.
        </NoticePage>
      );
    }
    return <ErrorState error={provider.error} onRetry={() => void provider.refetch()} />;
  }
  if (groups.isError) return <ErrorState error={groups.error} onRetry={() => void groups.refetch()} />;

  const groupOptions = groups.data.map((group) => ({ value: group.id, label: group.name }));
  const saved = provider.data ?? null;
  return (
    <ProviderForm
      // A fresh form for each saved version, so what was saved becomes the new starting point.
      key={saved ? `${saved.id}:${saved.updatedAt}` : 'new'}
      provider={saved}
      initialProtocol={protocolOf(searchParams.get('protocol'))}
      groupOptions={groupOptions}
    />
  );
}

/**
 * The form itself: its state is in useProviderForm, each part of it in a component of its own
 * (general settings, the protocol's settings, group mapping, the addresses to enter at the provider).
 */
function ProviderForm({
  provider,
  initialProtocol,
  groupOptions,
}: {
  provider: IdentityProvider | null;
  initialProtocol: SsoProtocolName;
  groupOptions: { value: string; label: string }[];
}) {
  const navigate = useNavigate();
  const form = useProviderForm(provider, initialProtocol);
  const { values, errors, formError, createdId, dirty, formRef, save, submit } = form;
  const [toggling, setToggling] = useState<IdentityProvider | null>(null);
  const [removing, setRemoving] = useState<IdentityProvider | null>(null);
  const isNew = provider === null;
  const protocol = values.protocol;
  const groupsSource = protocol === 'oidc' ? 'the groups claim' : 'the groups attribute';

  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label={provider ? provider.name : 'New Identity Provider'}>
      <UnsavedChangesGuard when={dirty && !createdId && !save.isPending} />
      <Stack gap="md" maw={980}>
        <ProviderEditorHeader provider={provider} dirty={dirty} onToggle={setToggling} onRemove={setRemoving} />

        {isNew && <ProtocolFieldset form={form} />}

        <GeneralFieldset form={form} isNew={isNew} groupOptions={groupOptions} />

        {protocol === 'oidc' ? (
          <OidcSettingsFieldset form={form} provider={provider} />
        ) : (
          <SamlSettingsFieldset form={form} provider={provider} />
        )}

        <GroupMappingEditor
          rows={values.groupMappings}
          onChange={form.setGroupMappings}
          groupOptions={groupOptions}
          errors={errors}
          groupsSource={groupsSource}
        />

        <ProviderServiceProviderUrls protocol={protocol} provider={provider} />

        {provider && <ProvisioningSection provider={provider} />}

        {formError && (
          <Alert color="red" role="alert" title="The identity provider was not saved" tabIndex={-1} data-form-error>
            {formError}
          </Alert>
        )}

        <Group gap="sm">
          <Button type="submit" loading={save.isPending}>
            {isNew ? 'Create Identity Provider' : 'Save'}
          </Button>
          <Button variant="default" onClick={() => void navigate(IDENTITY_PROVIDERS_PATH)}>
            Cancel
          </Button>
        </Group>
      </Stack>
      <ToggleProviderDialog provider={toggling} onClose={() => setToggling(null)} />
      <RemoveProviderDialog
        provider={removing}
        onClose={() => setRemoving(null)}
        onRemoved={() => void navigate(IDENTITY_PROVIDERS_PATH, { replace: true })}
      />
    </form>
  );
}

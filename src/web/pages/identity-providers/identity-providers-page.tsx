import { RefusableButton } from '../../components/refusable-button.js';
import { Badge, Button, Group, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { SSO_PROTOCOL_LABELS, type IdentityProvider } from '../../../shared/schemas/identity-providers.js';
import { ApiError } from '../../api/client.js';
import { listIdentityProviders } from '../../api/identity-providers.js';
import { queryKeys } from '../../api/query-keys.js';
import { can } from '../../auth/abilities.js';
import { useSignedInMe } from '../../auth/use-me.js';
import { ErrorState } from '../../components/error-state.js';
import { IconPlus, IconTrash } from '../../components/icons.js';
import { NoPermissionPage } from '../../components/notice-page.js';
import { removeRefusal, RemoveProviderDialog, ToggleProviderDialog } from './provider-dialogs.js';
import { countOf } from '../../format/count.js';

export const IDENTITY_PROVIDERS_PATH = '/identity-providers';
export const CONFIGURE_SSO = 'administration:configure_sso';
export const NO_SSO_PERMISSION_MESSAGE = 'Only Administrators can see and change the identity providers.';

/** Identity Providers: the single sign-on providers people sign in through. Administrators only. */
export function IdentityProvidersPage() {
  useDocumentTitle('Identity Providers · Latchkey');
  const me = useSignedInMe();
  if (!can(me, CONFIGURE_SSO)) {
    return <NoPermissionPage myAccountPath={`/users/${me.user.id}`} message={NO_SSO_PERMISSION_MESSAGE} />;
  }
  return <ProviderList />;
}

export function StatusBadge({ enabled }: { enabled: boolean }) {
  return (
    <Badge variant="light" color={enabled ? 'green' : 'gray'} radius="sm" tt="none">
      {enabled ? 'Enabled' : 'Disabled'}
    </Badge>
  );
}

function ProviderList() {
  const me = useSignedInMe();
  const [toggling, setToggling] = useState<IdentityProvider | null>(null);
  const [removing, setRemoving] = useState<IdentityProvider | null>(null);
  const list = useQuery({
    queryKey: queryKeys.identityProviders,
    queryFn: ({ signal }) => listIdentityProviders(signal),
  });

  if (list.isError && list.error instanceof ApiError && list.error.status === 403) {
    return <NoPermissionPage myAccountPath={`/users/${me.user.id}`} message={list.error.message} />;
  }
  const providers = list.data ?? [];

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={1} size="h2">
            Identity Providers
          </Title>
          <Text size="sm" c="dimmed" role="status">
            {list.data
              ? providers.length === 0
                ? 'No identity provider yet: everyone signs in with a password.'
                : `${countOf(providers.length, ['provider', 'providers'])} for single sign-on`
              : 'Loading identity providers…'}
          </Text>
        </div>
        <Button component={Link} to={`${IDENTITY_PROVIDERS_PATH}/new`} leftSection={<IconPlus />}>
          New Identity Provider
        </Button>
      </Group>

      {list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <Table.ScrollContainer minWidth={860} type="native">
          <Table
            striped
            withTableBorder
            verticalSpacing={8}
            horizontalSpacing={10}
            fz={13}
            aria-label="Identity providers"
          >
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Protocol</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Email domains</Table.Th>
                <Table.Th ta="right">Accounts</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.isPending && (
                <Table.Tr>
                  <Table.Td colSpan={6}>
                    <Text size="sm" c="dimmed">
                      Loading…
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
              {list.isSuccess && providers.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={6}>
                    <Text size="sm" c="dimmed">
                      Add an OpenID Connect or SAML 2.0 provider (Okta, Microsoft Entra ID, Google Workspace, Keycloak…)
                      so people sign in with their organisation account.
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
              {providers.map((provider) => {
                const refusal = removeRefusal(provider);
                return (
                  <Table.Tr key={provider.id}>
                    <Table.Td fw={600} style={{ whiteSpace: 'nowrap' }}>
                      {provider.name}
                    </Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>{SSO_PROTOCOL_LABELS[provider.protocol]}</Table.Td>
                    <Table.Td>
                      <StatusBadge enabled={provider.enabled} />
                    </Table.Td>
                    <Table.Td maw={320}>
                      {provider.emailDomains.length === 0 ? (
                        <Text span size="sm" c="dimmed">
                          None
                        </Text>
                      ) : (
                        provider.emailDomains.join(', ')
                      )}
                    </Table.Td>
                    <Table.Td ta="right">{provider.accountCount}</Table.Td>
                    <Table.Td>
                      <Group gap={6} wrap="nowrap" justify="flex-end">
                        <Button
                          component={Link}
                          to={`${IDENTITY_PROVIDERS_PATH}/${encodeURIComponent(provider.id)}`}
                          size="compact-sm"
                          variant="default"
                          aria-label={`Edit ${provider.name}`}
                        >
                          Edit
                        </Button>
                        <Button
                          size="compact-sm"
                          variant="default"
                          aria-label={`${provider.enabled ? 'Disable' : 'Enable'} ${provider.name}`}
                          onClick={() => setToggling(provider)}
                        >
                          {provider.enabled ? 'Disable' : 'Enable'}
                        </Button>
                        <RefusableButton
                          refusal={refusal}
                          onClick={() => setRemoving(provider)}
                          label={`Delete ${provider.name}`}
                          size="compact-sm"
                          leftSection={<IconTrash size={14} />}
                        >
                          Delete
                        </RefusableButton>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <ToggleProviderDialog provider={toggling} onClose={() => setToggling(null)} />
      <RemoveProviderDialog provider={removing} onClose={() => setRemoving(null)} />
    </Stack>
  );
}

import { Badge, Button, Group, Text, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { SSO_PROTOCOL_LABELS, type IdentityProvider } from '../../../shared/schemas/identity-providers.js';
import { testIdentityProvider } from '../../api/identity-providers.js';
import { RefusableButton } from '../../components/refusable-button.js';
import { ConnectionTestPanel } from './connection-test-panel.js';
import { IDENTITY_PROVIDERS_PATH, StatusBadge } from './identity-providers-page.js';
import { removeRefusal } from './provider-dialogs.js';
import { BackLink } from '../../components/back-link.js';
import { countOf } from '../../format/count.js';

/**
 * The top of the Identity Provider editor: the way back, the title and, for a saved provider, its
 * protocol, status and accounts, the actions on it (Test connection, Disable/Enable, Delete) and
 * the connection test's result.
 */
export function ProviderEditorHeader({
  provider,
  dirty,
  onToggle,
  onRemove,
}: {
  /** Null for a new provider. */
  provider: IdentityProvider | null;
  /** The page has changes not saved yet (the test uses the saved settings). */
  dirty: boolean;
  onToggle: (provider: IdentityProvider) => void;
  onRemove: (provider: IdentityProvider) => void;
}) {
  const test = useMutation({ mutationFn: (id: string) => testIdentityProvider(id) });
  const title = provider ? `Edit ${provider.name}` : 'New Identity Provider';
  const refusal = provider ? removeRefusal(provider) : null;

  return (
    <>
      <BackLink to={IDENTITY_PROVIDERS_PATH} list="Identity Providers" />
      <Group justify="space-between" align="center">
        <Group gap="sm" align="center">
          <Title order={1} size="h2">
            {title}
          </Title>
          {provider && (
            <>
              <Badge variant="light" color="blue" radius="sm" tt="none">
                {SSO_PROTOCOL_LABELS[provider.protocol]}
              </Badge>
              <StatusBadge enabled={provider.enabled} />
              <Text size="sm" c="dimmed">
                {countOf(provider.accountCount, ['account', 'accounts'])}
              </Text>
            </>
          )}
        </Group>
        {provider && (
          <Group gap="sm">
            <Button variant="default" onClick={() => test.mutate(provider.id)} loading={test.isPending}>
              Test connection
            </Button>
            <Button variant="default" onClick={() => onToggle(provider)}>
              {provider.enabled ? 'Disable' : 'Enable'}
            </Button>
            <RefusableButton refusal={refusal} onClick={() => onRemove(provider)}>
              Delete
            </RefusableButton>
          </Group>
        )}
      </Group>
      {refusal && (
        <Text size="sm" c="dimmed">
          It cannot be deleted: {refusal.charAt(0).toLowerCase() + refusal.slice(1)}
        </Text>
      )}
      <ConnectionTestPanel test={test} stale={Boolean(provider) && dirty} />
    </>
  );
}

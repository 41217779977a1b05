import { Button, Fieldset, Group, Modal, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { AUDIT_ACTION_LABELS } from '../../../shared/audit-actions.js';
import type { IdentityProvider } from '../../../shared/schemas/identity-providers.js';
import { messageOf } from '../../api/client.js';
import {
  generateScimToken,
  getScimProvisioning,
  revokeScimToken,
  setScimDeprovision,
  type GeneratedScimToken,
  type ScimProvisioning,
} from '../../api/identity-providers.js';
import { queryKeys } from '../../api/query-keys.js';
import { useSignedInMe } from '../../auth/use-me.js';
import { ErrorState } from '../../components/error-state.js';
import { ShownOnceSecretDialog } from '../../components/shown-once-secret-dialog.js';
import { describeTokenUse, formatDateTime } from '../../format/date-time.js';
import { CopyField } from './service-provider-urls.js';

const DEPROVISION_OPTIONS = [
  { value: 'delete', label: 'Delete the account' },
  { value: 'disable', label: 'Disable the account (keep it)' },
];

/**
 * Provisioning (SCIM 2.0): the base URL and token to enter in Okta or Entra ID, what a delete
 * there does here, and the latest changes the directory made. Shown for a saved provider.
 */
export function ProvisioningSection({ provider }: { provider: IdentityProvider }) {
  const queryClient = useQueryClient();
  const key = queryKeys.scimProvisioning(provider.id);
  const provisioning = useQuery({ queryKey: key, queryFn: ({ signal }) => getScimProvisioning(provider.id, signal) });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: key });
  const deprovision = useMutation({
    mutationFn: (value: ScimProvisioning['deprovision']) => setScimDeprovision(provider.id, value),
    onSuccess: (data) => {
      queryClient.setQueryData(key, data);
      notifications.show({ color: 'teal', message: 'Saved: what a delete in the directory does.' });
    },
    onError: (error) => notifications.show({ color: 'red', title: 'Not saved', message: messageOf(error) }),
  });

  return (
    <Fieldset legend="Provisioning (SCIM)" radius="md">
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          Let this provider’s directory (Okta, Microsoft Entra ID) create, update, deactivate and delete its accounts
          here. Deactivating a person there disables the account here and ends its sessions and API token at once.
        </Text>
        {provisioning.isPending ? (
          <Text size="sm">Loading provisioning…</Text>
        ) : provisioning.isError ? (
          <ErrorState error={provisioning.error} onRetry={() => void provisioning.refetch()} />
        ) : (
          <>
            <CopyField label="SCIM base URL" value={provisioning.data.baseUrl} />
            <ScimTokenField provider={provider} provisioning={provisioning.data} onChanged={refresh} />
            <Select
              label="When the directory deletes an account"
              data={DEPROVISION_OPTIONS}
              value={provisioning.data.deprovision}
              allowDeselect={false}
              disabled={deprovision.isPending}
              onChange={(value) => {
                if (value === 'delete' || value === 'disable') deprovision.mutate(value);
              }}
              maw={360}
            />
            <ProvisioningEvents events={provisioning.data.events} />
          </>
        )}
      </Stack>
    </Fieldset>
  );
}

function ScimTokenField({
  provider,
  provisioning,
  onChanged,
}: {
  provider: IdentityProvider;
  provisioning: ScimProvisioning;
  onChanged: () => void;
}) {
  const me = useSignedInMe();
  const [confirming, setConfirming] = useState<'generate' | 'revoke' | null>(null);
  const [generated, setGenerated] = useState<GeneratedScimToken | null>(null);
  const token = provisioning.token;
  const generate = useMutation({
    mutationFn: () => generateScimToken(provider.id),
    onSuccess: (result) => {
      setConfirming(null);
      setGenerated(result);
    },
    onError: (error) => {
      setConfirming(null);
      notifications.show({ color: 'red', title: 'No token was generated', message: messageOf(error) });
    },
  });
  const revoke = useMutation({
    mutationFn: () => revokeScimToken(provider.id),
    onSuccess: () => {
      setConfirming(null);
      onChanged();
      notifications.show({ color: 'teal', message: 'The SCIM token was revoked.' });
    },
    onError: (error) => {
      setConfirming(null);
      notifications.show({ color: 'red', title: 'The token was not revoked', message: messageOf(error) });
    },
  });
  const closeGenerated = () => {
    setGenerated(null);
    onChanged();
  };
  const details = token ? describeTokenUse(token, me.user) : 'No token yet: generate one to connect the directory.';

  return (
    <div>
      <Group align="flex-end" gap="sm" wrap="nowrap">
        <TextInput
          label="SCIM token"
          description={details}
          value={token ? token.masked : ''}
          placeholder="No token"
          readOnly
          style={{ flex: 1 }}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
        />
        <Button variant="default" onClick={() => setConfirming('generate')}>
          {token ? 'Regenerate token' : 'Generate token'}
        </Button>
        {token && (
          <Button variant="default" color="red" onClick={() => setConfirming('revoke')}>
            Revoke token
          </Button>
        )}
      </Group>

      <Modal
        opened={confirming === 'generate'}
        onClose={() => setConfirming(null)}
        title="Generate SCIM token"
        centered
      >
        <Stack>
          <Text size="sm">
            {token
              ? `A new SCIM token for ${provider.name} replaces the current one, which stops working immediately: enter the new one in the directory.`
              : `Generate a SCIM token for ${provider.name}? It lets the directory manage this provider’s accounts.`}
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(null)}>
              Cancel
            </Button>
            <Button onClick={() => generate.mutate()} loading={generate.isPending}>
              Generate
            </Button>
          </Group>
        </Stack>
      </Modal>

      <Modal opened={confirming === 'revoke'} onClose={() => setConfirming(null)} title="Revoke SCIM token" centered>
        <Stack>
          <Text size="sm">
            The directory can no longer provision {provider.name}’s accounts until a new token is generated. Accounts
            stay as they are.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(null)}>
              Cancel
            </Button>
            <Button color="red" onClick={() => revoke.mutate()} loading={revoke.isPending}>
              Revoke
            </Button>
          </Group>
        </Stack>
      </Modal>

      <ShownOnceSecretDialog
        secret={generated?.token ?? null}
        title="Your new SCIM token"
        secretLabel="New SCIM token"
        instructions={
          <>Enter it in the directory (Okta: Authorization header “Bearer &lt;token&gt;”; Entra ID: Secret Token).</>
        }
        onClose={closeGenerated}
      />
    </div>
  );
}

function ProvisioningEvents({ events }: { events: ScimProvisioning['events'] }) {
  const me = useSignedInMe();
  if (events.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No provisioning changes yet.
      </Text>
    );
  }
  const labels: Record<string, string> = AUDIT_ACTION_LABELS;
  return (
    <Table striped withTableBorder fz="sm" aria-label="Latest provisioning changes">
      <Table.Caption style={{ captionSide: 'top', textAlign: 'left' }}>Latest provisioning changes</Table.Caption>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">When</Table.Th>
          <Table.Th scope="col">What</Table.Th>
          <Table.Th scope="col">Account</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {events.map((event) => (
          <Table.Tr key={event.id}>
            <Table.Td>{formatDateTime(event.occurredAt, me.user)}</Table.Td>
            <Table.Td>{labels[event.action] ?? event.action}</Table.Td>
            <Table.Td>{event.targetEmail ?? '—'}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

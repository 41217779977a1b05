import { RefusableButton } from '../../components/refusable-button.js';
import { Badge, Button, Group, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import type { SecurityGroup } from '../../../shared/schemas/security-groups.js';
import { ApiError } from '../../api/client.js';
import { queryKeys } from '../../api/query-keys.js';
import { listSecurityGroups } from '../../api/security-groups.js';
import { can } from '../../auth/abilities.js';
import { useSignedInMe } from '../../auth/use-me.js';
import { ErrorState } from '../../components/error-state.js';
import { IconPlus, IconTrash } from '../../components/icons.js';
import { NoPermissionPage } from '../../components/notice-page.js';
import { DeleteSecurityGroupModal } from './delete-security-group-modal.js';
import { permissionSummary } from './permission-labels.js';
import { countOf } from '../../format/count.js';

/** The Security Groups list (product.md §Security Groups): system groups read-only, custom groups editable. */
export function SecurityGroupsPage() {
  useDocumentTitle('Security Groups · Latchkey');
  const me = useSignedInMe();
  if (!can(me, 'users_groups:view')) {
    return (
      <NoPermissionPage
        myAccountPath={`/users/${me.user.id}`}
        message="Only accounts whose security group may view Users & Groups can see the security groups."
      />
    );
  }
  return <SecurityGroupList />;
}

/** Why a group cannot be deleted: the server's own refusal (its `can`), or null when it can. */
function deleteRefusal(group: SecurityGroup): string | null {
  return group.can.delete.allowed ? null : group.can.delete.message;
}

function SecurityGroupList() {
  const me = useSignedInMe();
  const [deleting, setDeleting] = useState<SecurityGroup | null>(null);
  const list = useQuery({ queryKey: queryKeys.securityGroups, queryFn: ({ signal }) => listSecurityGroups(signal) });

  if (list.isError && list.error instanceof ApiError && list.error.status === 403) {
    return <NoPermissionPage myAccountPath={`/users/${me.user.id}`} message={list.error.message} />;
  }

  const groups = list.data ?? [];
  const custom = groups.filter((group) => !group.isSystem).length;
  const mayCreate = can(me, 'users_groups:create');
  const mayDelete = can(me, 'users_groups:delete');

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={1} size="h2">
            Security Groups
          </Title>
          <Text size="sm" c="dimmed" role="status">
            {list.data
              ? `${groups.length - custom} system and ${countOf(custom, ['custom group', 'custom groups'])}`
              : 'Loading security groups…'}
          </Text>
        </div>
        {mayCreate && (
          <Button component={Link} to="/security-groups/new" leftSection={<IconPlus />}>
            New Security Group
          </Button>
        )}
      </Group>

      {list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <Table.ScrollContainer minWidth={1000} type="native">
          <Table
            striped
            withTableBorder
            verticalSpacing={8}
            horizontalSpacing={10}
            fz={13}
            aria-label="Security groups"
          >
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Description</Table.Th>
                <Table.Th style={{ minWidth: 112 }}>Type</Table.Th>
                <Table.Th ta="right">Members</Table.Th>
                <Table.Th>Permissions</Table.Th>
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
              {groups.map((group) => {
                const refusal = deleteRefusal(group);
                const summary = permissionSummary(group.permissions);
                return (
                  <Table.Tr key={group.id}>
                    <Table.Td fw={600} style={{ whiteSpace: 'nowrap' }}>
                      {group.name}
                    </Table.Td>
                    <Table.Td maw={300}>{group.description}</Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      <Badge variant="light" color={group.isSystem ? 'gray' : 'blue'} radius="sm">
                        {group.isSystem ? 'System' : 'Custom'}
                      </Badge>
                    </Table.Td>
                    <Table.Td ta="right">{group.memberCount}</Table.Td>
                    <Table.Td maw={360}>
                      {summary.length === 0 ? (
                        <Text span size="sm" c="dimmed">
                          No permissions
                        </Text>
                      ) : (
                        summary.map((line) => <div key={line}>{line}</div>)
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Group gap={6} wrap="nowrap" justify="flex-end">
                        {mayCreate && (
                          <Button
                            component={Link}
                            to={`/security-groups/new?copyFrom=${encodeURIComponent(group.id)}`}
                            size="compact-sm"
                            variant="default"
                            aria-label={`Copy ${group.name}`}
                          >
                            Copy
                          </Button>
                        )}
                        {group.can.update.allowed ? (
                          <Button
                            component={Link}
                            to={`/security-groups/${encodeURIComponent(group.id)}`}
                            size="compact-sm"
                            variant="default"
                            aria-label={`Edit ${group.name}`}
                          >
                            Edit
                          </Button>
                        ) : (
                          <Button
                            component={Link}
                            to={`/security-groups/${encodeURIComponent(group.id)}`}
                            size="compact-sm"
                            variant="default"
                            aria-label={`View ${group.name}`}
                          >
                            View
                          </Button>
                        )}
                        {mayDelete && !group.isSystem && (
                          <RefusableButton
                            refusal={refusal}
                            onClick={() => setDeleting(group)}
                            label={`Delete ${group.name}`}
                            size="compact-sm"
                            leftSection={<IconTrash size={14} />}
                          >
                            Delete
                          </RefusableButton>
                        )}
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <DeleteSecurityGroupModal group={deleting} onClose={() => setDeleting(null)} />
    </Stack>
  );
}

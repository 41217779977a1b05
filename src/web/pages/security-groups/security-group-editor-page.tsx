import {
  Alert,
  Badge,
  Button,
  Center,
  Fieldset,
  Group,
  Loader,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { GRANTABLE_PERMISSIONS } from '../../../shared/permissions.js';
import {
  ADMINISTRATOR_ONLY_MESSAGE,
  GROUP_DESCRIPTION_MAX,
  GROUP_NAME_MAX,
  missingViewMessage,
  modulesMissingView,
  type SecurityGroup,
  type UpdateSecurityGroupInput,
} from '../../../shared/schemas/security-groups.js';
import type { Me } from '../../../shared/schemas/session.js';
import { ApiError } from '../../api/client.js';
import { queryKeys } from '../../api/query-keys.js';
import { createSecurityGroup, getSecurityGroup, updateSecurityGroup } from '../../api/security-groups.js';
import { can } from '../../auth/abilities.js';
import { useSignedInMe } from '../../auth/use-me.js';
import { ErrorState } from '../../components/error-state.js';
import { NoPermissionPage, NoticePage } from '../../components/notice-page.js';
import { UnsavedChangesGuard } from '../../components/unsaved-changes-guard.js';
import { useFieldErrors } from '../../components/use-field-errors.js';
import { PermissionMatrix } from './permission-matrix.js';
import { BackLink } from '../../components/back-link.js';
import { countOf } from '../../format/count.js';

const LIST_PATH = '/security-groups';
const FIELDS = ['name', 'description', 'permissions'] as const;

interface Values {
  name: string;
  description: string;
  permissions: ReadonlySet<string>;
}

/**
 * New Security Group (/security-groups/new, optionally ?copyFrom=<id>) and one group's page
 * (/security-groups/<id>): editable for a custom group the caller may change, read-only otherwise.
 */
export function SecurityGroupEditorPage() {
  const { id = 'new' } = useParams();
  const [searchParams] = useSearchParams();
  const me = useSignedInMe();
  const isNew = id === 'new';
  const sourceId = isNew ? searchParams.get('copyFrom') : id;
  const source = useQuery({
    queryKey: queryKeys.securityGroup(sourceId ?? ''),
    queryFn: ({ signal }) => getSecurityGroup(sourceId ?? '', signal),
    enabled: sourceId !== null && can(me, 'users_groups:view'),
  });
  useDocumentTitle(isNew ? 'New Security Group · Latchkey' : `${source.data?.name ?? 'Security Group'} · Latchkey`);

  if (!can(me, 'users_groups:view') || (isNew && !can(me, 'users_groups:create'))) {
    return (
      <NoPermissionPage
        myAccountPath={`/users/${me.user.id}`}
        message={
          isNew
            ? 'Your security group does not allow creating security groups.'
            : 'Only accounts whose security group may view Users & Groups can see the security groups.'
        }
      />
    );
  }
  if (sourceId !== null && source.isPending) {
    return (
      <Center py="xl">
        <Loader aria-label="Loading the security group" />
      </Center>
    );
  }
  if (source.isError) {
    if (source.error instanceof ApiError && source.error.status === 404) {
      return (
        <NoticePage title="Security group not found" linkTo={LIST_PATH} linkLabel="Go to Security Groups">
          There is no security group with this ID. It may have been deleted.
        </NoticePage>
      );
    }
    return <ErrorState error={source.error} onRetry={() => void source.refetch()} />;
  }

  const group = source.data ?? null;
  if (!isNew && group) {
    return <GroupForm key={`${group.id}:${group.permissions.join()}`} me={me} group={group} copiedFrom={null} />;
  }
  return <GroupForm key={`new:${group?.id ?? ''}`} me={me} group={null} copiedFrom={group} />;
}

function initialValues(group: SecurityGroup | null, copiedFrom: SecurityGroup | null): Values {
  if (group) return { name: group.name, description: group.description, permissions: new Set(group.permissions) };
  if (copiedFrom) {
    return {
      name: `Copy of ${copiedFrom.name}`.slice(0, GROUP_NAME_MAX),
      description: copiedFrom.description,
      // Administrator-only powers cannot be granted to a custom group: a copy leaves them out.
      permissions: new Set(copiedFrom.permissions.filter((p) => (GRANTABLE_PERMISSIONS as string[]).includes(p))),
    };
  }
  return { name: '', description: '', permissions: new Set() };
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((item) => b.has(item));
}

function GroupForm({
  me,
  group,
  copiedFrom,
}: {
  me: Me;
  group: SecurityGroup | null;
  copiedFrom: SecurityGroup | null;
}) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const initial = initialValues(group, copiedFrom);
  const [values, setValues] = useState<Values>(initial);
  const [saved, setSaved] = useState(false);
  const errors = useFieldErrors(FIELDS);
  const ruleRef = useRef<HTMLDivElement>(null);

  // The server's `can` decides; a system group is never editable.
  const readOnly = group !== null && !group.can.update.allowed;
  const droppedPowers = copiedFrom !== null && copiedFrom.permissions.length > initial.permissions.size;
  const missingView = modulesMissingView(values.permissions);
  const ruleMessage = missingView.length > 0 ? missingViewMessage(missingView) : null;
  const dirty =
    !readOnly &&
    (values.name !== initial.name ||
      values.description !== initial.description ||
      !sameSet(values.permissions, initial.permissions));

  // Leave only once the guard knows the changes are saved.
  useEffect(() => {
    if (saved) void navigate(LIST_PATH);
  }, [saved, navigate]);

  const mutation = useMutation({
    mutationFn: (changes: UpdateSecurityGroupInput) =>
      group
        ? updateSecurityGroup(group.id, changes)
        : createSecurityGroup({
            name: changes.name ?? '',
            description: changes.description ?? '',
            permissions: changes.permissions ?? [],
          }),
    onSuccess: (result) => {
      notifications.show({
        color: 'green',
        message: group ? `Security group “${result.name}” saved` : `Security group “${result.name}” created`,
      });
      void queryClient.invalidateQueries({ queryKey: queryKeys.securityGroups });
      // Members' abilities may have changed, your own included.
      void queryClient.invalidateQueries({ queryKey: queryKeys.me });
      setSaved(true);
    },
    onError: (error) => errors.showError(error),
  });

  function set<K extends keyof Values>(name: K, value: Values[K]) {
    setValues((current) => ({ ...current, [name]: value }));
    errors.clearField(name);
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    errors.clear();
    if (!values.name.trim()) {
      errors.setFields({ name: 'Name is required.' });
      return;
    }
    if (ruleMessage) {
      ruleRef.current?.focus();
      return;
    }
    const all: UpdateSecurityGroupInput = {
      name: values.name.trim(),
      description: values.description.trim(),
      permissions: [...values.permissions],
    };
    if (!group) {
      mutation.mutate(all);
      return;
    }
    // Only what changed is sent, so a save never overwrites a field someone else changed meanwhile.
    const changes: UpdateSecurityGroupInput = {};
    if (all.name !== group.name) changes.name = all.name;
    if (all.description !== group.description) changes.description = all.description;
    if (!sameSet(values.permissions, new Set(group.permissions))) changes.permissions = all.permissions;
    if (Object.keys(changes).length === 0) {
      notifications.show({ color: 'blue', message: 'Nothing has changed, so there is nothing to save.' });
      return;
    }
    mutation.mutate(changes);
  }

  const title = group
    ? readOnly
      ? group.name
      : `Edit ${group.name}`
    : copiedFrom
      ? `New Security Group (copy of ${copiedFrom.name})`
      : 'New Security Group';

  return (
    <form onSubmit={submit} noValidate aria-label={group ? group.name : 'New Security Group'}>
      <UnsavedChangesGuard when={dirty && !saved} />
      <Stack gap="md" maw={1120}>
        <BackLink to={LIST_PATH} list="Security Groups" />
        <Group gap="sm" align="center">
          <Title order={1} size="h2">
            {title}
          </Title>
          {group && (
            <Badge variant="light" color={group.isSystem ? 'gray' : 'blue'} radius="sm">
              {group.isSystem ? 'System' : 'Custom'}
            </Badge>
          )}
          {group && (
            <Text size="sm" c="dimmed">
              {countOf(group.memberCount, ['member', 'members'])}
            </Text>
          )}
        </Group>

        {group?.isSystem && (
          <Alert color="gray" role="status">
            System groups cannot be changed or deleted.{' '}
            {can(me, 'users_groups:create') ? 'Copy it to make a custom group you can change.' : ''}
          </Alert>
        )}
        {group && !group.isSystem && readOnly && (
          <Alert color="gray" role="status">
            {/* The server's own reason (the group's can.update), never one worked out here. */}
            You can see this group but not change it. {group.can.update.allowed ? '' : group.can.update.message}
          </Alert>
        )}
        {droppedPowers && (
          <Alert color="blue" role="status">
            {copiedFrom?.name} also holds Administrator-only powers; they belong to the Administrator group only and
            were left out of the copy.
          </Alert>
        )}

        <Group align="flex-start" grow>
          <TextInput
            label="Name"
            withAsterisk={!readOnly}
            value={values.name}
            onChange={(event) => set('name', event.currentTarget.value)}
            error={errors.fields.name}
            maxLength={GROUP_NAME_MAX}
            readOnly={readOnly}
            variant={readOnly ? 'filled' : 'default'}
            data-autofocus
          />
          <Textarea
            label="Description"
            value={values.description}
            onChange={(event) => set('description', event.currentTarget.value)}
            error={errors.fields.description}
            maxLength={GROUP_DESCRIPTION_MAX}
            readOnly={readOnly}
            variant={readOnly ? 'filled' : 'default'}
            autosize
            minRows={1}
            maxRows={4}
          />
        </Group>

        <Fieldset legend="Permissions" radius="md">
          <Stack gap="sm">
            <Text size="sm" c="dimmed">
              Delete and Export require View. Members get these permissions on their very next request.
            </Text>
            <PermissionMatrix
              value={values.permissions}
              onChange={(next) => set('permissions', next)}
              disabled={readOnly}
              describedBy={ruleMessage ? 'permission-rule' : undefined}
            />
            {ruleMessage && (
              <Alert
                id="permission-rule"
                ref={ruleRef}
                tabIndex={-1}
                color="red"
                role="alert"
                title="Cannot be saved like this"
              >
                {ruleMessage}
              </Alert>
            )}
            {errors.fields.permissions && errors.fields.permissions !== ruleMessage && (
              <Alert color="red" role="alert">
                {errors.fields.permissions}
              </Alert>
            )}
            <Text size="sm" c="dimmed">
              {ADMINISTRATOR_ONLY_MESSAGE}
              {group?.permissions.some((p) => p.startsWith('administration:'))
                ? ' This group is the one that holds them.'
                : ''}
            </Text>
          </Stack>
        </Fieldset>

        {errors.formError && (
          <Alert color="red" role="alert" title="The security group was not saved">
            {errors.formError}
          </Alert>
        )}

        <Group gap="sm">
          {readOnly ? (
            <>
              <Button component={Link} to={LIST_PATH} variant="default">
                Back to Security Groups
              </Button>
              {group && can(me, 'users_groups:create') && (
                <Button component={Link} to={`/security-groups/new?copyFrom=${encodeURIComponent(group.id)}`}>
                  Copy
                </Button>
              )}
            </>
          ) : (
            <>
              <Button type="submit" loading={mutation.isPending}>
                {group ? 'Save' : 'Create Security Group'}
              </Button>
              <Button variant="default" onClick={() => void navigate(LIST_PATH)}>
                Cancel
              </Button>
            </>
          )}
        </Group>
      </Stack>
    </form>
  );
}

import { Alert, Button, Group, Paper, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate, useParams } from 'react-router';
import type { DataRecord } from '../../../shared/schemas/records.js';
import { ApiError } from '../../api/client.js';
import { queryKeys } from '../../api/query-keys.js';
import { deleteRecord, getRecord, listRecordTypes, updateRecord, type RecordChange } from '../../api/records.js';
import { can } from '../../auth/abilities.js';
import { useSignedInMe } from '../../auth/use-me.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { ErrorState } from '../../components/error-state.js';
import { IconTrash } from '../../components/icons.js';
import { NoPermissionPage, NoticePage } from '../../components/notice-page.js';
import { useFieldErrors } from '../../components/use-field-errors.js';
import { formatDateTime } from '../../format/date-time.js';
import { PropertiesEditor, propertiesOf, propertyRowsProblem, rowsOf, type PropertyRow } from './properties-editor.js';
import { BackLink } from '../../components/back-link.js';

const FIELDS = ['typeId', 'type', 'name', 'owner', 'properties'] as const;

/** One record: its fields, editable with records:update, and Delete with records:delete. */
export function ViewRecordPage() {
  const me = useSignedInMe();
  const { id = '' } = useParams();
  const record = useQuery({ queryKey: queryKeys.record(id), queryFn: ({ signal }) => getRecord(id, signal) });
  useDocumentTitle(record.data ? `${record.data.name} · Records · Latchkey` : 'Record · Latchkey');

  if (!can(me, 'records:view')) {
    return (
      <NoPermissionPage
        myAccountPath={`/users/${me.user.id}`}
        message="Only accounts whose security group may view data records can see records."
      />
    );
  }
  if (record.isError && record.error instanceof ApiError && record.error.status === 404) {
    return (
      <NoticePage title="Record not found" linkTo="/records" linkLabel="Back to Records">
        There is no record with this ID. It may have been deleted.
      </NoticePage>
    );
  }
  if (record.isError) return <ErrorState error={record.error} onRetry={() => void record.refetch()} />;
  if (!record.data) return <Text c="dimmed">Loading record…</Text>;
  // Keyed by the saved version, so the form starts again from what the server holds after a save.
  return <RecordForm key={`${record.data.id}-${record.data.updatedAt}`} record={record.data} />;
}

function RecordForm({ record }: { record: DataRecord }) {
  const me = useSignedInMe();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const editable = record.can.update.allowed;
  const canDelete = record.can.delete.allowed;
  const [typeId, setTypeId] = useState(record.type.id);
  const [name, setName] = useState(record.name);
  const [owner, setOwner] = useState(record.owner);
  const [rows, setRows] = useState<PropertyRow[]>(() => rowsOf(record.properties));
  const [confirmDelete, setConfirmDelete] = useState(false);
  const errors = useFieldErrors(FIELDS);
  const types = useQuery({ queryKey: queryKeys.recordTypes, queryFn: ({ signal }) => listRecordTypes(signal) });

  const save = useMutation({
    mutationFn: (change: RecordChange) => updateRecord(record.id, change),
    onSuccess: (saved) => {
      notifications.show({ color: 'green', message: `${saved.type.name} ${saved.name} saved` });
      queryClient.setQueryData(queryKeys.record(saved.id), saved);
      void queryClient.invalidateQueries({ queryKey: queryKeys.records });
      void queryClient.invalidateQueries({ queryKey: queryKeys.recordTypes });
    },
    onError: (error) => errors.showError(error),
  });
  const remove = useMutation({
    mutationFn: () => deleteRecord(record.id),
    onSuccess: () => {
      notifications.show({ color: 'green', message: `${record.type.name} ${record.name} deleted` });
      queryClient.removeQueries({ queryKey: queryKeys.record(record.id) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.records });
      void queryClient.invalidateQueries({ queryKey: queryKeys.recordTypes });
      void navigate('/records');
    },
  });

  /** Only what differs from the saved record; properties merge, so a removed one is sent as null. */
  function changeOf(): RecordChange {
    const change: RecordChange = {};
    if (typeId !== record.type.id) change.typeId = typeId;
    if (name.trim() !== record.name) change.name = name.trim();
    if (owner.trim() !== record.owner) change.owner = owner.trim();
    const next = propertiesOf(rows);
    const properties: Record<string, string | null> = {};
    for (const key of Object.keys(record.properties)) if (!(key in next)) properties[key] = null;
    for (const [key, value] of Object.entries(next)) if (record.properties[key] !== value) properties[key] = value;
    if (Object.keys(properties).length > 0) change.properties = properties;
    return change;
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const problems: Partial<Record<(typeof FIELDS)[number], string>> = {};
    if (!name.trim()) problems.name = 'Name is required.';
    const rowsProblem = propertyRowsProblem(rows);
    if (rowsProblem) problems.properties = rowsProblem;
    errors.setFields(problems);
    errors.setFormError(null);
    if (Object.keys(problems).length > 0) return;
    const change = changeOf();
    if (Object.keys(change).length === 0) {
      notifications.show({ message: 'Nothing to save: no field was changed.' });
      return;
    }
    save.mutate(change);
  }

  const originalKeys = new Set(Object.keys(record.properties));
  const typeOptions = (types.data ?? [{ id: record.type.id, name: record.type.name }]).map((type) => ({
    value: type.id,
    label: type.name,
  }));

  return (
    <Stack gap="md" maw={860}>
      <BackLink to="/records" list="Records" />
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={1} size="h2">
            {record.name}
          </Title>
          <Text size="sm" c="dimmed">
            {record.type.name} · created {formatDateTime(record.createdAt, me.user)} · updated{' '}
            {formatDateTime(record.updatedAt, me.user)}
          </Text>
        </div>
        {canDelete && (
          <Button color="red" variant="light" leftSection={<IconTrash />} onClick={() => setConfirmDelete(true)}>
            Delete
          </Button>
        )}
      </Group>

      <Paper withBorder p="lg" radius="md">
        <form onSubmit={submit} noValidate aria-label="Record">
          <Stack gap="md">
            {!editable && (
              <Text size="sm" c="dimmed">
                Your security group may view this record but not change it.
              </Text>
            )}
            <Group grow align="flex-start">
              <Select
                label="Type"
                data={typeOptions}
                value={typeId}
                onChange={(value) => value && setTypeId(value)}
                readOnly={!editable}
                allowDeselect={false}
                error={errors.fields.typeId ?? errors.fields.type}
                comboboxProps={{ withinPortal: true }}
              />
              <TextInput
                label="Name"
                required={editable}
                value={name}
                maxLength={200}
                readOnly={!editable}
                onChange={(event) => {
                  setName(event.currentTarget.value);
                  errors.clearField('name');
                }}
                error={errors.fields.name}
              />
              <TextInput
                label="Owner"
                value={owner}
                maxLength={200}
                readOnly={!editable}
                onChange={(event) => setOwner(event.currentTarget.value)}
                error={errors.fields.owner}
              />
            </Group>
            <PropertiesEditor
              rows={rows}
              onChange={(next) => {
                setRows(next);
                errors.clearField('properties');
              }}
              readOnly={!editable}
              // Removing a saved property removes data, which the server may refuse (can.removeData). A row added here and not saved yet can go.
              canRemove={(row) => record.can.removeData.allowed || !originalKeys.has(row.key.trim())}
              error={errors.fields.properties}
            />
            {errors.formError && (
              <Alert color="red" role="alert" title="The record was not saved">
                {errors.formError}
              </Alert>
            )}
            {editable && (
              <Group justify="flex-end">
                <Button type="submit" loading={save.isPending}>
                  Save
                </Button>
              </Group>
            )}
          </Stack>
        </form>
      </Paper>

      <ConfirmDialog
        opened={confirmDelete}
        title={`Delete ${record.type.name} ${record.name}?`}
        message="The record and its properties will be removed. Tasks linked to it stay, without the link. This cannot be undone."
        confirmLabel="Delete"
        onConfirm={() => remove.mutate()}
        onClose={() => {
          remove.reset();
          setConfirmDelete(false);
        }}
        pending={remove.isPending}
        error={remove.isError ? remove.error : null}
        errorTitle="The record was not deleted"
      />
    </Stack>
  );
}

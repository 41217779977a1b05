import { Alert, Button, Group, Modal, Select, Stack, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import type { RecordType } from '../../../shared/schemas/records.js';
import { queryKeys } from '../../api/query-keys.js';
import { createRecord } from '../../api/records.js';
import { useFieldErrors } from '../../components/use-field-errors.js';
import { PropertiesEditor, propertiesOf, propertyRowsProblem, type PropertyRow } from './properties-editor.js';

const FIELDS = ['typeId', 'type', 'name', 'owner', 'properties'] as const;

/** The New Record dialog: type, name, owner and properties; opens the new record when it is saved. */
export function NewRecordModal({
  opened,
  onClose,
  types,
}: {
  opened: boolean;
  onClose: () => void;
  types: RecordType[];
}) {
  return (
    <Modal opened={opened} onClose={onClose} title="New Record" size="lg" centered>
      {/* Mounted only while open, so every opening starts from an empty form. */}
      {opened && <NewRecordForm onClose={onClose} types={types} />}
    </Modal>
  );
}

function NewRecordForm({ onClose, types }: { onClose: () => void; types: RecordType[] }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [typeId, setTypeId] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [owner, setOwner] = useState('');
  const [rows, setRows] = useState<PropertyRow[]>([]);
  const errors = useFieldErrors(FIELDS);

  const mutation = useMutation({
    mutationFn: createRecord,
    onSuccess: (record) => {
      notifications.show({ color: 'green', message: `${record.type.name} ${record.name} created` });
      void queryClient.invalidateQueries({ queryKey: queryKeys.records });
      void queryClient.invalidateQueries({ queryKey: queryKeys.recordTypes });
      onClose();
      void navigate(`/records/${record.id}`);
    },
    onError: (error) => errors.showError(error),
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    const problems: Partial<Record<(typeof FIELDS)[number], string>> = {};
    if (!typeId) problems.typeId = 'Type is required.';
    if (!name.trim()) problems.name = 'Name is required.';
    const rowsProblem = propertyRowsProblem(rows);
    if (rowsProblem) problems.properties = rowsProblem;
    errors.setFields(problems);
    errors.setFormError(null);
    if (Object.keys(problems).length > 0) return;
    mutation.mutate({ typeId: typeId!, name: name.trim(), owner: owner.trim(), properties: propertiesOf(rows) });
  }

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <Select
          label="Type"
          required
          data={types.map((type) => ({ value: type.id, label: type.name }))}
          value={typeId}
          onChange={(value) => {
            setTypeId(value);
            errors.clearField('typeId');
          }}
          error={errors.fields.typeId ?? errors.fields.type}
          allowDeselect={false}
          data-autofocus
          comboboxProps={{ withinPortal: true }}
        />
        <TextInput
          label="Name"
          required
          value={name}
          maxLength={200}
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
          onChange={(event) => setOwner(event.currentTarget.value)}
          error={errors.fields.owner}
        />
        <PropertiesEditor
          rows={rows}
          onChange={(next) => {
            setRows(next);
            errors.clearField('properties');
          }}
          canRemove={() => true}
          error={errors.fields.properties}
        />
        {errors.formError && (
          <Alert color="red" role="alert" title="The record was not created">
            {errors.formError}
          </Alert>
        )}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={mutation.isPending}>
            Create Record
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

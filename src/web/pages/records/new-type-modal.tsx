import { Alert, Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { queryKeys } from '../../api/query-keys.js';
import { createRecordType } from '../../api/records.js';
import { useFieldErrors } from '../../components/use-field-errors.js';

const FIELDS = ['name'] as const;

/** The New Type dialog (Administrators: administration:manage_record_types). */
export function NewTypeModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title="New Record Type" centered>
      {opened && <NewTypeForm onClose={onClose} />}
    </Modal>
  );
}

function NewTypeForm({ onClose }: { onClose: () => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const errors = useFieldErrors(FIELDS);
  const mutation = useMutation({
    mutationFn: createRecordType,
    onSuccess: (type) => {
      notifications.show({ color: 'green', message: `Record type ${type.name} created` });
      void queryClient.invalidateQueries({ queryKey: queryKeys.recordTypes });
      onClose();
    },
    onError: (error) => errors.showError(error),
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!name.trim()) {
      errors.setFields({ name: 'Name is required.' });
      return;
    }
    mutation.mutate(name.trim());
  }

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <Text size="sm" c="dimmed">
          Records of every type have a name, an owner and properties. Type names are unique in any letter case.
        </Text>
        <TextInput
          label="Name"
          required
          value={name}
          maxLength={60}
          data-autofocus
          onChange={(event) => {
            setName(event.currentTarget.value);
            errors.clearField('name');
          }}
          error={errors.fields.name}
        />
        {errors.formError && (
          <Alert color="red" role="alert" title="The type was not created">
            {errors.formError}
          </Alert>
        )}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={mutation.isPending}>
            Create Type
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

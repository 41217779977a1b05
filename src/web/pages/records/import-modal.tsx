import { Badge, Modal, ScrollArea, Select, Stack, Table, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ImportAction, ImportMode, ImportPreview, ImportPreviewRow } from '../../../shared/schemas/records.js';
import { CsvImportForm, errorsFirst, previewSummaryText } from '../../components/csv-import-form.js';
import { queryKeys } from '../../api/query-keys.js';
import { importRecords, previewRecordImport } from '../../api/records.js';

/** The modes, in plain words. Which ones are offered is the caller's call (from the server's abilities). */
export const IMPORT_MODE_HELP: Record<ImportMode, { label: string; help: string }> = {
  add: {
    label: 'Add new records only',
    help: 'Every row becomes a new record. A row for a record that already exists is an error.',
  },
  upsert: {
    label: 'Add and update',
    help: 'New rows become records; rows for existing records update them. An empty cell leaves that value as it is.',
  },
  replace: {
    label: 'Replace',
    help: 'As “Add and update”, and also deletes the records of the types in the file that the file does not list.',
  },
};

const ACTION_LABELS: Record<ImportAction, { label: string; color: string }> = {
  create: { label: 'Create', color: 'green' },
  update: { label: 'Update', color: 'blue' },
  delete: { label: 'Delete', color: 'red' },
  unchanged: { label: 'Unchanged', color: 'gray' },
};

/** Rows shown in the preview table (rows with errors first); the summary counts them all. */
const SHOWN_ROWS_MAX = 200;

export function ImportModal({
  opened,
  onClose,
  modes,
}: {
  opened: boolean;
  onClose: () => void;
  modes: readonly ImportMode[];
}) {
  return (
    <Modal opened={opened} onClose={onClose} title="Import Records from CSV" size="80rem" centered>
      {opened && <ImportForm onClose={onClose} modes={modes} />}
    </Modal>
  );
}

function ImportForm({ onClose, modes }: { onClose: () => void; modes: readonly ImportMode[] }) {
  const queryClient = useQueryClient();
  const [mode, setMode] = useState<ImportMode>('add');
  return (
    <CsvImportForm
      fileDescription="A header row with Type and Name (Owner and one column per property are optional). At most 5000 rows."
      extraFields={
        <Select
          label="Mode"
          description={IMPORT_MODE_HELP[mode].help}
          data={modes.map((value) => ({ value, label: IMPORT_MODE_HELP[value].label }))}
          value={mode}
          onChange={(value) => {
            if (value) setMode(value);
          }}
          allowDeselect={false}
          comboboxProps={{ withinPortal: true }}
        />
      }
      resetKey={mode}
      preview={(csv) => previewRecordImport(csv, mode)}
      runImport={(csv) => importRecords(csv, mode)}
      countOf={(preview) => preview.rows.filter((row) => row.line !== null).length}
      hasErrors={(preview) => preview.summary.errors > 0}
      noun={['record', 'records']}
      renderPreview={(preview) => <PreviewResult preview={preview} />}
      onImported={(result) => {
        notifications.show({
          color: 'green',
          title: 'Records imported',
          message: `${result.created} created, ${result.updated} updated, ${result.deleted} deleted.`,
        });
        void queryClient.invalidateQueries({ queryKey: queryKeys.records });
        void queryClient.invalidateQueries({ queryKey: queryKeys.recordTypes });
        onClose();
      }}
      onClose={onClose}
    />
  );
}

function PreviewResult({ preview }: { preview: ImportPreview }) {
  const { summary } = preview;
  const ordered = errorsFirst(preview.rows);
  const shown = ordered.slice(0, SHOWN_ROWS_MAX);
  return (
    <Stack gap="xs">
      <Text size="sm" role="status">
        {previewSummaryText(
          summary.errors,
          `Would create ${summary.create}, update ${summary.update}, delete ${summary.delete}; ${summary.unchanged} unchanged.`,
        )}
      </Text>
      <ScrollArea.Autosize mah={360} type="auto">
        <Table withTableBorder fz={13} verticalSpacing={4} aria-label="Import preview" stickyHeader>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Line</Table.Th>
              <Table.Th>Action</Table.Th>
              <Table.Th>Type</Table.Th>
              <Table.Th>Name</Table.Th>
              <Table.Th>Owner</Table.Th>
              <Table.Th>Properties</Table.Th>
              <Table.Th>Errors</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {shown.map((row, index) => (
              <PreviewRow key={`${row.line ?? 'd'}-${index}`} row={row} />
            ))}
          </Table.Tbody>
        </Table>
      </ScrollArea.Autosize>
      {ordered.length > shown.length && (
        <Text size="xs" c="dimmed">
          Showing {shown.length} of {ordered.length} rows.
        </Text>
      )}
    </Stack>
  );
}

function PreviewRow({ row }: { row: ImportPreviewRow }) {
  const failed = row.errors.length > 0;
  const action = ACTION_LABELS[row.action];
  return (
    <Table.Tr bg={failed ? 'var(--mantine-color-red-light)' : undefined} data-has-errors={failed || undefined}>
      <Table.Td>{row.line ?? '—'}</Table.Td>
      <Table.Td>
        {failed ? (
          <Badge color="red" variant="filled" size="sm">
            Error
          </Badge>
        ) : (
          <Badge color={action.color} variant="light" size="sm">
            {action.label}
          </Badge>
        )}
      </Table.Td>
      <Table.Td>{row.type}</Table.Td>
      <Table.Td style={{ maxWidth: 220, overflowWrap: 'anywhere' }}>{row.name}</Table.Td>
      <Table.Td style={{ maxWidth: 160, overflowWrap: 'anywhere' }}>{row.owner}</Table.Td>
      <Table.Td style={{ maxWidth: 260, overflowWrap: 'anywhere' }}>
        {Object.entries(row.properties)
          .map(([key, value]) => `${key}: ${value}`)
          .join(', ')}
      </Table.Td>
      <Table.Td c="red.8" style={{ maxWidth: 300 }}>
        {row.errors.join(' ')}
      </Table.Td>
    </Table.Tr>
  );
}

import { Modal, Select, Table } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ImportAction, ImportMode, ImportPreview, ImportPreviewRow } from '../../../shared/schemas/records.js';
import { CsvImportForm, PreviewRowFrame, PreviewTable } from '../../components/csv-import-form.js';
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
  return (
    <PreviewTable
      rows={preview.rows}
      errors={summary.errors}
      outcome={`Would create ${summary.create}, update ${summary.update}, delete ${summary.delete}; ${summary.unchanged} unchanged.`}
      headers={['Type', 'Name', 'Owner', 'Properties', 'Errors']}
      renderRow={(row, index) => <PreviewRow key={`${row.line ?? 'd'}-${index}`} row={row} />}
    />
  );
}

function PreviewRow({ row }: { row: ImportPreviewRow }) {
  return (
    <PreviewRowFrame line={row.line} failed={row.errors.length > 0} action={ACTION_LABELS[row.action]}>
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
    </PreviewRowFrame>
  );
}

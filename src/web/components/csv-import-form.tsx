/**
 * What every CSV import dialog shares (records, accounts): choose a file, Preview it (the server
 * checks every row and writes nothing), then Import — all rows or none. Choosing another file (or
 * changing `resetKey`, say the records' mode) makes a preview stale, so it must be previewed again.
 * With `confirmation`, Import asks once more, naming the count, before anything is written; with
 * `renderResult`, the result stays in the dialog until it is closed.
 */
import { Alert, Badge, Button, FileInput, Group, ScrollArea, Stack, Table, Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useEffect, useState, type ReactNode } from 'react';
import { messageOf } from '../api/client.js';
import { countOf } from '../format/count.js';

export interface CsvImportFormProps<P, R> {
  fileDescription: string;
  /** Inputs beside the file (the records' mode). */
  extraFields?: ReactNode;
  /** Anything that, when it changes, makes the preview stale. */
  resetKey?: unknown;
  preview: (csv: string) => Promise<P>;
  runImport: (csv: string) => Promise<R>;
  /** How many rows would be imported, and whether any row has errors (then Import is off). */
  countOf: (preview: P) => number;
  hasErrors: (preview: P) => boolean;
  /** "record" / "records": the Import button's words. */
  noun: readonly [singular: string, plural: string];
  renderPreview: (preview: P) => ReactNode;
  /** Asked before the import (what it will do), or absent to import at once. */
  confirmation?: (count: number) => ReactNode;
  /** Shown in place of the form once imported, or absent (then onImported is all). */
  renderResult?: (result: R) => ReactNode;
  onImported: (result: R) => void;
  onClose: () => void;
  /** More buttons before Cancel (a template download). */
  extraButtons?: ReactNode;
}

export function CsvImportForm<P, R>(props: CsvImportFormProps<P, R>) {
  const { noun, confirmation, renderResult } = props;
  const [file, setFile] = useState<File | null>(null);
  const [csv, setCsv] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);

  const preview = useMutation({
    mutationFn: async () => {
      const text = await file!.text();
      setCsv(text);
      return props.preview(text);
    },
  });
  const runImport = useMutation({
    mutationFn: () => props.runImport(csv!),
    onSuccess: (result) => props.onImported(result),
    onSettled: () => setConfirming(false),
  });

  function resetPreview() {
    preview.reset();
    runImport.reset();
    setCsv(null);
    setConfirming(false);
  }
  // A change of what the preview was made with (the mode) makes it stale.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(resetPreview, [props.resetKey]);

  if (runImport.isSuccess && renderResult) {
    return (
      <Stack gap="md">
        {renderResult(runImport.data)}
        <Group justify="flex-end">
          <Button onClick={props.onClose} data-autofocus>
            Done
          </Button>
        </Group>
      </Stack>
    );
  }

  const result = preview.data;
  const count = result ? props.countOf(result) : 0;
  const hasErrors = result ? props.hasErrors(result) : false;
  const importLabel = `Import ${countOf(count, noun)}`;

  return (
    <Stack gap="md">
      <Group align="flex-start" grow>
        <FileInput
          label="CSV file"
          description={props.fileDescription}
          placeholder="Choose a .csv file"
          accept=".csv,text/csv"
          value={file}
          onChange={(next) => {
            setFile(next);
            resetPreview();
          }}
          clearable
        />
        {props.extraFields}
      </Group>

      {preview.isError && (
        <Alert color="red" role="alert" title="The file could not be previewed">
          {messageOf(preview.error)}
        </Alert>
      )}
      {result && props.renderPreview(result)}
      {runImport.isError && (
        <Alert color="red" role="alert" title="Nothing was imported">
          {messageOf(runImport.error)}
        </Alert>
      )}

      {confirming && confirmation ? (
        <Alert color="blue" title={`${importLabel}?`} role="alertdialog" aria-label={`${importLabel}?`}>
          <Stack gap="sm">
            <Text size="sm">{confirmation(count)}</Text>
            <Group justify="flex-end" gap="sm">
              <Button variant="default" onClick={() => setConfirming(false)}>
                Back
              </Button>
              <Button onClick={() => runImport.mutate()} loading={runImport.isPending} data-autofocus>
                {`Yes, ${importLabel.charAt(0).toLowerCase()}${importLabel.slice(1)}`}
              </Button>
            </Group>
          </Stack>
        </Alert>
      ) : (
        <Group justify="flex-end" gap="sm">
          {props.extraButtons}
          <Button variant="default" onClick={props.onClose}>
            Cancel
          </Button>
          <Button variant="light" onClick={() => preview.mutate()} disabled={!file} loading={preview.isPending}>
            Preview
          </Button>
          <Button
            onClick={() => (confirmation ? setConfirming(true) : runImport.mutate())}
            disabled={!result || hasErrors || csv === null || count === 0}
            loading={runImport.isPending}
          >
            {importLabel}
          </Button>
        </Group>
      )}
    </Stack>
  );
}

/** The one-line summary above a preview table: errors first, then what would happen. */
function previewSummaryText(errors: number, rest: string): string {
  return `${
    errors > 0
      ? `${countOf(errors, ['row has', 'rows have'])} errors: fix the file and preview it again. Nothing is imported while there are errors.`
      : 'No errors.'
  } ${rest}`;
}

/** Rows with errors first: what needs fixing is what one looks for. */
function errorsFirst<T extends { errors: readonly unknown[] }>(rows: readonly T[]): T[] {
  return [...rows.filter((row) => row.errors.length > 0), ...rows.filter((row) => row.errors.length === 0)];
}

/** Rows shown in a preview table (rows with errors first); the summary counts them all. */
const SHOWN_ROWS_MAX = 200;

/**
 * A preview: its summary line, then a table of the rows (errors first, at most SHOWN_ROWS_MAX),
 * each row drawn by `renderRow` (use PreviewRowFrame for its tinted row, line and action badge).
 */
export function PreviewTable<T extends { errors: readonly unknown[] }>({
  rows,
  errors,
  outcome,
  headers,
  renderRow,
}: {
  rows: readonly T[];
  /** Rows with errors (the summary's count). */
  errors: number;
  /** What the import would do, in words ("Would create 3 accounts."). */
  outcome: string;
  /** The columns after Line and Action. */
  headers: readonly string[];
  renderRow: (row: T, index: number) => ReactNode;
}) {
  const ordered = errorsFirst(rows);
  const shown = ordered.slice(0, SHOWN_ROWS_MAX);
  return (
    <Stack gap="xs">
      <Text size="sm" role="status">
        {previewSummaryText(errors, outcome)}
      </Text>
      <ScrollArea.Autosize mah={360} type="auto">
        <Table withTableBorder fz={13} verticalSpacing={4} aria-label="Import preview" stickyHeader>
          <Table.Thead>
            <Table.Tr>
              {['Line', 'Action', ...headers].map((header) => (
                <Table.Th key={header}>{header}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>{shown.map(renderRow)}</Table.Tbody>
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

/** One preview row: tinted when it has errors, its line, its action (or Error), then `children`. */
export function PreviewRowFrame({
  line,
  failed,
  action,
  children,
}: {
  line: number | null;
  failed: boolean;
  action: { label: string; color: string };
  children: ReactNode;
}) {
  return (
    <Table.Tr bg={failed ? 'var(--mantine-color-red-light)' : undefined} data-has-errors={failed || undefined}>
      <Table.Td>{line ?? '—'}</Table.Td>
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
      {children}
    </Table.Tr>
  );
}

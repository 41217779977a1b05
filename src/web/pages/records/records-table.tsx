import { Anchor, Checkbox } from '@mantine/core';
import { createColumnHelper, getCoreRowModel, useReactTable, type ColumnDef } from '@tanstack/react-table';
import { Link } from 'react-router';
import type { DataRecord, RecordSortColumn } from '../../../shared/schemas/records.js';
import { DataTable } from '../../components/data-table.js';
import { formatDateTime, type DateTimePreferences } from '../../format/date-time.js';

/** How many properties the list shows per record; the record's page shows them all. */
const PROPERTIES_SHOWN = 3;

export function propertiesSummary(properties: Record<string, string>): string {
  const entries = Object.entries(properties);
  const shown = entries.slice(0, PROPERTIES_SHOWN).map(([key, value]) => `${key}: ${value}`);
  if (entries.length > PROPERTIES_SHOWN) shown.push(`+${entries.length - PROPERTIES_SHOWN} more`);
  return shown.join(' · ');
}

const column = createColumnHelper<DataRecord>();

function recordColumns(options: {
  prefs: DateTimePreferences;
  selectable: boolean;
  selected: ReadonlySet<string>;
  onToggle: (record: DataRecord, checked: boolean) => void;
  onToggleAll: (checked: boolean) => void;
  pageIds: string[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- columns hold values of different types; TanStack's helper types them each.
}): ColumnDef<DataRecord, any>[] {
  const { prefs, selectable, selected, onToggle, onToggleAll, pageIds } = options;
  const allSelected = pageIds.length > 0 && pageIds.every((id) => selected.has(id));
  const someSelected = pageIds.some((id) => selected.has(id));
  return [
    ...(selectable
      ? [
          column.display({
            id: 'select',
            meta: { width: 36 },
            header: () => (
              <Checkbox
                aria-label="Select all records on this page"
                size="xs"
                checked={allSelected}
                indeterminate={someSelected && !allSelected}
                onChange={(event) => onToggleAll(event.currentTarget.checked)}
              />
            ),
            cell: ({ row }) => (
              <Checkbox
                aria-label={`Select ${row.original.type.name} ${row.original.name}`}
                size="xs"
                checked={selected.has(row.original.id)}
                onChange={(event) => onToggle(row.original, event.currentTarget.checked)}
              />
            ),
          }),
        ]
      : []),
    column.accessor('name', {
      id: 'name',
      header: 'Name',
      meta: { sortKey: 'name' satisfies RecordSortColumn },
      cell: ({ row }) => (
        <Anchor component={Link} to={`/records/${row.original.id}`} fz="inherit">
          {row.original.name}
        </Anchor>
      ),
    }),
    column.accessor((record) => record.type.name, {
      id: 'type',
      header: 'Type',
      meta: { sortKey: 'type' satisfies RecordSortColumn },
    }),
    column.accessor('owner', { id: 'owner', header: 'Owner', meta: { sortKey: 'owner' satisfies RecordSortColumn } }),
    column.accessor((record) => propertiesSummary(record.properties), {
      id: 'properties',
      header: 'Properties',
      meta: { maxWidth: 380 },
    }),
    column.accessor('updatedAt', {
      id: 'updatedAt',
      header: 'Updated',
      meta: { sortKey: 'updatedAt' satisfies RecordSortColumn },
      cell: ({ getValue }) => formatDateTime(getValue<string>(), prefs),
    }),
  ];
}

export interface RecordsTableProps {
  records: DataRecord[];
  prefs: DateTimePreferences;
  loading: boolean;
  fetching: boolean;
  error: unknown;
  onRetry: () => void;
  emptyMessage: string;
  sort: RecordSortColumn;
  order: 'asc' | 'desc';
  onSort: (sort: RecordSortColumn) => void;
  /** Row checkboxes, for Delete selected (only with records:delete). */
  selectable: boolean;
  selected: ReadonlySet<string>;
  onSelectedChange: (selected: Set<string>) => void;
}

/** The Records table: TanStack Table for the model, Mantine Table for the markup. */
export function RecordsTable(props: RecordsTableProps) {
  const { records, selected, onSelectedChange } = props;
  const pageIds = records.map((record) => record.id);
  const table = useReactTable({
    data: records,
    columns: recordColumns({
      prefs: props.prefs,
      selectable: props.selectable,
      selected,
      pageIds,
      onToggle: (record, checked) => {
        const next = new Set(selected);
        if (checked) next.add(record.id);
        else next.delete(record.id);
        onSelectedChange(next);
      },
      onToggleAll: (checked) => onSelectedChange(checked ? new Set(pageIds) : new Set()),
    }),
    getCoreRowModel: getCoreRowModel(),
    getRowId: (record) => record.id,
    manualPagination: true,
    manualSorting: true,
  });
  return (
    <DataTable
      table={table}
      label="Records"
      minWidth={900}
      loading={props.loading}
      fetching={props.fetching}
      error={props.error}
      onRetry={props.onRetry}
      loadingText="Loading records…"
      emptyMessage={props.emptyMessage}
      sorting={{ sort: props.sort, order: props.order, onSort: props.onSort }}
      highlighted={selected}
    />
  );
}

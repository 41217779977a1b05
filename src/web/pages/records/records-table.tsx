import {
  Anchor,
  Box,
  Center,
  Checkbox,
  Group,
  Loader,
  LoadingOverlay,
  Table,
  Text,
  UnstyledButton,
} from '@mantine/core';
import {
  createColumnHelper,
  flexRender,
  getCoreRowModel,
  useReactTable,
  type ColumnDef,
  type Header,
} from '@tanstack/react-table';
import { Link } from 'react-router';
import type { DataRecord, RecordSortColumn } from '../../../shared/schemas/records.js';
import { ErrorState } from '../../components/error-state.js';
import { IconChevronDown, IconChevronUp, IconSelector } from '../../components/icons.js';
import { formatDateTime, type DateTimePreferences } from '../../format/date-time.js';

/** Columns the server can sort by: the column's id is its sort key. */
const SORTABLE: ReadonlySet<string> = new Set<RecordSortColumn>(['name', 'type', 'owner', 'updatedAt']);

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
      cell: ({ row }) => (
        <Anchor component={Link} to={`/records/${row.original.id}`} fz="inherit">
          {row.original.name}
        </Anchor>
      ),
    }),
    column.accessor((record) => record.type.name, { id: 'type', header: 'Type' }),
    column.accessor('owner', { id: 'owner', header: 'Owner' }),
    column.accessor((record) => propertiesSummary(record.properties), { id: 'properties', header: 'Properties' }),
    column.accessor('updatedAt', {
      id: 'updatedAt',
      header: 'Updated',
      cell: ({ getValue }) => formatDateTime(getValue<string>(), prefs),
    }),
  ];
}

function SortableHeader({
  header,
  sort,
  order,
  onSort,
}: {
  header: Header<DataRecord, unknown>;
  sort: RecordSortColumn;
  order: 'asc' | 'desc';
  onSort: (sort: RecordSortColumn) => void;
}) {
  const label = flexRender(header.column.columnDef.header, header.getContext());
  const id = header.column.id;
  if (!SORTABLE.has(id)) return <Table.Th w={id === 'select' ? 36 : undefined}>{label}</Table.Th>;
  const sorted = sort === id ? order : null;
  return (
    <Table.Th aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none'}>
      <UnstyledButton onClick={() => onSort(id as RecordSortColumn)} fw={600} fz={13}>
        <Group gap={4} wrap="nowrap">
          <span>{label}</span>
          <Box c={sorted ? 'blue' : 'dimmed'} display="flex">
            {sorted === 'asc' ? (
              <IconChevronUp size={14} />
            ) : sorted === 'desc' ? (
              <IconChevronDown size={14} />
            ) : (
              <IconSelector size={14} />
            )}
          </Box>
        </Group>
      </UnstyledButton>
    </Table.Th>
  );
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
  const rows = table.getRowModel().rows;
  const columnCount = table.getVisibleLeafColumns().length;
  return (
    <Box pos="relative">
      <LoadingOverlay
        visible={props.fetching && !props.loading}
        zIndex={5}
        overlayProps={{ blur: 0, backgroundOpacity: 0.35 }}
        loaderProps={{ size: 'sm' }}
      />
      <Table.ScrollContainer minWidth={900} type="native">
        <Table
          striped
          highlightOnHover
          withTableBorder
          verticalSpacing={7}
          horizontalSpacing={8}
          fz={13}
          aria-label="Records"
          aria-busy={props.fetching}
        >
          <Table.Thead>
            {table.getHeaderGroups().map((group) => (
              <Table.Tr key={group.id}>
                {group.headers.map((header) => (
                  <SortableHeader
                    key={header.id}
                    header={header}
                    sort={props.sort}
                    order={props.order}
                    onSort={props.onSort}
                  />
                ))}
              </Table.Tr>
            ))}
          </Table.Thead>
          <Table.Tbody>
            {props.loading ? (
              <Table.Tr>
                <Table.Td colSpan={columnCount}>
                  <Center py="xl">
                    <Group gap="sm">
                      <Loader size="sm" />
                      <Text c="dimmed">Loading records…</Text>
                    </Group>
                  </Center>
                </Table.Td>
              </Table.Tr>
            ) : props.error && rows.length === 0 ? (
              <Table.Tr>
                <Table.Td colSpan={columnCount}>
                  <Center py="lg">
                    <ErrorState error={props.error} onRetry={props.onRetry} />
                  </Center>
                </Table.Td>
              </Table.Tr>
            ) : rows.length === 0 ? (
              <Table.Tr>
                <Table.Td colSpan={columnCount}>
                  <Text c="dimmed" ta="center" py="xl">
                    {props.emptyMessage}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ) : (
              rows.map((row) => (
                <Table.Tr key={row.id} bg={selected.has(row.id) ? 'var(--mantine-color-blue-light)' : undefined}>
                  {row.getVisibleCells().map((cell) => (
                    <Table.Td
                      key={cell.id}
                      style={
                        cell.column.id === 'properties'
                          ? { maxWidth: 380, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }
                          : { whiteSpace: 'nowrap' }
                      }
                    >
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </Table.Td>
                  ))}
                </Table.Tr>
              ))
            )}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Box>
  );
}

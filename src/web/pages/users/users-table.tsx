import { Box, Center, Group, Loader, LoadingOverlay, Table, Text, UnstyledButton } from '@mantine/core';
import { flexRender, type Header, type Table as TanStackTable } from '@tanstack/react-table';
import type { User, UserSortColumn } from '../../../shared/schemas/users.js';
import { ErrorState } from '../../components/error-state.js';
import { IconChevronDown, IconChevronUp, IconSelector } from '../../components/icons.js';

function SortableHeader({ header, onSort }: { header: Header<User, unknown>; onSort: (sort: UserSortColumn) => void }) {
  const sortKey = header.column.columnDef.meta?.sortKey;
  const label = flexRender(header.column.columnDef.header, header.getContext());
  const sorted = header.column.getIsSorted();
  const ariaSort = !sortKey ? undefined : sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none';
  return (
    // Headers may wrap onto two lines ("Account / Status") so that all columns fit a 1366-pixel screen.
    <Table.Th
      aria-sort={ariaSort}
      w={header.column.id === 'select' ? 36 : undefined}
      style={{ verticalAlign: 'bottom', lineHeight: 1.3, minWidth: header.column.columnDef.meta?.minWidth }}
    >
      {sortKey ? (
        <UnstyledButton onClick={() => onSort(sortKey)} fw={600} fz={13} ta="left" lh={1.3}>
          <Group gap={4} wrap="nowrap" align="center">
            <span>{label}</span>
            <Box c={sorted ? 'blue' : 'dimmed'} display="flex" style={{ flexShrink: 0 }}>
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
      ) : (
        label
      )}
    </Table.Th>
  );
}

export interface UsersTableProps {
  table: TanStackTable<User>;
  loading: boolean;
  fetching: boolean;
  error: unknown;
  onRetry: () => void;
  search: string;
  onSort: (sort: UserSortColumn) => void;
}

/** The User Accounts table: TanStack Table for the model, Mantine Table for the markup. */
export function UsersTable({ table, loading, fetching, error, onRetry, search, onSort }: UsersTableProps) {
  const rows = table.getRowModel().rows;
  const columnCount = table.getVisibleLeafColumns().length;
  return (
    <Box pos="relative">
      <LoadingOverlay
        visible={fetching && !loading}
        zIndex={5}
        overlayProps={{ blur: 0, backgroundOpacity: 0.35 }}
        loaderProps={{ size: 'sm' }}
      />
      <Table.ScrollContainer minWidth={1100} type="native">
        <Table
          striped
          highlightOnHover
          withTableBorder
          verticalSpacing={7}
          horizontalSpacing={8}
          fz={13}
          aria-label="User accounts"
          aria-busy={fetching}
        >
          <Table.Thead>
            {table.getHeaderGroups().map((group) => (
              <Table.Tr key={group.id}>
                {group.headers.map((header) => (
                  <SortableHeader key={header.id} header={header} onSort={onSort} />
                ))}
              </Table.Tr>
            ))}
          </Table.Thead>
          <Table.Tbody>
            {loading ? (
              <Table.Tr>
                <Table.Td colSpan={columnCount}>
                  <Center py="xl">
                    <Group gap="sm">
                      <Loader size="sm" />
                      <Text c="dimmed">Loading accounts…</Text>
                    </Group>
                  </Center>
                </Table.Td>
              </Table.Tr>
            ) : error && rows.length === 0 ? (
              <Table.Tr>
                <Table.Td colSpan={columnCount}>
                  <Center py="lg">
                    <ErrorState error={error} onRetry={onRetry} />
                  </Center>
                </Table.Td>
              </Table.Tr>
            ) : rows.length === 0 ? (
              <Table.Tr>
                <Table.Td colSpan={columnCount}>
                  <Text c="dimmed" ta="center" py="xl">
                    {search
                      ? `No accounts match “${search}”. Search matches the start of an email, first name or last name.`
                      : 'There are no accounts yet.'}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ) : (
              rows.map((row) => (
                <Table.Tr key={row.id}>
                  {row.getVisibleCells().map((cell) => (
                    <Table.Td
                      key={cell.id}
                      style={cell.column.columnDef.meta?.wrap ? undefined : { whiteSpace: 'nowrap' }}
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

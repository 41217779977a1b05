import { Box, Center, Group, Loader, LoadingOverlay, Table, Text } from '@mantine/core';
import { flexRender, type Table as TanStackTable } from '@tanstack/react-table';
import { ErrorState } from '../../components/error-state.js';

export interface LogTableProps<T> {
  table: TanStackTable<T>;
  label: string;
  loading: boolean;
  fetching: boolean;
  error: unknown;
  onRetry: () => void;
  emptyMessage: string;
  minWidth: number;
}

/** A log's table: TanStack Table for the model, Mantine Table for the markup (as the Users list). */
export function LogTable<T>({
  table,
  label,
  loading,
  fetching,
  error,
  onRetry,
  emptyMessage,
  minWidth,
}: LogTableProps<T>) {
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
      <Table.ScrollContainer minWidth={minWidth} type="native">
        <Table
          striped
          highlightOnHover
          withTableBorder
          verticalSpacing={7}
          horizontalSpacing={8}
          fz={13}
          aria-label={label}
          aria-busy={fetching}
        >
          <Table.Thead>
            {table.getHeaderGroups().map((group) => (
              <Table.Tr key={group.id}>
                {group.headers.map((header) => (
                  <Table.Th
                    key={header.id}
                    style={{ verticalAlign: 'bottom', minWidth: header.column.columnDef.meta?.minWidth }}
                  >
                    {flexRender(header.column.columnDef.header, header.getContext())}
                  </Table.Th>
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
                      <Text c="dimmed">Loading…</Text>
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
                    {emptyMessage}
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

import { Box, Center, Group, Loader, LoadingOverlay, Pagination, Select, Table, Text } from '@mantine/core';
import { flexRender, type Table as TanStackTable } from '@tanstack/react-table';
import { ErrorState } from '../../components/error-state.js';
import { LOG_PAGE_SIZES } from './log-params.js';

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

export interface LogTableFooterProps {
  total: number;
  page: number;
  pageSize: number;
  noun: string;
  onPage: (page: number) => void;
  onPageSize: (pageSize: number) => void;
}

export function LogTableFooter({ total, page, pageSize, noun, onPage, onPageSize }: LogTableFooterProps) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  return (
    <Group justify="space-between" gap="md">
      <Group gap="sm">
        <Select
          label="Rows per page"
          data={LOG_PAGE_SIZES.map(String)}
          value={String(pageSize)}
          onChange={(value) => value && onPageSize(Number(value))}
          allowDeselect={false}
          styles={{
            root: { display: 'flex', alignItems: 'center', gap: 8 },
            label: { whiteSpace: 'nowrap', marginBottom: 0 },
            wrapper: { width: 84 },
          }}
          comboboxProps={{ withinPortal: true }}
        />
        <Text size="sm" c="dimmed">
          {total === 0
            ? `No ${noun}`
            : `${first.toLocaleString()}–${last.toLocaleString()} of ${total.toLocaleString()}`}
        </Text>
      </Group>
      <Pagination
        total={pages}
        value={Math.min(page, pages)}
        onChange={onPage}
        size="sm"
        withEdges
        getItemProps={(p) => ({ 'aria-label': `Page ${p}` })}
        getControlProps={(control) => ({
          'aria-label': { first: 'First page', previous: 'Previous page', next: 'Next page', last: 'Last page' }[
            control
          ],
        })}
      />
    </Group>
  );
}

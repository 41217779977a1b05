import { Group, Pagination, Select, Text } from '@mantine/core';

/** Rows per page, which rows are shown of how many, and page buttons: under every paged table. */
export interface PagedTableFooterProps {
  total: number;
  page: number;
  pageSize: number;
  /** Rows-per-page choices. */
  pageSizes: readonly number[];
  /** What the rows are, for "No …" when there are none ("accounts", "events"). */
  noun: string;
  onPage: (page: number) => void;
  onPageSize: (pageSize: number) => void;
}

export function PagedTableFooter({
  total,
  page,
  pageSize,
  pageSizes,
  noun,
  onPage,
  onPageSize,
}: PagedTableFooterProps) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  return (
    <Group justify="space-between" gap="md">
      <Group gap="sm">
        <Select
          label="Rows per page"
          data={pageSizes.map(String)}
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

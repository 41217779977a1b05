import { Group, Text } from '@mantine/core';
import type { PageInfo } from '../../shared/schemas/paging.js';
import { formatCount } from '../../shared/paging.js';
import { describeCount, type Noun } from '../format/count.js';
import { SmallDefaultButton } from './button-markup.js';
import { DeferredSelect } from './deferred-select.js';

/**
 * Under every paged table (keyset paging, src/shared/schemas/paging.ts): rows per page, how many
 * rows match, and First / Previous / Next / Last. There are no page numbers: a page is where a
 * cursor says, which keeps page 40,000 of a million as fast as page 1.
 */
export interface CursorTableFooterProps {
  /** The list's answer; undefined while the first answer loads. */
  page: PageInfo | undefined;
  /** Rows on the page shown. */
  rowCount: number;
  /** Rows-per-page choices. */
  pageSizes: readonly number[];
  pageSize: number;
  /** What the rows are: ['account', 'accounts']. */
  noun: Noun;
  /** Go to the page a cursor names; undefined is the first page. */
  onCursor: (cursor: string | undefined) => void;
  onPageSize: (pageSize: number) => void;
}

export function CursorTableFooter({
  page,
  rowCount,
  pageSizes,
  pageSize,
  noun,
  onCursor,
  onPageSize,
}: CursorTableFooterProps) {
  const total = page?.total;
  return (
    <Group justify="space-between" gap="md">
      <Group gap="sm">
        <DeferredSelect
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
        <Text size="sm" c="dimmed" aria-live="polite">
          {total === undefined
            ? ''
            : total.count === 0
              ? `No ${noun[1]}`
              : `${formatCount(rowCount)} shown of ${describeCount(total, noun)}`}
        </Text>
      </Group>
      {/* Mantine's Button markup, without the component's cost in the list's first render. */}
      <Group gap={4} component="nav" aria-label="Pages">
        <SmallDefaultButton disabled={!page?.previous} onClick={() => onCursor(undefined)}>
          First
        </SmallDefaultButton>
        <SmallDefaultButton disabled={!page?.previous} onClick={() => page?.previous && onCursor(page.previous)}>
          Previous
        </SmallDefaultButton>
        <SmallDefaultButton disabled={!page?.next} onClick={() => page?.next && onCursor(page.next)}>
          Next
        </SmallDefaultButton>
        <SmallDefaultButton disabled={!page?.next} onClick={() => onCursor('last')}>
          Last
        </SmallDefaultButton>
      </Group>
    </Group>
  );
}

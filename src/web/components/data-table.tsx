import { Box, Center, Group, Loader, LoadingOverlay, Text } from '@mantine/core';
import { flexRender, type Cell, type Header, type Table as TanStackTable } from '@tanstack/react-table';
import { useEffect, useLayoutEffect, useRef, useState, type CSSProperties, type RefObject } from 'react';
import { loadOverlaysWhenIdle } from './deferred-overlays.js';
import { ErrorState } from './error-state.js';
import { IconChevronDown, IconChevronUp, IconSelector } from './icons.js';
import {
  StripedTable,
  TABLE_CELL_CLASS,
  TABLE_ROW,
  TableBody,
  TableHead,
  TableHeaderCell,
  TableScrollContainer,
  SortButton,
} from './table-markup.js';

/** What a column needs beyond TanStack's own definition (read by DataTable and the Users Columns menu). */
declare module '@tanstack/react-table' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the generics must match TanStack's declaration to merge.
  interface ColumnMeta<TData, TValue> {
    /** The server's sort key, when the server can sort by this column. */
    sortKey?: string;
    /** The column's name in the Columns menu (and its header). */
    label?: string;
    /** Always shown (the Email link, the row selector). */
    alwaysVisible?: boolean;
    /** Long free text that may wrap onto a second line (so the whole table fits a 1366-pixel screen). */
    wrap?: boolean;
    /** The column's width, in pixels, when it is fixed (the row selector's). */
    width?: number;
    /** Narrowest the column may get, in pixels, so usual values stay on one line. */
    minWidth?: number;
    /** Widest the column's cells may get, in pixels: longer values end in "…". */
    maxWidth?: number;
    /**
     * Stays in view while the table scrolls sideways (the row selector, the Email link). Only for
     * leading columns: each sticks right after the sticky ones before it.
     */
    sticky?: boolean;
  }
}

/** The server-side sort the table shows in its headers; clicking a sortable header asks for another. */
export interface TableSort<S extends string> {
  sort: S;
  order: 'asc' | 'desc';
  onSort: (sort: S) => void;
}

export interface DataTableProps<T, S extends string> {
  table: TanStackTable<T>;
  /** The table's accessible name. */
  label: string;
  /** Below this width the table scrolls sideways instead of squeezing its columns. */
  minWidth: number;
  /** The first load: nothing to show yet. */
  loading: boolean;
  /** Any load, including a refresh while the previous rows stay shown. */
  fetching: boolean;
  error: unknown;
  onRetry: () => void;
  loadingText: string;
  emptyMessage: string;
  sorting?: TableSort<S>;
  /** Headers may wrap onto two lines ("Account / Status"), set tighter and lined up at the bottom. */
  wrapHeaders?: boolean;
  /** Rows shown as selected (checked): tinted, sticky cells included (global.css). */
  highlighted?: ReadonlySet<string>;
  horizontalSpacing?: number | string;
}

function cellStyle<T>(cell: Cell<T, unknown>, sticky: StickyColumns): CSSProperties | undefined {
  const meta = cell.column.columnDef.meta;
  const left = stickyStyle(cell.column.id, sticky);
  if (meta?.maxWidth) {
    return { maxWidth: meta.maxWidth, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', ...left };
  }
  return meta?.wrap ? left : { whiteSpace: 'nowrap', ...left };
}

/** The IDs of the leading sticky columns, in order. */
type StickyColumns = readonly string[];

/** A sticky column, and its width when fixed (`meta.width`). */
interface StickyColumn {
  id: string;
  width?: number;
}

/** The custom property on the table that holds the offset of the sticky column at `index`. */
const stickyLeftProperty = (index: number) => `--latchkey-sticky-left-${index}`;

function stickyStyle(columnId: string, sticky: StickyColumns): CSSProperties | undefined {
  const index = sticky.indexOf(columnId);
  return index < 0 ? undefined : { left: `var(${stickyLeftProperty(index)})` };
}

/** global.css: position sticky, an opaque background (the row's own), a line at the last one's edge. */
function stickyClass(columnId: string, sticky: StickyColumns): string | undefined {
  const index = sticky.indexOf(columnId);
  if (index < 0) return undefined;
  return index === sticky.length - 1 ? 'latchkey-sticky-cell latchkey-sticky-cell-last' : 'latchkey-sticky-cell';
}

/**
 * Where each leading sticky column sticks: right after the ones before it. The offsets are custom
 * properties on the table that the sticky cells' `left` reads (stickyStyle), in place before the
 * first paint: as React state they cost a second render of every row.
 *
 * They follow the header cells' widths, which follow the content, so they are measured whenever the
 * table's size changes. Measured in a layout effect, though, the first one forced a style and layout
 * of the whole page in the middle of the first render (in a profile of the users list on a slow
 * phone, a fifth of that render's time), only for the browser to lay the page out again to paint it. When the columns
 * before the last sticky one have a fixed width (`meta.width`: the row selector), the offsets are
 * known without measuring: set from those widths, and measured (from the ResizeObserver's first
 * call, which comes after the browser's own layout and before its paint) only to correct them.
 */
/** A sticky column as the offsets effect keys it: its id, and its fixed width if it has one. */
type StickyKey = [id: string, width: number | null];

function useStickyOffsets(tableRef: RefObject<HTMLTableElement | null>, sticky: readonly StickyColumn[]): void {
  // The effect depends on the columns' ids and widths, not on the array (a new one every render):
  // they travel as a JSON key, which any id survives.
  const key = JSON.stringify(sticky.map(({ id, width }): StickyKey => [id, width ?? null]));
  useLayoutEffect(() => {
    const element = tableRef.current;
    const columns = JSON.parse(key) as StickyKey[];
    if (!element || columns.length === 0) return;
    const set = (offsets: readonly number[]) =>
      offsets.forEach((offset, index) => {
        // Only a change: setting the same value would still restyle the table.
        if (element.style.getPropertyValue(stickyLeftProperty(index)) !== `${offset}px`) {
          element.style.setProperty(stickyLeftProperty(index), `${offset}px`);
        }
      });
    const measure = () =>
      set(
        offsetsAfter(
          columns.map(
            ([id]) =>
              element.querySelector(`thead th[data-column="${CSS.escape(id)}"]`)?.getBoundingClientRect().width ?? 0,
          ),
        ),
      );
    const fixed = columns.slice(0, -1).every(([, width]) => width !== null);
    if (fixed) set(offsetsAfter(columns.map(([, width]) => width ?? 0)));
    else measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [tableRef, key]);
}

/** Each column's offset: the sum of the widths before it. */
function offsetsAfter(widths: readonly number[]): number[] {
  let offset = 0;
  return widths.map((width) => {
    const at = offset;
    offset += width;
    return at;
  });
}

function HeaderCell<T, S extends string>({
  header,
  sorting,
  wrapHeaders,
  sticky,
}: {
  header: Header<T, unknown>;
  sorting?: TableSort<S>;
  wrapHeaders: boolean;
  sticky: StickyColumns;
}) {
  const meta = header.column.columnDef.meta;
  const sortKey = sorting ? (meta?.sortKey as S | undefined) : undefined;
  const label = flexRender(header.column.columnDef.header, header.getContext());
  const sorted = sortKey && sorting?.sort === sortKey ? sorting.order : null;
  return (
    <TableHeaderCell
      aria-sort={!sortKey ? undefined : sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none'}
      width={meta?.width}
      data-column={header.column.id}
      className={stickyClass(header.column.id, sticky)}
      style={{
        ...stickyStyle(header.column.id, sticky),
        // Two-line headers line up at the bottom, next to the one-line ones.
        verticalAlign: wrapHeaders ? 'bottom' : undefined,
        lineHeight: wrapHeaders ? 1.3 : undefined,
        minWidth: meta?.minWidth,
      }}
    >
      {sortKey ? (
        <SortButton
          onClick={() => sorting?.onSort(sortKey)}
          sorted={Boolean(sorted)}
          lineHeight={wrapHeaders ? 1.3 : undefined}
          icon={
            sorted === 'asc' ? (
              <IconChevronUp size={14} />
            ) : sorted === 'desc' ? (
              <IconChevronDown size={14} />
            ) : (
              <IconSelector size={14} />
            )
          }
        >
          {label}
        </SortButton>
      ) : (
        label
      )}
    </TableHeaderCell>
  );
}

/**
 * True while the element's content is wider than the element, so it scrolls sideways: then it
 * must take the keyboard focus, or keyboard users cannot scroll it (WCAG 2.1.1).
 */
function useScrollsSideways<E extends HTMLElement>() {
  const ref = useRef<E>(null);
  const [scrolls, setScrolls] = useState(false);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const check = () => setScrolls(element.scrollWidth > element.clientWidth);
    check();
    const observer = new ResizeObserver(check);
    observer.observe(element);
    if (element.firstElementChild) observer.observe(element.firstElementChild);
    return () => observer.disconnect();
  }, []);
  return [ref, scrolls] as const;
}

/**
 * A paged list's table: TanStack Table for the model, Mantine Table's markup (table-markup.tsx), with
 * loading, error and empty rows. The data rows and cells are plain elements too: a list's first
 * render spent most of its time in Mantine's per-cell props, styles and Box (the users list: 25 rows
 * of 10 cells, on a slow phone ~0.2 s).
 */
export function DataTable<T, S extends string = string>({
  table,
  label,
  minWidth,
  loading,
  fetching,
  error,
  onRetry,
  loadingText,
  emptyMessage,
  sorting,
  wrapHeaders = false,
  highlighted,
  horizontalSpacing = 8,
}: DataTableProps<T, S>) {
  const rows = table.getRowModel().rows;
  const columnCount = table.getVisibleLeafColumns().length;
  const [scrollRef, scrollsSideways] = useScrollsSideways<HTMLDivElement>();
  const tableRef = useRef<HTMLTableElement>(null);
  const stickyColumns = table
    .getVisibleLeafColumns()
    .filter((column) => column.columnDef.meta?.sticky)
    .map((column) => ({ id: column.id, width: column.columnDef.meta?.width }));
  const sticky = stickyColumns.map((column) => column.id);
  useStickyOffsets(tableRef, stickyColumns);
  // The list's filters and menus float over the page: their code comes once the first rows show.
  useEffect(() => {
    if (!loading) loadOverlaysWhenIdle();
  }, [loading]);
  return (
    <Box pos="relative">
      <LoadingOverlay
        visible={fetching && !loading}
        zIndex={5}
        overlayProps={{ blur: 0, backgroundOpacity: 0.35 }}
        loaderProps={{ size: 'sm' }}
      />
      <TableScrollContainer
        ref={scrollRef}
        minWidth={minWidth}
        {...(scrollsSideways && { tabIndex: 0, role: 'region', 'aria-label': label })}
      >
        <StripedTable
          ref={tableRef}
          verticalSpacing={7}
          horizontalSpacing={horizontalSpacing}
          fontSize={13}
          aria-label={label}
          aria-busy={fetching}
        >
          <TableHead>
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id} {...TABLE_ROW}>
                {group.headers.map((header) => (
                  <HeaderCell
                    key={header.id}
                    header={header}
                    sorting={sorting}
                    wrapHeaders={wrapHeaders}
                    sticky={sticky}
                  />
                ))}
              </tr>
            ))}
          </TableHead>
          <TableBody>
            {loading ? (
              <tr {...TABLE_ROW}>
                <td className={TABLE_CELL_CLASS} colSpan={columnCount}>
                  <Center py="xl">
                    <Group gap="sm">
                      <Loader size="sm" />
                      <Text c="dimmed">{loadingText}</Text>
                    </Group>
                  </Center>
                </td>
              </tr>
            ) : error && rows.length === 0 ? (
              <tr {...TABLE_ROW}>
                <td className={TABLE_CELL_CLASS} colSpan={columnCount}>
                  <Center py="lg">
                    <ErrorState error={error} onRetry={onRetry} />
                  </Center>
                </td>
              </tr>
            ) : rows.length === 0 ? (
              <tr {...TABLE_ROW}>
                <td className={TABLE_CELL_CLASS} colSpan={columnCount}>
                  <Text c="dimmed" ta="center" py="xl">
                    {emptyMessage}
                  </Text>
                </td>
              </tr>
            ) : (
              rows.map((row) => (
                <tr key={row.id} {...TABLE_ROW} data-selected={highlighted?.has(row.id) || undefined}>
                  {row.getVisibleCells().map((cell) => (
                    <td
                      key={cell.id}
                      style={cellStyle(cell, sticky)}
                      className={[TABLE_CELL_CLASS, stickyClass(cell.column.id, sticky)].filter(Boolean).join(' ')}
                    >
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </td>
                  ))}
                </tr>
              ))
            )}
          </TableBody>
        </StripedTable>
      </TableScrollContainer>
    </Box>
  );
}

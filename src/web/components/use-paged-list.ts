import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import { messageOf } from '../api/client.js';
import { saveFile } from '../api/save-file.js';
import type { ExportFormat } from '../../shared/exports.js';

/**
 * A list's filters, sort and page live in the address (so Back returns to the same view); `update`
 * replaces the history entry rather than adding one per keystroke or click.
 */
export function useListParams<P extends object>(
  read: (searchParams: URLSearchParams) => P,
  write: (params: P) => URLSearchParams,
) {
  const [searchParams, setSearchParams] = useSearchParams();
  const params = read(searchParams);
  const update = (changes: Partial<P>) => {
    // Merged into the address as it is now, not as this render saw it: the router renders a
    // navigation in a transition, so a second change made before that render (a To date picked
    // right after a From date) would otherwise be built on the old address and undo the first.
    const current = read(new URLSearchParams(window.location.search));
    setSearchParams(write({ ...current, ...changes }), { replace: true });
  };
  return { params, update, key: searchParams.toString() };
}

/** Text typed into a filter, committed once typing pauses (so not every keystroke changes the address and query). */
export function useDebouncedText(committed: string, onCommit: (text: string) => void) {
  const [text, setText] = useState(committed);
  const [debounced] = useDebouncedValue(text, 300);
  useEffect(() => {
    if (debounced.trim() !== committed.trim()) onCommit(debounced);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only a change of the typed text should trigger this.
  }, [debounced]);
  return [text, setText] as const;
}

/** Export (CSV or Excel): downloads what `run` fetches in that format, or says why it failed. */
export function useExport(run: (format: ExportFormat) => Promise<{ blob: Blob; filename: string }>) {
  const [exporting, setExporting] = useState(false);
  async function exportAs(format: ExportFormat) {
    setExporting(true);
    try {
      const { blob, filename } = await run(format);
      saveFile(blob, filename);
    } catch (error) {
      notifications.show({ color: 'red', title: 'Export failed', message: messageOf(error) });
    } finally {
      setExporting(false);
    }
  }
  return { exporting, exportAs: (format: ExportFormat) => void exportAs(format) };
}

/* Keyset (cursor) paging: the address holds the cursor of the page shown (a deep link survives a reload). */

/** What every cursor-paged list keeps in the address. */
export interface CursorParams {
  /** Absent: the first page; "last": the last page; else a cursor the server gave. */
  cursor?: string;
  pageSize: number;
}

/** A sortable, searchable cursor-paged list's address. */
export interface SortedCursorListParams<S extends string> extends CursorParams {
  search: string;
  sort: S;
  order: 'asc' | 'desc';
}

/**
 * The address of a cursor-paged list with a search box and sortable columns: a new search, sort or
 * page size starts again from the first page (a cursor belongs to one sort), and a second click on
 * the sorted column reverses it.
 */
export function useSortedCursorList<S extends string, P extends SortedCursorListParams<S>>(
  read: (searchParams: URLSearchParams) => P,
  write: (params: P) => URLSearchParams,
) {
  const { params, update, key } = useListParams(read, write);
  const [searchText, setSearchText] = useDebouncedText(params.search, (search) =>
    update({ search, cursor: undefined } as Partial<P>),
  );
  const sortBy = (sort: S) =>
    update({
      sort,
      order: params.sort === sort && params.order === 'asc' ? 'desc' : 'asc',
      cursor: undefined,
    } as Partial<P>);
  return { params, update, key, sortBy, searchText, setSearchText };
}

/**
 * After a delete (or rows removed elsewhere) the page shown may be empty although rows remain before
 * it: step back to the previous page. Reacts to new data only.
 */
export function useStepBackWhenEmpty(
  data: { previous: string | null } | undefined,
  rowCount: number,
  onCursor: (cursor: string | undefined) => void,
) {
  useEffect(() => {
    if (data && rowCount === 0 && data.previous) onCursor(data.previous);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- reacts to new data only.
  }, [data]);
}

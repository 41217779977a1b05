import { Button, Group, Select, Stack, Tabs, Text, TextInput, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { getCoreRowModel, useReactTable, type ColumnDef } from '@tanstack/react-table';
import { useEffect, useMemo, type ReactNode } from 'react';
import type { PageInfo } from '../../../shared/schemas/paging.js';
import { ApiError } from '../../api/client.js';
import { exportAuditEvents, exportLoginAttempts, listAuditEvents, listLoginAttempts } from '../../api/logs.js';
import { queryKeys } from '../../api/query-keys.js';
import { can } from '../../auth/abilities.js';
import { useSignedInMe } from '../../auth/use-me.js';
import { IconRefresh, IconSearch } from '../../components/icons.js';
import { DataTable } from '../../components/data-table.js';
import { NoPermissionPage } from '../../components/notice-page.js';
import { CursorTableFooter } from '../../components/cursor-table-footer.js';
import { useExport, useDebouncedText, useListParams, useStepBackWhenEmpty } from '../../components/use-paged-list.js';
import { auditColumns, loginColumns } from './log-columns.js';
import { AUDIT_ACTIONS, AUDIT_CATEGORIES, auditActionsIn, type AuditCategory } from '../../../shared/audit-actions.js';
import { formatZone } from '../../format/date-time.js';
import { ExportButton } from '../../components/export-button.js';
import { DayInput } from '../../components/day-input.js';
import type { Noun } from '../../format/count.js';
import type { ExportFormat } from '../../../shared/exports.js';
import {
  auditFilters,
  loginFilters,
  LOG_PAGE_SIZES,
  openTab,
  readLogParams,
  writeLogParams,
  type LogParams,
  type LogTab,
} from './log-params.js';

/** The Logs page (product.md §1 "Logs"): System Events and Login History. */
export function LogsPage() {
  useDocumentTitle('Logs · Latchkey');
  const me = useSignedInMe();
  if (!can(me, 'event_logs:view')) {
    return (
      <NoPermissionPage
        myAccountPath={`/users/${me.user.id}`}
        message="Only accounts whose security group may view Event Logs can see the Logs."
      />
    );
  }
  return <Logs />;
}

function Logs() {
  const { params, update } = useListParams(readLogParams, writeLogParams);
  const switchTab = (tab: LogTab) => update(openTab(tab));

  return (
    <Stack gap="md">
      <Title order={1} size="h2">
        Logs
      </Title>
      <Tabs value={params.tab} onChange={(value) => value && switchTab(value as LogTab)} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="events">System Events</Tabs.Tab>
          <Tabs.Tab value="logins">Login History</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="events" pt="md">
          <SystemEvents params={params} update={update} />
        </Tabs.Panel>
        <Tabs.Panel value="logins" pt="md">
          <LoginHistory params={params} update={update} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

interface TabProps {
  params: LogParams;
  update: (changes: Partial<LogParams>) => void;
}

/** A text filter that waits until typing pauses before it changes the address (and so the query). */
function FilterText({
  label,
  value,
  onCommit,
  placeholder,
}: {
  label: string;
  value: string;
  onCommit: (value: string) => void;
  placeholder?: string;
}) {
  const [text, setText] = useDebouncedText(value, onCommit);
  return (
    <TextInput
      label={label}
      placeholder={placeholder}
      leftSection={<IconSearch />}
      value={text}
      onChange={(event) => setText(event.currentTarget.value)}
      w={240}
      type="search"
      autoComplete="off"
      spellCheck={false}
    />
  );
}

/** A To date before the From date: said on the field, and nothing is asked of the server. */
const reversedDates = (p: LogParams) => p.fromDate !== '' && p.toDate !== '' && p.toDate < p.fromDate;

/** From and To: days in the viewer's Date Format, each the whole day in the browser's time zone (log-params.ts). */
function DateFilters({ params, update }: TabProps) {
  const me = useSignedInMe();
  return (
    <>
      <DayInput
        label="From"
        value={params.fromDate}
        maxDate={params.toDate}
        onChange={(fromDate) => update({ fromDate, cursor: undefined })}
        dateFormat={me.user.dateFormat}
        w={170}
      />
      <DayInput
        label="To"
        value={params.toDate}
        minDate={params.fromDate}
        onChange={(toDate) => update({ toDate, cursor: undefined })}
        dateFormat={me.user.dateFormat}
        error={reversedDates(params) ? 'Must not be before From.' : undefined}
        w={170}
      />
    </>
  );
}

/**
 * A page link the server refuses (an old or edited cursor in the address) goes back to the first
 * page, saying why, instead of leaving an error where the list should be.
 */
function useFirstPageWhenCursorRefused(error: unknown, cursor: string | undefined, update: TabProps['update']) {
  useEffect(() => {
    if (cursor && error instanceof ApiError && error.status === 400 && error.fields.cursor) {
      notifications.show({ color: 'yellow', message: error.fields.cursor });
      update({ cursor: undefined });
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- reacts to a new error only.
  }, [error]);
}

function Toolbar({
  label,
  filters,
  canExport,
  exporting,
  onExport,
  refreshing,
  onRefresh,
}: {
  label: string;
  filters: ReactNode;
  canExport: boolean;
  exporting: boolean;
  onExport: (format: ExportFormat) => void;
  refreshing: boolean;
  onRefresh: () => void;
}) {
  return (
    <Group justify="space-between" align="flex-end" gap="sm" role="toolbar" aria-label={label}>
      <Group gap="sm" align="flex-end">
        {filters}
      </Group>
      <Group gap="sm">
        {canExport && <ExportButton exporting={exporting} onExport={onExport} />}
        <Button variant="default" leftSection={<IconRefresh />} onClick={onRefresh} loading={refreshing}>
          Refresh
        </Button>
      </Group>
    </Group>
  );
}

/** How the email filters match, said once above the table. */
function FilterHint() {
  return (
    <Text size="sm" c="dimmed">
      Email filters match the whole address, in any letter case. Newest first; dates and times in your time zone (
      {formatZone(new Date())}).
    </Text>
  );
}

/**
 * One log's tab: its filters, the table of one page, the footer, Export and Refresh. The two
 * logs differ only in what they fetch, show and filter by.
 */
function LogList<Page extends PageInfo, Row>({
  params,
  update,
  label,
  noun,
  queryKey,
  fetchPage,
  rowsOf,
  columns,
  rowId,
  exportFile,
  filters,
  filterKeys,
  emptyMessages,
}: TabProps & {
  /** Names the toolbar and the table ("System events"). */
  label: string;
  /** What the footer counts. */
  noun: Noun;
  queryKey: readonly unknown[];
  fetchPage: (signal: AbortSignal) => Promise<Page>;
  rowsOf: (page: Page) => Row[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- columns hold values of different types; TanStack's helper types them each.
  columns: ColumnDef<Row, any>[];
  rowId: (row: Row) => string;
  exportFile: (format: ExportFormat) => Promise<{ blob: Blob; filename: string }>;
  filters: ReactNode;
  /** The parameters that filter this log: with any of them set, an empty page says "match". */
  filterKeys: (keyof LogParams)[];
  emptyMessages: { filtered: string; unfiltered: string };
}) {
  const me = useSignedInMe();
  const queryClient = useQueryClient();
  // Reversed dates ask nothing of the server (the field says why): the table must not wait for an answer.
  const datesReversed = reversedDates(params);
  const list = useQuery({
    queryKey,
    queryFn: ({ signal }) => fetchPage(signal),
    placeholderData: keepPreviousData,
    enabled: !datesReversed,
  });
  // With reversed dates the previous filters' page (kept while a new one loads) is not an answer.
  const page = datesReversed ? undefined : list.data;
  const rows = page ? rowsOf(page) : [];
  const toCursor = (cursor: string | undefined) => update({ cursor });
  useStepBackWhenEmpty(page, rows.length, toCursor);
  useFirstPageWhenCursorRefused(list.error, params.cursor, update);
  const table = useReactTable({
    data: rows,
    columns,
    getCoreRowModel: getCoreRowModel(),
    getRowId: rowId,
    manualPagination: true,
  });
  const { exporting, exportAs } = useExport(exportFile);

  if (list.isError && list.error instanceof ApiError && list.error.status === 403) {
    return <NoPermissionPage myAccountPath={`/users/${me.user.id}`} message={list.error.message} />;
  }
  const filtered = filterKeys.some((key) => params[key] !== '');

  return (
    <Stack gap="md">
      <Toolbar
        label={label}
        canExport={can(me, 'event_logs:export')}
        exporting={exporting}
        onExport={exportAs}
        refreshing={list.isFetching && !list.isPending}
        onRefresh={() => void queryClient.invalidateQueries({ queryKey: queryKeys.logs })}
        filters={
          <>
            {filters}
            <DateFilters params={params} update={update} />
          </>
        }
      />
      <FilterHint />
      <DataTable
        table={table}
        label={label}
        loadingText="Loading…"
        loading={list.isPending && !datesReversed}
        fetching={list.isFetching}
        error={list.isError ? list.error : null}
        onRetry={() => void list.refetch()}
        emptyMessage={
          datesReversed
            ? 'Pick a To date on or after the From date.'
            : filtered
              ? emptyMessages.filtered
              : emptyMessages.unfiltered
        }
        minWidth={1100}
      />
      <CursorTableFooter
        page={page}
        rowCount={rows.length}
        pageSize={params.pageSize}
        pageSizes={LOG_PAGE_SIZES}
        noun={noun}
        onCursor={toCursor}
        onPageSize={(pageSize) => update({ pageSize, cursor: undefined })}
      />
    </Stack>
  );
}

function SystemEvents({ params, update }: TabProps) {
  const me = useSignedInMe();
  const filters = auditFilters(params);
  const columns = useMemo(() => auditColumns(me.user), [me.user]);
  return (
    <LogList
      params={params}
      update={update}
      label="System events"
      noun={['event', 'events']}
      queryKey={queryKeys.auditEvents(filters)}
      fetchPage={(signal) => listAuditEvents(filters, signal)}
      rowsOf={(page) => page.events}
      columns={columns}
      rowId={(event) => String(event.id)}
      exportFile={(format) => exportAuditEvents(filters, format)}
      filterKeys={['actor', 'target', 'category', 'action', 'fromDate', 'toDate']}
      emptyMessages={{ filtered: 'No events match these filters.', unfiltered: 'No events have been recorded yet.' }}
      filters={
        <>
          <FilterText
            label="Actor email"
            placeholder="Whole address"
            value={params.actor}
            onCommit={(actor) => update({ actor, cursor: undefined })}
          />
          <FilterText
            label="Target email"
            placeholder="Whole address"
            value={params.target}
            onCommit={(target) => update({ target, cursor: undefined })}
          />
          <Select
            label="Category"
            data={[
              { value: '', label: 'Any' },
              ...Object.entries(AUDIT_CATEGORIES).map(([value, label]) => ({ value, label })),
            ]}
            value={params.category}
            onChange={(category) =>
              update({
                category: category ?? '',
                // An action of another category would match nothing: it goes.
                action: category && params.action && !actionsOf(category).includes(params.action) ? '' : params.action,
                cursor: undefined,
              })
            }
            allowDeselect={false}
            w={190}
            comboboxProps={{ withinPortal: true }}
          />
          <Select
            label="Action"
            data={[{ value: '', label: 'Any' }, ...actionOptions(params.category)]}
            value={params.action}
            onChange={(action) => update({ action: action ?? '', cursor: undefined })}
            allowDeselect={false}
            searchable
            w={260}
            comboboxProps={{ withinPortal: true }}
          />
        </>
      }
    />
  );
}

const actionsOf = (category: string): string[] =>
  category in AUDIT_CATEGORIES ? auditActionsIn(category as AuditCategory) : [];

/** The actions a person can pick: those of the chosen category, or all of them grouped by category. */
function actionOptions(category: string) {
  const option = (action: string) => ({
    value: action,
    label: AUDIT_ACTIONS[action as keyof typeof AUDIT_ACTIONS].label,
  });
  if (category) return actionsOf(category).map(option);
  return Object.entries(AUDIT_CATEGORIES).map(([id, group]) => ({
    group,
    items: actionsOf(id).map(option),
  }));
}

function LoginHistory({ params, update }: TabProps) {
  const me = useSignedInMe();
  const filters = loginFilters(params);
  const columns = useMemo(() => loginColumns(me.user), [me.user]);
  return (
    <LogList
      params={params}
      update={update}
      label="Login history"
      noun={['sign-in attempt', 'sign-in attempts']}
      queryKey={queryKeys.loginAttempts(filters)}
      fetchPage={(signal) => listLoginAttempts(filters, signal)}
      rowsOf={(page) => page.attempts}
      columns={columns}
      rowId={(attempt) => String(attempt.id)}
      exportFile={(format) => exportLoginAttempts(filters, format)}
      filterKeys={['email', 'result', 'fromDate', 'toDate']}
      emptyMessages={{ filtered: 'No sign-in attempts match these filters.', unfiltered: 'No sign-in attempts yet.' }}
      filters={
        <>
          <FilterText
            label="Email"
            placeholder="Whole address"
            value={params.email}
            onCommit={(email) => update({ email, cursor: undefined })}
          />
          <Select
            label="Result"
            data={[
              { value: '', label: 'Any' },
              { value: 'success', label: 'Success' },
              { value: 'failure', label: 'Failure' },
            ]}
            value={params.result}
            onChange={(result) => update({ result: result ?? '', cursor: undefined })}
            allowDeselect={false}
            w={140}
            comboboxProps={{ withinPortal: true }}
          />
        </>
      }
    />
  );
}

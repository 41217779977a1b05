import { Button, Checkbox, Group, MultiSelect, Stack, Text, TextInput, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { getCoreRowModel, useReactTable } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import { TASK_STATUSES, TASK_STATUS_LABELS } from '../../../shared/task-status.js';
import { describeCount, type Noun } from '../../format/count.js';
import { ApiError } from '../../api/client.js';
import { queryKeys } from '../../api/query-keys.js';
import { exportTasks, listTasks } from '../../api/tasks.js';
import { can } from '../../auth/abilities.js';
import { useSignedInMe } from '../../auth/use-me.js';
import { DataTable } from '../../components/data-table.js';
import { IconPlus, IconRefresh, IconSearch } from '../../components/icons.js';
import { NoPermissionPage } from '../../components/notice-page.js';
import { useExport, useSortedCursorList, useStepBackWhenEmpty } from '../../components/use-paged-list.js';
import { CursorTableFooter } from '../../components/cursor-table-footer.js';
import { PAGE_SIZES, readListParams, writeListParams } from './list-params.js';
import { TaskFormModal } from './task-form-modal.js';
import { taskColumns } from './task-columns.js';
import { ExportButton } from '../../components/export-button.js';

const TASK: Noun = ['task', 'tasks'];

/** The Tasks list (product.md §Platform data). */
export function TasksPage() {
  useDocumentTitle('Tasks · Latchkey');
  const me = useSignedInMe();
  if (!can(me, 'tasks:view')) {
    return (
      <NoPermissionPage
        myAccountPath={`/users/${me.user.id}`}
        message="Only accounts whose security group may view Tasks can see the task list."
      />
    );
  }
  return <TaskList />;
}

function TaskList() {
  const me = useSignedInMe();
  const queryClient = useQueryClient();
  const { params, update, sortBy, searchText, setSearchText } = useSortedCursorList(readListParams, writeListParams);
  const [newOpen, setNewOpen] = useState(false);

  const list = useQuery({
    queryKey: queryKeys.taskList(params),
    queryFn: ({ signal }) => listTasks(params, signal),
    placeholderData: keepPreviousData,
  });
  const linkRecords = can(me, 'records:view');
  const columns = useMemo(() => taskColumns({ prefs: me.user, linkRecords }), [me.user, linkRecords]);
  const table = useReactTable({
    data: list.data?.tasks ?? [],
    columns,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (task) => task.id,
    manualPagination: true,
    manualSorting: true,
  });

  const showCursor = (cursor: string | undefined) => update({ cursor });
  // After a delete the page shown may be empty while tasks remain before it: show the one before.
  useStepBackWhenEmpty(list.data, list.data?.tasks.length ?? 0, showCursor);
  const { exporting, exportAs } = useExport((format) => exportTasks(params, format));

  if (list.isError && list.error instanceof ApiError && list.error.status === 403) {
    return <NoPermissionPage myAccountPath={`/users/${me.user.id}`} message={list.error.message} />;
  }

  const total = list.data?.total;
  const filtered = params.search !== '' || params.status.length > 0 || params.mine;

  return (
    <Stack gap="md">
      <div>
        <Title order={1} size="h2">
          Tasks
        </Title>
        <Text size="sm" c="dimmed" role="status">
          {total ? describeCount(total, TASK) : 'Loading tasks…'}
        </Text>
      </div>

      <Group justify="space-between" align="flex-end" gap="sm" role="toolbar" aria-label="Tasks">
        <Group gap="sm" align="flex-end">
          {can(me, 'tasks:create') && (
            <Button leftSection={<IconPlus />} onClick={() => setNewOpen(true)}>
              New Task
            </Button>
          )}
          <TextInput
            label="Search tasks"
            placeholder="Any part of the title"
            leftSection={<IconSearch />}
            value={searchText}
            onChange={(event) => setSearchText(event.currentTarget.value)}
            w={220}
            type="search"
          />
          <MultiSelect
            label="Status"
            placeholder={params.status.length === 0 ? 'Any status' : undefined}
            data={TASK_STATUSES.map((status) => ({ value: status, label: TASK_STATUS_LABELS[status] }))}
            value={params.status}
            onChange={(value) => update({ status: value, cursor: undefined })}
            clearable
            w={220}
            comboboxProps={{ withinPortal: true }}
          />
          <Checkbox
            label="Assigned to me"
            checked={params.mine}
            onChange={(event) => update({ mine: event.currentTarget.checked, cursor: undefined })}
            mb={8}
          />
        </Group>
        <Group gap="sm">
          {can(me, 'tasks:export') && <ExportButton exporting={exporting} onExport={exportAs} />}
          <Button
            variant="default"
            leftSection={<IconRefresh />}
            onClick={() => void queryClient.invalidateQueries({ queryKey: queryKeys.tasks })}
            loading={list.isFetching && !list.isPending}
          >
            Refresh
          </Button>
        </Group>
      </Group>

      <DataTable
        table={table}
        label="Tasks"
        minWidth={900}
        loading={list.isPending}
        fetching={list.isFetching}
        error={list.isError ? list.error : null}
        onRetry={() => void list.refetch()}
        loadingText="Loading tasks…"
        emptyMessage={filtered ? 'No tasks match these filters.' : 'There are no tasks yet.'}
        sorting={{ sort: params.sort, order: params.order, onSort: sortBy }}
        horizontalSpacing="xs"
      />
      <CursorTableFooter
        page={list.data}
        rowCount={list.data?.tasks.length ?? 0}
        pageSize={params.pageSize}
        pageSizes={PAGE_SIZES}
        noun={TASK}
        onCursor={showCursor}
        onPageSize={(pageSize) => update({ pageSize, cursor: undefined })}
      />
      <TaskFormModal opened={newOpen} onClose={() => setNewOpen(false)} />
    </Stack>
  );
}

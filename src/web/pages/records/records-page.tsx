import { Button, Group, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { IMPORT_MODES } from '../../../shared/schemas/records.js';
import { describeCount, type Noun } from '../../format/count.js';
import { ApiError } from '../../api/client.js';
import { queryKeys } from '../../api/query-keys.js';
import { exportRecords, listRecords, listRecordTypes } from '../../api/records.js';
import { can } from '../../auth/abilities.js';
import { useSignedInMe } from '../../auth/use-me.js';
import { IconPlus, IconRefresh, IconSearch, IconTrash } from '../../components/icons.js';
import { NoPermissionPage } from '../../components/notice-page.js';
import { useExport, useSortedCursorList, useStepBackWhenEmpty } from '../../components/use-paged-list.js';
import { CursorTableFooter } from '../../components/cursor-table-footer.js';
import { DeleteRecordsModal } from './delete-records-modal.js';
import { ImportModal } from './import-modal.js';
import { PAGE_SIZES, readListParams, writeListParams } from './list-params.js';
import { NewRecordModal } from './new-record-modal.js';
import { NewTypeModal } from './new-type-modal.js';
import { RecordsTable } from './records-table.js';
import { ExportButton } from '../../components/export-button.js';

const RECORD: Noun = ['record', 'records'];

/** The Type filter's "no filter" choice (a select's value cannot be empty). */
const ALL_TYPES = 'all';

/** The Records list (product.md §Platform data). */
export function RecordsPage() {
  useDocumentTitle('Records · Latchkey');
  const me = useSignedInMe();
  if (!can(me, 'records:view')) {
    return (
      <NoPermissionPage
        myAccountPath={`/users/${me.user.id}`}
        message="Only accounts whose security group may view data records can see the Records list."
      />
    );
  }
  return <Records />;
}

function Records() {
  const me = useSignedInMe();
  const queryClient = useQueryClient();
  const { params, update, key, sortBy, searchText, setSearchText } = useSortedCursorList(
    readListParams,
    writeListParams,
  );
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [dialog, setDialog] = useState<'new' | 'type' | 'import' | 'delete' | null>(null);

  const list = useQuery({
    queryKey: queryKeys.recordList(params),
    queryFn: ({ signal }) => listRecords(params, signal),
    placeholderData: keepPreviousData,
  });
  const types = useQuery({ queryKey: queryKeys.recordTypes, queryFn: ({ signal }) => listRecordTypes(signal) });

  // Only rows on the page shown can be deleted (never one hidden by a filter or on another page).
  const records = list.data?.records ?? [];
  const selectedRecords = records.filter((record) => selected.has(record.id));
  useEffect(() => setSelected(new Set()), [key]);

  const showCursor = (cursor: string | undefined) => update({ cursor });
  // After a delete the page shown may be empty while records remain before it: show the one before.
  useStepBackWhenEmpty(list.data, records.length, showCursor);
  const { exporting, exportAs } = useExport((format) => exportRecords(params, format));

  if (list.isError && list.error instanceof ApiError && list.error.status === 403) {
    return <NoPermissionPage myAccountPath={`/users/${me.user.id}`} message={list.error.message} />;
  }

  const canDelete = can(me, 'records:delete');
  // The import modes the server accepts from this account (the list's can.import).
  const importModes = IMPORT_MODES.filter((mode) => list.data?.can.import[mode].allowed ?? mode === 'add');
  const total = list.data?.total;
  const typeName = types.data?.find((type) => type.id === params.typeId)?.name;
  const filtered = params.search !== '' || params.typeId !== '';

  return (
    <Stack gap="md">
      <div>
        <Title order={1} size="h2">
          Records
        </Title>
        <Text size="sm" c="dimmed" role="status">
          {list.data
            ? `${describeCount(total!, RECORD)}${typeName ? ` of type ${typeName}` : ''}${params.search ? ` matching “${params.search}”` : ''}`
            : 'Loading records…'}
        </Text>
      </div>

      <Group justify="space-between" align="flex-end" gap="sm" role="toolbar" aria-label="Records">
        <Group gap="sm" align="flex-end">
          {can(me, 'records:create') && (
            <Button leftSection={<IconPlus />} onClick={() => setDialog('new')} disabled={!types.data}>
              New Record
            </Button>
          )}
          {canDelete && (
            <Button
              variant="light"
              color="red"
              leftSection={<IconTrash />}
              disabled={selectedRecords.length === 0}
              onClick={() => setDialog('delete')}
            >
              {selectedRecords.length > 0 ? `Delete selected (${selectedRecords.length})` : 'Delete selected'}
            </Button>
          )}
          <TextInput
            label="Search records"
            placeholder="Start of the name"
            leftSection={<IconSearch />}
            value={searchText}
            onChange={(event) => setSearchText(event.currentTarget.value)}
            w={240}
            type="search"
          />
          <Select
            label="Type"
            data={[
              { value: ALL_TYPES, label: 'All types' },
              ...(types.data ?? []).map((type) => ({ value: type.id, label: `${type.name} (${type.recordCount})` })),
            ]}
            value={params.typeId || ALL_TYPES}
            onChange={(value) => update({ typeId: value && value !== ALL_TYPES ? value : '', cursor: undefined })}
            allowDeselect={false}
            w={200}
            comboboxProps={{ withinPortal: true }}
          />
        </Group>
        <Group gap="sm">
          {can(me, 'administration:manage_record_types') && (
            <Button variant="default" leftSection={<IconPlus />} onClick={() => setDialog('type')}>
              New Type
            </Button>
          )}
          {can(me, 'records:import') && (
            <Button variant="default" onClick={() => setDialog('import')}>
              Import CSV
            </Button>
          )}
          {can(me, 'records:export') && <ExportButton exporting={exporting} onExport={exportAs} />}
          <Button
            variant="default"
            leftSection={<IconRefresh />}
            onClick={() => {
              void queryClient.invalidateQueries({ queryKey: queryKeys.records });
              void queryClient.invalidateQueries({ queryKey: queryKeys.recordTypes });
            }}
            loading={list.isFetching && !list.isPending}
          >
            Refresh
          </Button>
        </Group>
      </Group>

      <RecordsTable
        records={records}
        prefs={me.user}
        loading={list.isPending}
        fetching={list.isFetching}
        error={list.isError ? list.error : null}
        onRetry={() => void list.refetch()}
        emptyMessage={
          filtered
            ? 'No records match. Search matches the start of a record’s name.'
            : can(me, 'records:create')
              ? 'There are no records yet. Create one with New Record, or import a CSV file.'
              : 'There are no records yet.'
        }
        sort={params.sort}
        order={params.order}
        onSort={sortBy}
        selectable={canDelete}
        selected={selected}
        onSelectedChange={setSelected}
      />
      <CursorTableFooter
        page={list.data}
        rowCount={records.length}
        pageSize={params.pageSize}
        pageSizes={PAGE_SIZES}
        noun={RECORD}
        onCursor={showCursor}
        onPageSize={(pageSize) => update({ pageSize, cursor: undefined })}
      />

      <NewRecordModal opened={dialog === 'new'} onClose={() => setDialog(null)} types={types.data ?? []} />
      <NewTypeModal opened={dialog === 'type'} onClose={() => setDialog(null)} />
      <ImportModal opened={dialog === 'import'} onClose={() => setDialog(null)} modes={importModes} />
      <DeleteRecordsModal
        opened={dialog === 'delete'}
        records={selectedRecords}
        onClose={() => setDialog(null)}
        onDeleted={() => {
          setDialog(null);
          setSelected(new Set());
        }}
      />
    </Stack>
  );
}

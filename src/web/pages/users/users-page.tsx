import { Button, Group, Stack, Text, Title } from '@mantine/core';
import { useDocumentTitle, useLocalStorage } from '@mantine/hooks';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { getCoreRowModel, useReactTable, type RowSelectionState, type VisibilityState } from '@tanstack/react-table';
import { lazy, Suspense, useEffect, useMemo, useState, type ComponentProps } from 'react';
import { ApiError } from '../../api/client.js';
import { queryKeys } from '../../api/query-keys.js';
import { exportUsers, listSecurityGroups, listUsers, type UserListParams } from '../../api/users.js';
import { can } from '../../auth/abilities.js';
import { useSignedInMe } from '../../auth/use-me.js';
import { IconPlus, IconRefresh, IconSearch, IconTrash } from '../../components/icons.js';
import { DataTable } from '../../components/data-table.js';
import { useDeferredOverlays } from '../../components/deferred-overlays.js';
import { DeferredSelect } from '../../components/deferred-select.js';
import { NoPermissionPage } from '../../components/notice-page.js';
import { PlainTextInput } from '../../components/plain-text-input.js';
import { useExport, useSortedCursorList, useStepBackWhenEmpty } from '../../components/use-paged-list.js';
import { ColumnVisibilityMenu } from './column-visibility.js';
import { BulkActionBar } from './bulk-action-bar.js';
import type { BulkAction } from './bulk-action-dialog.js';
import { PAGE_SIZES, readListParams, writeListParams } from '../../../shared/user-list-address.js';
import { userColumns } from './user-columns.js';
import { forgetStartList, refetchListOnMount } from './prefetch.js';
import { CursorTableFooter } from '../../components/cursor-table-footer.js';
import { SUBSTRING_SEARCH_MIN_LENGTH } from '../../../shared/user-list.js';
import { ExportButton } from '../../components/export-button.js';
import { describeCount } from '../../format/count.js';
import { withLaterStyles } from '../../styles/with-later-styles.js';

// The dialogs (and the dialog component itself) are fetched the first time one opens, not before
// the list can show: New User's form (number and password inputs, the groups and timeout lookups),
// Delete User, the bulk actions'. Once loaded each renders closed, then open: a dialog notes what
// had focus (to give it back on close) only on a change from closed to open.
const NewUserModal = lazy(() =>
  withLaterStyles(import('./new-user-modal.js')).then(({ NewUserModal: Modal }) => ({
    default: function NewUserModalOnceMounted({ opened, onClose }: ComponentProps<typeof Modal>) {
      return <Modal opened={useMounted() && opened} onClose={onClose} />;
    },
  })),
);
const DeleteUserModal = lazy(() =>
  withLaterStyles(import('./delete-user-modal.js')).then(({ DeleteUserModal: Modal }) => ({
    default: function DeleteUserModalOnceMounted(props: ComponentProps<typeof Modal>) {
      return <Modal {...props} opened={useMounted() && props.opened} />;
    },
  })),
);
const BulkActionDialog = lazy(() =>
  withLaterStyles(import('./bulk-action-dialog.js')).then(({ BulkActionDialog: Dialog }) => ({
    default: function BulkActionDialogOnceMounted(props: ComponentProps<typeof Dialog>) {
      return <Dialog {...props} action={useMounted() ? props.action : null} />;
    },
  })),
);

/**
 * False on the first render, true after. (Not Mantine's useMounted: as a module of its own that several
 * chunks share, it became a tiny chunk of its own, one more request before the list could show.)
 */
function useMounted(): boolean {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  return mounted;
}

/** True from the first render in which `condition` holds on: a dialog stays mounted once opened, for its closing transition. */
function useOnceTrue(condition: boolean): boolean {
  const [once, setOnce] = useState(condition);
  if (condition && !once) setOnce(true);
  return once || condition;
}

/**
 * Hidden until shown from the Columns menu, so the list fits a 1366-pixel screen. A choice made in
 * the menu is kept on this device and wins over these.
 */
const DEFAULT_HIDDEN_COLUMNS: VisibilityState = {
  title: false,
  telephone: false,
  functionalGroup: false,
  sessionTimeoutMinutes: false,
};

// The CSV import dialog (its preview table and the import's form), fetched the first time it opens.
const ImportUsersModal = lazy(() =>
  withLaterStyles(import('./import-users-modal.js')).then(({ ImportUsersModal: Modal }) => ({ default: Modal })),
);

const ACCOUNT = ['account', 'accounts'] as const;

/** The MFA filter: which accounts have multi-factor authentication, which must still enroll. */
const MFA_FILTER_OPTIONS = [
  { value: '', label: 'Any' },
  { value: 'on', label: 'On' },
  { value: 'pending', label: 'Pending' },
  { value: 'off', label: 'Off' },
];
const STATUS_FILTER_OPTIONS = [
  { value: '', label: 'Any' },
  { value: 'enabled', label: 'Enabled' },
  { value: 'disabled', label: 'Disabled' },
];
const MUST_CHANGE_PASSWORD_FILTER_OPTIONS = [
  { value: '', label: 'Any' },
  { value: 'yes', label: 'Yes' },
  { value: 'no', label: 'No' },
];
const USER_TYPE_FILTER_OPTIONS = [
  { value: '', label: 'Any' },
  { value: 'native', label: 'Native' },
  { value: 'sso', label: 'SSO' },
];

/** "No accounts match …", saying what a search matches (a short one: only the start of a word). */
function emptyMessage(params: UserListParams, filtered: boolean): string {
  const search = params.search.trim();
  if (search) {
    const how =
      [...search].length < SUBSTRING_SEARCH_MIN_LENGTH
        ? `Searches shorter than ${SUBSTRING_SEARCH_MIN_LENGTH} characters match only the start of an email, first name or last name; type more to match anywhere in them.`
        : 'Search matches anywhere in an email or name.';
    return `No accounts match “${search}”${filtered ? ' with these filters' : ''}. ${how}`;
  }
  return filtered ? 'No accounts match these filters.' : 'There are no accounts yet.';
}

/** The User Accounts list (product.md §1 "Users"). */

export function UsersPage() {
  useDocumentTitle('User Accounts · Latchkey');
  const me = useSignedInMe();
  if (!can(me, 'users_groups:view')) {
    return (
      <NoPermissionPage
        myAccountPath={`/users/${me.user.id}`}
        message="Only accounts whose security group may view Users & Groups can see the User Accounts list. Your own account is under My Account."
      />
    );
  }
  return <UserAccounts />;
}

/**
 * Delete User: unavailable rather than disabled while it may not be used, so it stays focusable and
 * its tooltip can say why. The tooltip's code comes with the other overlays
 * (components/deferred-overlays.tsx); until then the button shows alone.
 */
function DeleteUserButton({ refusal, onDelete }: { refusal: string | null; onDelete: () => void }) {
  const { overlays, standIn, controlRef } = useDeferredOverlays<HTMLButtonElement>();
  const button = (
    <Button
      variant="light"
      color="red"
      leftSection={<IconTrash />}
      data-disabled={refusal ? true : undefined}
      aria-disabled={refusal ? true : undefined}
      {...(overlays ? { ref: controlRef } : standIn)}
      onClick={(event) => {
        if (refusal) event.preventDefault();
        else onDelete();
      }}
    >
      Delete User
    </Button>
  );
  if (!overlays) return button;
  return (
    <overlays.Tooltip label={refusal} disabled={!refusal} events={{ hover: true, focus: true, touch: true }}>
      {button}
    </overlays.Tooltip>
  );
}

function UserAccounts() {
  const me = useSignedInMe();
  const queryClient = useQueryClient();
  const { params, update, sortBy, searchText, setSearchText } = useSortedCursorList(readListParams, writeListParams);
  // The checked rows (by account ID); only those on the page shown are acted on.
  const [rowSelection, setRowSelection] = useState<RowSelectionState>({});
  const [bulkAction, setBulkAction] = useState<BulkAction | null>(null);
  const [newUserOpen, setNewUserOpen] = useState(false);
  // Mounted from its first opening on, so closing it keeps its closing transition.
  const [newUserUsed, setNewUserUsed] = useState(false);
  const [importOpen, setImportOpen] = useState(false);
  const [deleteOpen, setDeleteOpen] = useState(false);
  const deleteUsed = useOnceTrue(deleteOpen);
  const bulkUsed = useOnceTrue(bulkAction !== null);
  const [columnVisibility, setColumnVisibility] = useLocalStorage<VisibilityState>({
    key: 'latchkey.userColumns',
    defaultValue: {},
  });

  const groups = useQuery({ queryKey: queryKeys.securityGroups, queryFn: ({ signal }) => listSecurityGroups(signal) });
  const list = useQuery({
    queryKey: queryKeys.userList(params),
    queryFn: ({ signal }) => listUsers(params, signal),
    placeholderData: keepPreviousData,
    refetchOnMount: refetchListOnMount,
  });
  // After the query's subscription (effects run in order): only the first mount skips the refetch.
  useEffect(forgetStartList, []);

  // Only rows on the page shown are acted on (never one hidden by a search or another page).
  const selectedUsers = useMemo(
    () => (list.data?.users ?? []).filter((user) => rowSelection[user.id]),
    [list.data, rowSelection],
  );
  const selectedIds = useMemo(() => new Set(selectedUsers.map((user) => user.id)), [selectedUsers]);
  // One selected: Delete User is the single delete, whose `can` says whether and why not. Several:
  // the bulk delete, whose refusals the server lists in its dialog.
  const selected = selectedUsers.length === 1 ? selectedUsers[0]! : null;
  const deleteRefusal =
    selectedUsers.length === 0
      ? 'Select a user in the list first.'
      : selected && !selected.can.delete.allowed
        ? selected.can.delete.message
        : null;

  const columns = useMemo(() => userColumns({ prefs: me.user }), [me.user]);
  const table = useReactTable({
    data: list.data?.users ?? [],
    columns,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (user) => user.id,
    manualPagination: true,
    manualSorting: true,
    state: { columnVisibility: { ...DEFAULT_HIDDEN_COLUMNS, ...columnVisibility }, rowSelection },
    onColumnVisibilityChange: setColumnVisibility,
    enableRowSelection: true,
    onRowSelectionChange: setRowSelection,
  });

  // After a delete the page shown may be empty although accounts remain before it: step back.
  useStepBackWhenEmpty(list.data, list.data?.users.length ?? 0, (cursor) => update({ cursor }));
  const { exporting, exportAs } = useExport((format) => exportUsers(params, format));
  /** A filter changed: its first page (a cursor belongs to the filters it was made with). */
  const filterBy = (changes: Partial<UserListParams>) => update({ ...changes, cursor: undefined });
  const filtered = Boolean(
    params.securityGroupId || params.accountStatus || params.userType || params.mfa || params.mustChangePassword,
  );

  if (list.isError && list.error instanceof ApiError && list.error.status === 403) {
    return <NoPermissionPage myAccountPath={`/users/${me.user.id}`} message={list.error.message} />;
  }

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={1} size="h2">
            User Accounts
          </Title>
          <Text size="sm" c="dimmed" role="status">
            {list.data
              ? `${describeCount(list.data.total, ACCOUNT)}${params.search ? ` matching “${params.search}”` : ''}`
              : 'Loading accounts…'}
          </Text>
        </div>
      </Group>

      <Group justify="space-between" align="flex-end" gap="sm" role="toolbar" aria-label="User accounts">
        <Group gap="sm" align="flex-end">
          {can(me, 'users_groups:create') && (
            <Button
              leftSection={<IconPlus />}
              onClick={() => {
                setNewUserUsed(true);
                setNewUserOpen(true);
              }}
            >
              New User
            </Button>
          )}
          {can(me, 'users_groups:create') && (
            <Button variant="default" onClick={() => setImportOpen(true)}>
              Import CSV
            </Button>
          )}
          {can(me, 'users_groups:delete') && (
            <DeleteUserButton
              refusal={deleteRefusal}
              onDelete={() => {
                if (selected) setDeleteOpen(true);
                else setBulkAction('delete');
              }}
            />
          )}
          {/* Mantine's TextInput markup, without the component's cost in the list's first render. */}
          <PlainTextInput
            label="Search users"
            placeholder="Email, first or last name"
            leftSection={<IconSearch />}
            value={searchText}
            onChange={(event) => setSearchText(event.currentTarget.value)}
            // With the buttons, one line at 1366 pixels (a classic scroll bar included).
            w={240}
            type="search"
          />
        </Group>
        <Group gap="sm">
          {can(me, 'users_groups:export') && <ExportButton exporting={exporting} onExport={exportAs} />}
          <Button
            variant="default"
            leftSection={<IconRefresh />}
            onClick={() => void queryClient.invalidateQueries({ queryKey: queryKeys.users })}
            loading={list.isFetching && !list.isPending}
          >
            Refresh
          </Button>
          <ColumnVisibilityMenu table={table} />
        </Group>
      </Group>

      <Group gap="sm" align="flex-end" role="group" aria-label="Filters">
        <DeferredSelect
          label="Security Group"
          data={[
            { value: '', label: 'Any' },
            ...(groups.data ?? []).map((group) => ({ value: group.id, label: group.name })),
          ]}
          value={params.securityGroupId}
          onChange={(value) => filterBy({ securityGroupId: value ?? '' })}
          allowDeselect={false}
          searchable
          w={220}
        />
        <DeferredSelect
          label="Account Status"
          data={STATUS_FILTER_OPTIONS}
          value={params.accountStatus}
          onChange={(value) => filterBy({ accountStatus: (value ?? '') as UserListParams['accountStatus'] })}
          allowDeselect={false}
          w={150}
        />
        <DeferredSelect
          label="User Type"
          data={USER_TYPE_FILTER_OPTIONS}
          value={params.userType}
          onChange={(value) => filterBy({ userType: (value ?? '') as UserListParams['userType'] })}
          allowDeselect={false}
          w={150}
        />
        <DeferredSelect
          label="MFA"
          data={MFA_FILTER_OPTIONS}
          value={params.mfa}
          onChange={(value) => filterBy({ mfa: (value ?? '') as UserListParams['mfa'] })}
          allowDeselect={false}
          w={150}
        />
        <DeferredSelect
          label="Must Change Password"
          data={MUST_CHANGE_PASSWORD_FILTER_OPTIONS}
          value={params.mustChangePassword}
          onChange={(value) => filterBy({ mustChangePassword: (value ?? '') as UserListParams['mustChangePassword'] })}
          allowDeselect={false}
          w={190}
        />
      </Group>

      {selectedUsers.length > 0 && (
        <BulkActionBar
          count={selectedUsers.length}
          canUpdate={can(me, 'users_groups:update')}
          canExport={can(me, 'users_groups:export')}
          onAction={setBulkAction}
          onClear={() => setRowSelection({})}
        />
      )}
      <DataTable
        table={table}
        label="User accounts"
        minWidth={1100}
        loading={list.isPending}
        fetching={list.isFetching}
        error={list.isError ? list.error : null}
        onRetry={() => void list.refetch()}
        loadingText="Loading accounts…"
        emptyMessage={emptyMessage(params, filtered)}
        sorting={{ sort: params.sort, order: params.order, onSort: sortBy }}
        wrapHeaders
        highlighted={selectedIds}
      />
      <CursorTableFooter
        page={list.data}
        rowCount={list.data?.users.length ?? 0}
        pageSize={params.pageSize}
        pageSizes={PAGE_SIZES}
        noun={ACCOUNT}
        onCursor={(cursor) => update({ cursor })}
        onPageSize={(pageSize) => update({ pageSize, cursor: undefined })}
      />

      {newUserUsed && (
        <Suspense fallback={null}>
          <NewUserModal opened={newUserOpen} onClose={() => setNewUserOpen(false)} />
        </Suspense>
      )}
      {importOpen && (
        <Suspense fallback={null}>
          <ImportUsersModal opened={importOpen} onClose={() => setImportOpen(false)} />
        </Suspense>
      )}
      {selected && deleteUsed && (
        <Suspense fallback={null}>
          <DeleteUserModal
            opened={deleteOpen}
            user={selected}
            onClose={() => setDeleteOpen(false)}
            onDeleted={() => {
              setDeleteOpen(false);
              setRowSelection({});
            }}
          />
        </Suspense>
      )}
      {bulkUsed && (
        <Suspense fallback={null}>
          <BulkActionDialog
            action={bulkAction}
            users={selectedUsers}
            onClose={() => setBulkAction(null)}
            onDone={() => {
              if (bulkAction !== 'export') setRowSelection({});
            }}
          />
        </Suspense>
      )}
    </Stack>
  );
}

import { createColumnHelper, type ColumnDef } from '@tanstack/react-table';
import type { User } from '../../../shared/schemas/users.js';
import { RowBadge } from '../../components/row-badge.js';
import { RowCheckbox } from '../../components/row-checkbox.js';
import { RowDimmedText, RowLink } from '../../components/row-text.js';
import { dateTimeParts, type DateTimePreferences } from '../../format/date-time.js';
import { ACCOUNT_STATUS_LABELS, MFA_STATUS_LABELS, USER_TYPE_LABELS } from '../../format/labels.js';

const column = createColumnHelper<User>();
const ONE_LINE = { whiteSpace: 'nowrap' } as const;

export const emailLinkId = (user: User) => `user-email-${user.id}`;

export interface UserColumnOptions {
  prefs: DateTimePreferences;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- columns hold values of different types; TanStack's helper types them each.
export function userColumns({ prefs }: UserColumnOptions): ColumnDef<User, any>[] {
  return [
    column.display({
      id: 'select',
      // Select every account on the page shown: checked when all are, mixed when some are. The
      // rows' checkbox markup (Mantine's, without the component's cost in the first render).
      header: ({ table }) => (
        <RowCheckbox
          aria-label="Select all accounts on this page"
          checked={table.getIsAllPageRowsSelected()}
          indeterminate={table.getIsSomePageRowsSelected()}
          onChange={table.getToggleAllPageRowsSelectedHandler()}
        />
      ),
      meta: { label: 'Select', alwaysVisible: true, sticky: true, width: 36 },
      cell: ({ row }) => (
        <RowCheckbox
          checked={row.getIsSelected()}
          onChange={row.getToggleSelectedHandler()}
          aria-labelledby={emailLinkId(row.original)}
        />
      ),
    }),
    column.accessor('email', {
      header: 'Email',
      meta: { sortKey: 'email', label: 'Email', alwaysVisible: true, sticky: true },
      cell: ({ row }) => (
        <RowLink to={`/users/${row.original.id}`} id={emailLinkId(row.original)}>
          {row.original.email}
        </RowLink>
      ),
    }),
    column.accessor('firstName', { header: 'First Name', meta: { sortKey: 'firstName', label: 'First Name' } }),
    column.accessor('lastName', { header: 'Last Name', meta: { sortKey: 'lastName', label: 'Last Name' } }),
    column.accessor('title', { header: 'Title', meta: { sortKey: 'title', label: 'Title' } }),
    column.accessor('telephone', { header: 'Telephone', meta: { sortKey: 'telephone', label: 'Telephone' } }),
    column.accessor((user) => user.securityGroup.name, {
      id: 'securityGroup',
      header: 'Security Group',
      meta: { sortKey: 'securityGroup', label: 'Security Group', wrap: true, minWidth: 140 },
    }),
    column.accessor('functionalGroup', {
      header: 'Functional Group',
      meta: { sortKey: 'functionalGroup', label: 'Functional Group', wrap: true, minWidth: 120 },
    }),
    column.accessor('accountStatus', {
      header: 'Account Status',
      meta: { sortKey: 'accountStatus', label: 'Account Status' },
      cell: ({ getValue }) => {
        const status = getValue<User['accountStatus']>();
        return <RowBadge color={status === 'enabled' ? 'green' : 'gray'}>{ACCOUNT_STATUS_LABELS[status]}</RowBadge>;
      },
    }),
    column.accessor('mfaStatus', {
      header: 'MFA',
      // Wide enough for the "Pending" badge, which Mantine would otherwise cut to "P…".
      meta: { label: 'MFA', minWidth: 90 },
      cell: ({ getValue }) => {
        const status = getValue<User['mfaStatus']>();
        return (
          <RowBadge color={status === 'on' ? 'green' : status === 'pending' ? 'orange' : 'gray'}>
            {MFA_STATUS_LABELS[status]}
          </RowBadge>
        );
      },
    }),
    // "User Must Change Password at Next Login" (set in New User or on Password & Security).
    column.accessor('mustChangePassword', {
      header: 'Must Change Password',
      // No minimum: the header wraps at its words, so the table keeps Last Login in view at 1366 pixels.
      meta: { label: 'Must Change Password' },
      cell: ({ getValue }) =>
        getValue<boolean>() ? <RowBadge color="orange">Yes</RowBadge> : <RowDimmedText>No</RowDimmedText>,
    }),
    column.accessor('userType', {
      header: 'User Type',
      meta: { sortKey: 'userType', label: 'User Type' },
      cell: ({ getValue }) => USER_TYPE_LABELS[getValue<User['userType']>()],
    }),
    column.accessor('lastLoginAt', {
      header: 'Last Login',
      // May break between the day and the time: how wide a time is depends on its digits and the
      // viewer's zone and formats, and the default columns must fit 1366 pixels whatever the clock says.
      meta: { sortKey: 'lastLoginAt', label: 'Last Login', wrap: true },
      cell: ({ getValue }) => {
        const parts = dateTimeParts(getValue<string | null>(), prefs);
        if (!parts) return 'Never';
        return (
          <>
            <span style={ONE_LINE}>{parts.date}</span> <span style={ONE_LINE}>{parts.time}</span>
          </>
        );
      },
    }),
    column.accessor('sessionTimeoutMinutes', {
      header: 'Timeout',
      meta: { sortKey: 'sessionTimeoutMinutes', label: 'Timeout' },
      cell: ({ getValue }) => `${getValue<number>()} min`,
    }),
  ];
}

import { Anchor, Text } from '@mantine/core';
import { createColumnHelper, type ColumnDef } from '@tanstack/react-table';
import { Link } from 'react-router';
import type { TaskSortColumn, TaskSummary } from '../../../shared/schemas/tasks.js';
import { formatCalendarDate, formatDateTime, type DateTimePreferences } from '../../format/date-time.js';
import { TaskStatusBadge } from './task-status-badge.js';

const column = createColumnHelper<TaskSummary>();

export interface TaskColumnOptions {
  prefs: DateTimePreferences;
  /** Whether the record's name links to its page (only with records:view). */
  linkRecords: boolean;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- columns hold values of different types; TanStack's helper types them each.
export function taskColumns({ prefs, linkRecords }: TaskColumnOptions): ColumnDef<TaskSummary, any>[] {
  return [
    column.accessor('title', {
      header: 'Title',
      meta: { sortKey: 'title' satisfies TaskSortColumn, wrap: true },
      cell: ({ row }) => (
        <Anchor component={Link} to={`/tasks/${row.original.id}`} fz={13} fw={500}>
          {row.original.title}
        </Anchor>
      ),
    }),
    column.accessor('status', {
      header: 'Status',
      meta: { sortKey: 'status' satisfies TaskSortColumn },
      cell: ({ row }) => <TaskStatusBadge status={row.original.status} />,
    }),
    column.accessor('assignee', {
      header: 'Assignee',
      meta: { sortKey: 'assignee' satisfies TaskSortColumn, wrap: true },
      cell: ({ row }) => {
        const assignee = row.original.assignee;
        return assignee ? (
          assignee.name || assignee.email
        ) : (
          <Text span c="dimmed" fz={13}>
            Unassigned
          </Text>
        );
      },
    }),
    column.accessor('record', {
      header: 'Record',
      meta: { wrap: true },
      cell: ({ row }) => {
        const record = row.original.record;
        if (!record) return '';
        return linkRecords ? (
          <Anchor component={Link} to={`/records/${record.id}`} fz={13}>
            {record.name}
          </Anchor>
        ) : (
          record.name
        );
      },
    }),
    column.accessor('dueDate', {
      header: 'Due date',
      meta: { sortKey: 'dueDate' satisfies TaskSortColumn },
      cell: ({ row }) => formatCalendarDate(row.original.dueDate, prefs.dateFormat, ''),
    }),
    column.accessor('updatedAt', {
      header: 'Updated',
      meta: { sortKey: 'updatedAt' satisfies TaskSortColumn },
      cell: ({ row }) => formatDateTime(row.original.updatedAt, prefs),
    }),
  ];
}

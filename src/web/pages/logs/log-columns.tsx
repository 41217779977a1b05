import { Badge, Code, Stack, Text } from '@mantine/core';
import { createColumnHelper, type ColumnDef } from '@tanstack/react-table';
import type { AuditEvent, LoginAttempt } from '../../../shared/schemas/logs.js';
import { formatDateTime, type DateTimePreferences } from '../../format/date-time.js';
import { AUDIT_ACTIONS, describeDetails, describeReason } from './log-params.js';

const audit = createColumnHelper<AuditEvent>();
const logins = createColumnHelper<LoginAttempt>();

const dash = (value: string | null | undefined) => value || '—';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- columns hold values of different types; TanStack's helper types them each.
export function auditColumns(prefs: DateTimePreferences): ColumnDef<AuditEvent, any>[] {
  return [
    audit.accessor('occurredAt', {
      header: 'Time',
      cell: (c) => formatDateTime(c.row.original.occurredAt, prefs, '—'),
    }),
    audit.accessor('actorEmail', { header: 'Actor', cell: (c) => dash(c.row.original.actorEmail) }),
    audit.accessor('actorGroup', { header: 'Actor Group', cell: (c) => dash(c.row.original.actorGroup) }),
    audit.accessor('targetEmail', { header: 'Target', cell: (c) => dash(c.row.original.targetEmail) }),
    audit.accessor('action', {
      header: 'Action',
      cell: (c) => (
        <Stack gap={0}>
          <Text size="sm" fz={13}>
            {AUDIT_ACTIONS[c.row.original.action] ?? c.row.original.action}
          </Text>
          <Code fz={11} c="dimmed" bg="transparent" p={0}>
            {c.row.original.action}
          </Code>
        </Stack>
      ),
    }),
    audit.accessor('details', {
      header: 'Changes',
      meta: { wrap: true, minWidth: 240 },
      cell: (c) => {
        const text = describeDetails(c.row.original.details);
        return (
          <Text fz={13} lineClamp={2} title={text} style={{ wordBreak: 'break-word' }}>
            {text || '—'}
          </Text>
        );
      },
    }),
    audit.accessor('ip', { header: 'IP', cell: (c) => dash(c.row.original.ip) }),
  ];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- columns hold values of different types; TanStack's helper types them each.
export function loginColumns(prefs: DateTimePreferences): ColumnDef<LoginAttempt, any>[] {
  return [
    logins.accessor('occurredAt', {
      header: 'Time',
      cell: (c) => formatDateTime(c.row.original.occurredAt, prefs, '—'),
    }),
    logins.accessor('email', { header: 'Email' }),
    logins.accessor('success', {
      header: 'Result',
      cell: (c) =>
        c.row.original.success ? (
          <Badge color="green" variant="light">
            Success
          </Badge>
        ) : (
          <Badge color="red" variant="light">
            Failure
          </Badge>
        ),
    }),
    logins.accessor('reason', {
      header: 'Reason',
      cell: (c) => <span title={c.row.original.reason ?? undefined}>{describeReason(c.row.original.reason)}</span>,
    }),
    logins.accessor('method', { header: 'Method' }),
    logins.accessor('ip', { header: 'IP' }),
    logins.accessor('userAgent', {
      header: 'User agent',
      cell: (c) => (
        <Text fz={13} truncate="end" maw={260} title={c.row.original.userAgent}>
          {c.row.original.userAgent}
        </Text>
      ),
    }),
  ];
}

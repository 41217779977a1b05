import { Badge, Code, Stack, Text } from '@mantine/core';
import { createColumnHelper, type ColumnDef } from '@tanstack/react-table';
import type { AuditEvent, LoginAttempt } from '../../../shared/schemas/logs.js';
import { formatDateTime, type DateTimePreferences } from '../../format/date-time.js';
import { describeReason } from './log-params.js';

const audit = createColumnHelper<AuditEvent>();
const logins = createColumnHelper<LoginAttempt>();

const dash = (value: string | null | undefined) => value || '—';

/** An account as the log names it: its name over the email it had then (a deleted one: the email). */
function Account({ name, email }: { name: string | null; email: string | null }) {
  if (!email) return <>—</>;
  if (!name) return <>{email}</>;
  return (
    <Stack gap={0}>
      <Text size="sm" fz={13}>
        {name}
      </Text>
      <Text fz={12} c="dimmed">
        {email}
      </Text>
    </Stack>
  );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- columns hold values of different types; TanStack's helper types them each.
export function auditColumns(prefs: DateTimePreferences): ColumnDef<AuditEvent, any>[] {
  return [
    audit.accessor('occurredAt', {
      header: 'Time',
      cell: (c) => formatDateTime(c.row.original.occurredAt, prefs, '—'),
    }),
    audit.accessor('actorEmail', {
      header: 'Actor',
      cell: (c) => <Account name={c.row.original.actorName} email={c.row.original.actorEmail} />,
    }),
    audit.accessor('actorGroup', { header: 'Actor Group', cell: (c) => dash(c.row.original.actorGroup) }),
    audit.accessor('targetEmail', {
      header: 'Target',
      cell: (c) => <Account name={c.row.original.targetName} email={c.row.original.targetEmail} />,
    }),
    audit.accessor('action', {
      header: 'Action',
      cell: (c) => (
        <Stack gap={0}>
          <Text size="sm" fz={13}>
            {c.row.original.actionLabel}
          </Text>
          <Code fz={11} c="dimmed" bg="transparent" p={0}>
            {c.row.original.action}
          </Code>
        </Stack>
      ),
    }),
    audit.accessor('summary', {
      header: 'Changes',
      meta: { wrap: true, minWidth: 260 },
      cell: (c) => {
        const lines = c.row.original.summary;
        if (lines.length === 0) return '—';
        return (
          <Text fz={13} lineClamp={4} title={lines.join('\n')} style={{ wordBreak: 'break-word' }}>
            {lines.map((line, index) => (
              <span key={index}>
                {index > 0 && <br />}
                {line}
              </span>
            ))}
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

import { Alert, Badge, Button, Group, Paper, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { useEmailStatus } from '../../api/email.js';
import { useSignedInMe } from '../../auth/use-me.js';
import { ErrorState } from '../../components/error-state.js';
import { formatDateTime } from '../../format/date-time.js';
import type { EmailMessage, EmailStatus } from '../../../shared/schemas/email.js';

const TLS_WORDS: Record<NonNullable<EmailStatus['smtp']>['tls'], string> = {
  starttls: 'STARTTLS (required)',
  tls: 'TLS',
  none: 'None (unencrypted)',
};

const STATUS_COLORS: Record<EmailMessage['status'], string> = {
  queued: 'yellow',
  sending: 'blue',
  sent: 'green',
  failed: 'red',
};

const STATUS_WORDS: Record<EmailMessage['status'], string> = {
  queued: 'Queued',
  sending: 'Sending',
  sent: 'Sent',
  failed: 'Failed',
};

/** password_changed → Password changed */
function kindWords(kind: string): string {
  const words = kind
    .replace(/_/g, ' ')
    .replace(/\bapi\b/g, 'API')
    .replace(/\bmfa\b/g, 'MFA');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * Email on the Settings page, read-only: whether an SMTP server is configured (its settings come
 * from the environment, never the password), the queue, and the latest messages with their outcome.
 */
export function EmailSection() {
  const email = useEmailStatus();
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="email-heading" maw={1100}>
      <Stack gap="sm">
        <Group justify="space-between" align="center">
          <Title order={2} size="h4" id="email-heading">
            Email
          </Title>
          <Button variant="default" size="xs" onClick={() => void email.refetch()} loading={email.isFetching}>
            Refresh
          </Button>
        </Group>
        {email.isPending ? (
          <Skeleton h={120} />
        ) : email.isError ? (
          <ErrorState error={email.error} onRetry={() => void email.refetch()} />
        ) : (
          <EmailDetails status={email.data} />
        )}
      </Stack>
    </Paper>
  );
}

function EmailDetails({ status }: { status: EmailStatus }) {
  const { smtp } = status;
  return (
    <>
      {smtp ? (
        <Table variant="vertical" withTableBorder maw={560} aria-label="SMTP server">
          <Table.Tbody>
            <Table.Tr>
              <Table.Th w={160}>Server</Table.Th>
              <Table.Td>
                {smtp.host}:{smtp.port}
              </Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th>Encryption</Table.Th>
              <Table.Td>{TLS_WORDS[smtp.tls]}</Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th>From</Table.Th>
              <Table.Td>{smtp.from}</Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th>Signs in as</Table.Th>
              <Table.Td>{smtp.user ?? 'No sign-in'}</Table.Td>
            </Table.Tr>
          </Table.Tbody>
        </Table>
      ) : (
        <Alert color="yellow" title="No SMTP server is configured">
          Without SMTP configured, nothing is sent: no security notifications reach anyone. Set LATCHKEY_SMTP_HOST and
          LATCHKEY_SMTP_FROM (see the README, section Email) and restart Latchkey.
        </Alert>
      )}
      <Text size="sm">
        {smtp ? 'Security notifications are sent from a queue, in the background. ' : ''}
        Waiting to be sent: <strong>{status.queueDepth}</strong> · Could not be delivered:{' '}
        <strong>{status.failedCount}</strong>
      </Text>
      {status.recent.length === 0 ? (
        <Text size="sm" c="dimmed">
          No email has been sent yet.
        </Text>
      ) : (
        <RecentMessages messages={status.recent} />
      )}
    </>
  );
}

function RecentMessages({ messages }: { messages: EmailMessage[] }) {
  const me = useSignedInMe();
  return (
    <Table.ScrollContainer minWidth={760} type="native">
      <Table withTableBorder striped fz="sm" verticalSpacing={6} captionSide="top">
        <Table.Caption>
          Latest {messages.length} messages, newest first. Their text is never kept once sent.
        </Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Time</Table.Th>
            <Table.Th>Recipient</Table.Th>
            <Table.Th>Message</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Attempts</Table.Th>
            <Table.Th>Last error</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {messages.map((message) => (
            <Table.Tr key={message.id}>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(message.createdAt, me.user)}</Table.Td>
              <Table.Td>{message.recipient}</Table.Td>
              <Table.Td>
                <Text size="sm" fw={600}>
                  {kindWords(message.kind)}
                </Text>
                <Text size="sm">{message.subject}</Text>
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                <Badge
                  color={STATUS_COLORS[message.status]}
                  variant="light"
                  autoContrast
                  style={{ minWidth: 'max-content' }}
                >
                  {STATUS_WORDS[message.status]}
                </Badge>
                {message.nextAttemptAt && (
                  <Text size="xs">Next try {formatDateTime(message.nextAttemptAt, me.user)}</Text>
                )}
              </Table.Td>
              <Table.Td>{message.attempts}</Table.Td>
              <Table.Td>{message.lastError ?? ''}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

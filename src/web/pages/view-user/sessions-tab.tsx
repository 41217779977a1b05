/**
 * The Sessions tab: every live session of the account, the viewer's own marked, with Sign out per
 * session and Sign out everywhere, each confirmed. Whether the viewer may sign a session out comes
 * from the server (`session.can.signOut`), with its reason when not; this file only reads it.
 */
import { Badge, Group, Loader, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { AccountSession, SessionsEnded } from '../../../shared/schemas/account-sessions.js';
import { queryKeys } from '../../api/query-keys.js';
import { listSessions, signOutEverywhere, signOutSession } from '../../api/sessions.js';
import { rememberSessionEnd, SIGNED_OUT } from '../../auth/session-end.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { ErrorState } from '../../components/error-state.js';
import { RefusableButton } from '../../components/refusable-button.js';
import { formatDate, formatTime, formatZone } from '../../format/date-time.js';
import type { UserTabProps } from './user-tab-props.js';
import { countOf } from '../../format/count.js';

const sessionsKey = (userId: string) => [...queryKeys.user(userId), 'sessions'] as const;

const METHOD_LABELS: Record<AccountSession['method'], string> = {
  password: 'Password',
  mfa: 'Password and MFA',
  passkey: 'Password and passkey',
  sso: 'Single sign-on',
};

function methodOf(session: AccountSession): string {
  if (session.method === 'sso' && session.identityProvider) return `Single sign-on (${session.identityProvider})`;
  return METHOD_LABELS[session.method];
}

/** What to confirm: one session, or all of them. */
type Pending = { kind: 'one'; session: AccountSession } | { kind: 'all' };

export function SessionsTab({ user, me }: UserTabProps) {
  const queryClient = useQueryClient();
  const own = user.id === me.user.id;
  const [pending, setPending] = useState<Pending | null>(null);
  const sessions = useQuery({
    queryKey: sessionsKey(user.id),
    queryFn: ({ signal }) => listSessions(user.id, signal),
  });

  const signOut = useMutation({
    mutationFn: (what: Pending) =>
      what.kind === 'one' ? signOutSession(user.id, what.session.id) : signOutEverywhere(user.id),
    onSuccess: (result: SessionsEnded, what) => {
      setPending(null);
      if (result.currentEnded) {
        // This browser's own session ended: forget the account; <RequireAuth> goes to the sign-in page.
        rememberSessionEnd(SIGNED_OUT);
        queryClient.setQueryData(queryKeys.me, null);
        queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== queryKeys.me[0] });
        return;
      }
      notifications.show({
        color: 'green',
        message:
          what.kind === 'one'
            ? 'The session was signed out.'
            : `${countOf(result.ended, ['session was', 'sessions were'])} signed out.`,
      });
      void queryClient.invalidateQueries({ queryKey: sessionsKey(user.id) });
    },
  });

  if (sessions.isPending) return <Loader size="sm" aria-label="Loading sessions" />;
  if (sessions.isError) return <ErrorState error={sessions.error} onRetry={() => void sessions.refetch()} />;

  const list = sessions.data.sessions;
  /** The viewer's date, then their time on a line of its own: neither is broken in two. */
  const when = (iso: string) => {
    const date = new Date(iso);
    return (
      <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
        {formatDate(date, me.user.dateFormat)}
        <br />
        {formatTime(date, me.user.timeFormat)} {formatZone(date)}
      </Text>
    );
  };
  // The same rule applies to every session of one account: the first one's decision stands for all.
  const everywhereRefusal = list[0] && !list[0].can.signOut.allowed ? list[0].can.signOut.message : null;
  const close = () => {
    setPending(null);
    signOut.reset();
  };

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-start">
        <Text size="sm" c="dimmed" maw={640}>
          {own
            ? 'Where your account is signed in now. Sign out any session you do not recognise.'
            : 'Where this account is signed in now.'}
        </Text>
        {list.length > 0 ? (
          <RefusableButton refusal={everywhereRefusal} onClick={() => setPending({ kind: 'all' })}>
            Sign out everywhere
          </RefusableButton>
        ) : null}
      </Group>
      {list.length === 0 ? (
        <Text size="sm">This account is not signed in anywhere.</Text>
      ) : (
        <Table.ScrollContainer minWidth={640}>
          <Table aria-label="Sessions" verticalSpacing="sm" horizontalSpacing="xs" highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th miw={130}>Browser</Table.Th>
                <Table.Th>Operating system</Table.Th>
                <Table.Th>Address</Table.Th>
                <Table.Th>Signed in</Table.Th>
                <Table.Th>Last active</Table.Th>
                <Table.Th>Method</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.map((session) => {
                const name = `${session.browser} on ${session.operatingSystem}${session.current ? ' (this session)' : ''}`;
                return (
                  <Table.Tr key={session.id}>
                    <Table.Td>
                      <Stack gap={4} align="flex-start">
                        <Text size="sm" title={session.userAgent}>
                          {session.browser}
                        </Text>
                        {session.current ? (
                          <Badge size="sm" variant="light" color="green">
                            This session
                          </Badge>
                        ) : null}
                      </Stack>
                    </Table.Td>
                    <Table.Td>{session.operatingSystem}</Table.Td>
                    <Table.Td>{session.ip}</Table.Td>
                    <Table.Td>{when(session.createdAt)}</Table.Td>
                    <Table.Td>{when(session.lastActiveAt)}</Table.Td>
                    <Table.Td>{methodOf(session)}</Table.Td>
                    <Table.Td>
                      <RefusableButton
                        size="xs"
                        refusal={session.can.signOut.allowed ? null : session.can.signOut.message}
                        label={`Sign out ${name}`}
                        onClick={() => setPending({ kind: 'one', session })}
                      >
                        Sign out
                      </RefusableButton>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <ConfirmDialog
        opened={pending !== null}
        title={pending?.kind === 'all' ? 'Sign out everywhere?' : 'Sign out this session?'}
        message={
          pending?.kind === 'all'
            ? own
              ? 'Every session of your account ends at once, this one too: you will need to sign in again.'
              : `Every session of ${user.email} ends at once.`
            : pending?.session.current
              ? 'This is the session you are using: you will need to sign in again.'
              : `The session of ${pending?.session.browser ?? ''} on ${pending?.session.operatingSystem ?? ''}, from ${pending?.session.ip ?? ''}, ends at once.`
        }
        confirmLabel={pending?.kind === 'all' ? 'Sign out everywhere' : 'Sign out'}
        onConfirm={() => pending && signOut.mutate(pending)}
        onClose={close}
        pending={signOut.isPending}
        error={signOut.error}
        errorTitle="Nothing was signed out"
      />
    </Stack>
  );
}

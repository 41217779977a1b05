/**
 * The forced enrollment ("Enroll in Multi-Factor Authentication" set by an Administrator on an
 * account without an authenticator): until it is done the server refuses everything else, so this
 * is the only page such an account sees. Cancel signs out.
 */
import { Alert, Button, Center, Group, Loader, Stack, Tabs, Text } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Navigate, useNavigate } from 'react-router';
import { messageOf } from '../api/client.js';
import { startTotpEnrollment, type ConfirmedTotp } from '../api/mfa.js';
import { queryKeys } from '../api/query-keys.js';
import { useSignedInMe } from '../auth/use-me.js';
import { useSignOut } from '../auth/use-sign-out.js';
import { PasskeySetup } from '../components/passkey-setup.js';
import { PublicPage } from '../components/public-page.js';
import { RecoveryCodes, TotpSetup } from '../components/totp-setup.js';

export function MfaEnrollmentPage() {
  useDocumentTitle('Set up multi-factor authentication · Latchkey');
  const me = useSignedInMe();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const [confirmed, setConfirmed] = useState(false);

  // Starting makes a new secret; one per visit of this page (not refetched on focus or remount).
  const enrollment = useQuery({
    queryKey: queryKeys.mfaEnrollment,
    queryFn: () => startTotpEnrollment(),
    staleTime: Infinity,
    retry: false,
    enabled: me.mfaEnrollmentRequired,
  });

  const cancel = useSignOut({ navigateTo: '/login' });

  if (!me.mfaEnrollmentRequired && !confirmed) return <Navigate to="/" replace />;

  const finish = async () => {
    queryClient.removeQueries({ queryKey: queryKeys.mfaEnrollment });
    await queryClient.invalidateQueries({ queryKey: queryKeys.me });
    void navigate('/', { replace: true });
  };

  const onEnrolled = (result: ConfirmedTotp) => {
    setConfirmed(true);
    if (result.recoveryCodes) setRecoveryCodes(result.recoveryCodes);
    else void finish();
  };

  return (
    <PublicPage title="Set up multi-factor authentication" width={560}>
      <Stack gap="md">
        {recoveryCodes ? (
          <RecoveryCodes codes={recoveryCodes} email={me.user.email} onDone={() => void finish()} />
        ) : (
          <>
            <Text size="sm">
              An administrator requires you to protect your account with an authenticator app or a passkey before you
              continue, {me.user.firstName}. From now on you will sign in with your password and then a code from the
              app or your passkey.
            </Text>
            <Tabs defaultValue="app" keepMounted={false}>
              <Tabs.List>
                <Tabs.Tab value="app">Authenticator app</Tabs.Tab>
                <Tabs.Tab value="passkey">Passkey</Tabs.Tab>
              </Tabs.List>
              <Tabs.Panel value="app" pt="md">
                {enrollment.isPending && (
                  <Center>
                    <Loader aria-label="Preparing your authenticator setup" />
                  </Center>
                )}
                {enrollment.isError && (
                  <Alert color="red" role="alert">
                    {messageOf(enrollment.error)}
                  </Alert>
                )}
                {enrollment.data && <TotpSetup enrollment={enrollment.data} onConfirmed={onEnrolled} />}
              </Tabs.Panel>
              <Tabs.Panel value="passkey" pt="md">
                <PasskeySetup askPassword={false} onRegistered={onEnrolled} />
              </Tabs.Panel>
            </Tabs>
            <Group justify="flex-end">
              <Button variant="default" onClick={() => cancel.mutate()} loading={cancel.isPending}>
                Cancel and sign out
              </Button>
            </Group>
          </>
        )}
      </Stack>
    </PublicPage>
  );
}

import { Box, Center, Grid, Loader, Tabs } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useParams, useSearchParams } from 'react-router';
import { ApiError } from '../../api/client.js';
import { queryKeys } from '../../api/query-keys.js';
import { getUser } from '../../api/users.js';
import { can } from '../../auth/abilities.js';
import { useSignedInMe } from '../../auth/use-me.js';
import { ErrorState } from '../../components/error-state.js';
import { NoPermissionPage, NoticePage } from '../../components/notice-page.js';
import { fullName } from '../../format/labels.js';
import { AccountStatusSection } from './account-status-section.js';
import { ProfilePanel } from './profile-panel.js';
import { SignInLockNotice } from './sign-in-lock-notice.js';
import { USER_TABS } from './user-tabs.js';
import { BackLink } from '../../components/back-link.js';

/** View User (product.md §1): the profile panel and the account's tabs. */
export function ViewUserPage() {
  const { id = '' } = useParams();
  const me = useSignedInMe();
  const [searchParams, setSearchParams] = useSearchParams();
  const query = useQuery({ queryKey: queryKeys.user(id), queryFn: ({ signal }) => getUser(id, signal) });
  useDocumentTitle(query.data ? `${fullName(query.data)} · Latchkey` : 'User · Latchkey');

  if (query.isPending) {
    return (
      <Center py="xl">
        <Loader aria-label="Loading the account" />
      </Center>
    );
  }
  if (query.isError) {
    const error = query.error;
    if (error instanceof ApiError && error.status === 403) {
      return (
        <NoPermissionPage
          myAccountPath={`/users/${me.user.id}`}
          message="Your security group does not allow you to view other accounts. You can always see your own under My Account."
        />
      );
    }
    if (error instanceof ApiError && error.status === 404) {
      return (
        <NoticePage title="User not found" linkTo="/" linkLabel="Go to the home page">
          There is no account with this ID. It may have been deleted.
        </NoticePage>
      );
    }
    return <ErrorState error={error} onRetry={() => void query.refetch()} />;
  }

  const user = query.data;
  const tabs = USER_TABS.filter((tab) => tab.isVisible({ user, me }));
  const requested = searchParams.get('tab');
  const active = tabs.find((tab) => tab.value === requested) ?? tabs[0];

  return (
    <Box>
      {can(me, 'users_groups:view') && (
        <Box mb="md">
          <BackLink to="/users" list="Users" />
        </Box>
      )}
      <SignInLockNotice user={user} prefs={me.user} />
      <Grid gap="lg" align="flex-start">
        <Grid.Col span={{ base: 12, md: 4, xl: 3 }}>
          <ProfilePanel user={user} prefs={me.user} />
          {/* Native accounts have this on the Password & Security tab, which SSO accounts do not have. */}
          {user.userType === 'sso' && user.can.changeAccountStatus.allowed && <AccountStatusSection user={user} />}
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 8, xl: 9 }}>
          <Tabs
            value={active?.value ?? null}
            onChange={(value) =>
              value && setSearchParams(value === tabs[0]?.value ? {} : { tab: value }, { replace: true })
            }
            keepMounted={false}
          >
            <Tabs.List mb="lg">
              {tabs.map((tab) => (
                <Tabs.Tab key={tab.value} value={tab.value}>
                  {tab.label}
                </Tabs.Tab>
              ))}
            </Tabs.List>
            {tabs.map(({ value, Panel }) => (
              <Tabs.Panel key={value} value={value}>
                <Panel user={user} me={me} />
              </Tabs.Panel>
            ))}
          </Tabs>
        </Grid.Col>
      </Grid>
    </Box>
  );
}

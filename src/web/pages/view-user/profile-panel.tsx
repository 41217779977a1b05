import { Avatar, Badge, Group, Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import type { User } from '../../../shared/schemas/users.js';
import { formatDateTime, type DateTimePreferences } from '../../format/date-time.js';
import { ACCOUNT_STATUS_LABELS, fullName, USER_TYPE_LABELS } from '../../format/labels.js';

function Item({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text component="dt" size="xs" c="dimmed" fw={500} tt="uppercase" lts={0.3}>
        {label}
      </Text>
      <Text component="dd" size="sm" m={0} style={{ overflowWrap: 'anywhere' }}>
        {children}
      </Text>
    </div>
  );
}

const initials = (user: User) => `${user.firstName.charAt(0)}${user.lastName.charAt(0)}`.toUpperCase();

/** Who the account is, at a glance (product.md §1 "View User": the profile panel). */
export function ProfilePanel({ user, prefs }: { user: User; prefs: DateTimePreferences }) {
  const none = (
    <Text span c="dimmed" size="sm">
      Not set
    </Text>
  );
  return (
    <Paper withBorder radius="md" p="lg" component="section" aria-labelledby="profile-name">
      <Stack gap="md">
        <Group gap="md" wrap="nowrap" align="flex-start">
          <Avatar color="blue" radius="xl" size={52} aria-hidden>
            {initials(user)}
          </Avatar>
          <div style={{ minWidth: 0 }}>
            <Title order={1} size="h3" id="profile-name" style={{ overflowWrap: 'anywhere' }}>
              {fullName(user)}
            </Title>
            <Text size="sm" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
              {user.email}
            </Text>
          </div>
        </Group>
        <Group gap={6}>
          <Badge variant="light" tt="none" color={user.accountStatus === 'enabled' ? 'green' : 'gray'}>
            {ACCOUNT_STATUS_LABELS[user.accountStatus]}
          </Badge>
          <Badge variant="light" tt="none" color={user.userType === 'sso' ? 'grape' : 'blue'}>
            {USER_TYPE_LABELS[user.userType]}
          </Badge>
          {/* The provider owns the account (name, title, telephone, sign-in, MFA). */}
          {user.userType === 'sso' && (
            <Badge variant="outline" tt="none" color="grape">
              Managed by {user.ssoProvider ?? 'the identity provider'}
            </Badge>
          )}
          {user.mustChangePassword && (
            <Badge variant="light" tt="none" color="orange">
              Must change password at next login
            </Badge>
          )}
        </Group>
        <Stack component="dl" gap="sm" m={0}>
          <Item label="Title">{user.title || none}</Item>
          <Item label="Telephone">{user.telephone || none}</Item>
          <Item label="Security Group">{user.securityGroup.name}</Item>
          <Item label="User Type">{USER_TYPE_LABELS[user.userType]}</Item>
          <Item label="Last Login">{formatDateTime(user.lastLoginAt, prefs)}</Item>
        </Stack>
      </Stack>
    </Paper>
  );
}

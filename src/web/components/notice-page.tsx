import { Button, Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link } from 'react-router';

/** A whole-page message (not found, no permission) with one way onward. */
export function NoticePage({
  title,
  children,
  linkTo,
  linkLabel,
}: {
  title: string;
  children: ReactNode;
  linkTo: string;
  linkLabel: string;
}) {
  return (
    <Paper withBorder p="xl" radius="md" maw={620} mx="auto" mt="xl">
      <Stack gap="md" align="flex-start">
        <Title order={1} size="h2">
          {title}
        </Title>
        <Text c="dimmed">{children}</Text>
        <Button component={Link} to={linkTo} variant="light">
          {linkLabel}
        </Button>
      </Stack>
    </Paper>
  );
}

/** What someone sees on a page their security group does not allow. */
export function NoPermissionPage({ message, myAccountPath }: { message?: string; myAccountPath: string }) {
  return (
    <NoticePage title="You do not have permission to see this page" linkTo={myAccountPath} linkLabel="Go to My Account">
      {message ?? 'Your security group does not allow this. Ask an Administrator if you need access.'}
    </NoticePage>
  );
}

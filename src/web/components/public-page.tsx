import { Box, Center, Group, Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { LatchkeyLogo } from './latchkey-logo.js';

/** The frame of the pages seen before signing in (sign-in, first-run setup). */
export function PublicPage({ title, width = 420, children }: { title: string; width?: number; children: ReactNode }) {
  return (
    <Box component="main" id="main" bg="var(--mantine-color-gray-light)" mih="100vh">
      <Center mih="100vh" p="md">
        <Stack w="100%" maw={width} gap="lg">
          <Group gap={10} justify="center">
            <LatchkeyLogo size={36} />
            <Text fw={700} fz={26}>
              Latchkey
            </Text>
          </Group>
          <Paper withBorder shadow="sm" radius="md" p="xl">
            <Title order={1} size="h3" mb="lg">
              {title}
            </Title>
            {children}
          </Paper>
        </Stack>
      </Center>
    </Box>
  );
}

import { Alert, Group, List, Text, ThemeIcon } from '@mantine/core';
import type { UseMutationResult } from '@tanstack/react-query';
import type { ConnectionTest } from '../../../shared/schemas/identity-providers.js';
import { messageOf } from '../../api/client.js';
import { IconCheck, IconX } from '../../components/icons.js';

/** The result of "Test connection": each check with a pass/fail mark and its message in words. */
export function ConnectionTestResult({ result }: { result: ConnectionTest }) {
  return (
    <Alert
      color={result.ok ? 'green' : 'red'}
      title={result.ok ? 'The connection works' : 'The connection test failed'}
      role={result.ok ? 'status' : 'alert'}
    >
      <List spacing={6} listStyleType="none" aria-label="Connection checks">
        {result.checks.map((check) => (
          <List.Item key={check.name}>
            <Group gap={8} wrap="nowrap" align="flex-start">
              <ThemeIcon size={20} radius="xl" color={check.ok ? 'green' : 'red'} variant="filled" mt={1}>
                {check.ok ? <IconCheck size={13} /> : <IconX size={13} />}
              </ThemeIcon>
              <Text size="sm">
                <Text span fw={600}>
                  {check.name}: {check.ok ? 'passed' : 'failed'}.
                </Text>{' '}
                {check.message}
              </Text>
            </Group>
          </List.Item>
        ))}
      </List>
    </Alert>
  );
}

/**
 * Below the editor's title: what "Test connection" found, or why it could not test, and (`stale`)
 * a reminder that it tested the saved settings when the page has changes not saved yet.
 */
export function ConnectionTestPanel({
  test,
  stale,
}: {
  test: UseMutationResult<ConnectionTest, Error, string>;
  stale: boolean;
}) {
  return (
    <>
      {test.isSuccess && <ConnectionTestResult result={test.data} />}
      {test.isError && (
        <Alert color="red" role="alert" title="The connection could not be tested">
          {messageOf(test.error)}
        </Alert>
      )}
      {stale && test.isSuccess && (
        <Text size="sm" c="dimmed">
          The test used the saved settings, not the changes on this page.
        </Text>
      )}
    </>
  );
}

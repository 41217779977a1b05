import { Alert, Button, Center, Group, Text } from '@mantine/core';
import { messageOf } from '../api/client.js';

/** A failed load, in words, with a way to try again. */
export function ErrorState({
  error,
  onRetry,
  fullPage = false,
}: {
  error: unknown;
  onRetry?: () => void;
  fullPage?: boolean;
}) {
  const alert = (
    <Alert color="red" title="Something went wrong" maw={560} w="100%">
      <Text size="sm">{messageOf(error)}</Text>
      {onRetry && (
        <Group mt="sm">
          <Button size="xs" variant="light" color="red" onClick={onRetry}>
            Try again
          </Button>
        </Group>
      )}
    </Alert>
  );
  return fullPage ? (
    <Center h="100vh" p="md">
      {alert}
    </Center>
  ) : (
    alert
  );
}

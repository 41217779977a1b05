import { Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';

/** Placeholder until the page is built. */
export function ViewTaskPage() {
  useDocumentTitle('Task · Latchkey');
  return <Title order={1}>Task</Title>;
}

import { Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';

/** Placeholder until the page is built. */
export function TasksPage() {
  useDocumentTitle('Tasks · Latchkey');
  return <Title order={1}>Tasks</Title>;
}

import { Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';

/** Placeholder until the page is built. */
export function RecordsPage() {
  useDocumentTitle('Records · Latchkey');
  return <Title order={1}>Records</Title>;
}

import { Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';

/** Placeholder until the page is built. */
export function ViewRecordPage() {
  useDocumentTitle('Record · Latchkey');
  return <Title order={1}>Record</Title>;
}

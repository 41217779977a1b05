import { Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';

/** Placeholder until the page is built. */
export function ReportsPage() {
  useDocumentTitle('Reports · Latchkey');
  return <Title order={1}>Reports</Title>;
}

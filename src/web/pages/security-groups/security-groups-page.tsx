import { Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';

/** Placeholder until the page is built. */
export function SecurityGroupsPage() {
  useDocumentTitle('Security Groups · Latchkey');
  return <Title order={1}>Security Groups</Title>;
}

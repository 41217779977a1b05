import { Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';

/** Placeholder until the page is built. */
export function SecurityGroupEditorPage() {
  useDocumentTitle('Security Group · Latchkey');
  return <Title order={1}>Security Group</Title>;
}

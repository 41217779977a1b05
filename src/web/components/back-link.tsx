import { Anchor } from '@mantine/core';
import { Link } from 'react-router';

/**
 * The one way back from a detail page to its list, the same on every page: "← Back to Records",
 * small, above the title. The arrow is decoration; the link's name is its words.
 */
export function BackLink({ to, list }: { to: string; list: string }) {
  return (
    <Anchor component={Link} to={to} size="sm" display="inline-block">
      <span aria-hidden="true">← </span>Back to {list}
    </Anchor>
  );
}

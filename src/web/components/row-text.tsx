import { Anchor, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link } from 'react-router';

const TEXT_CLASS = `${Text.classes.root} mantine-Text-root`;
const INHERIT_SIZE = { fontSize: 'inherit' } as const;
const DIMMED = { color: 'var(--mantine-color-dimmed)', fontSize: 'inherit' } as const;

/**
 * The markup of Mantine's `<Anchor component={Link} to={to} fz="inherit">`, for a link on a list's
 * every row (the users list's Email): Mantine's Anchor is a Text and a Box, each row's through their
 * props and styles. tests/unit/row-markup.test.ts checks it against Mantine's.
 */
export function RowLink({ to, id, children }: { to: string; id?: string; children: ReactNode }) {
  return (
    <Link
      className={`mantine-focus-auto ${Anchor.classes.root} ${TEXT_CLASS} mantine-Anchor-root`}
      data-underline="hover"
      id={id}
      to={to}
      style={INHERIT_SIZE}
    >
      {children}
    </Link>
  );
}

/** The markup of Mantine's `<Text span fz="inherit" c="dimmed">`, for a list's every row (as RowLink). */
export function RowDimmedText({ children }: { children: ReactNode }) {
  return (
    <span className={`mantine-focus-auto ${TEXT_CLASS}`} style={DIMMED}>
      {children}
    </span>
  );
}

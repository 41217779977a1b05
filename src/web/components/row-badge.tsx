import { Badge } from '@mantine/core';
import type { CSSProperties, ReactNode } from 'react';

export type RowBadgeColor = 'green' | 'gray' | 'orange';

const style = (color: RowBadgeColor) =>
  ({
    '--badge-height': 'var(--badge-height-sm)',
    '--badge-padding-x': 'var(--badge-padding-x-sm)',
    '--badge-fz': 'var(--badge-fz-sm)',
    '--badge-radius': 'var(--mantine-radius-sm)',
    '--badge-bg': `var(--mantine-color-${color}-light)`,
    '--badge-color': `var(--mantine-color-${color}-light-color)`,
    '--badge-bd': 'calc(0.0625rem * var(--mantine-scale)) solid transparent',
    fontWeight: 600,
    textTransform: 'none',
  }) as CSSProperties;

/**
 * The markup of Mantine's `<Badge variant="light" radius="sm" tt="none" fw={600} size="sm">`, for a
 * list's every row (the users list's status columns): Mantine's component costs each badge its
 * props, styles, colour resolution and a Box. tests/unit/row-markup.test.ts checks the markup
 * against Mantine's Badge in each colour.
 */
export function RowBadge({ color, children }: { color: RowBadgeColor; children: ReactNode }) {
  return (
    <div
      className={`${Badge.classes.root} mantine-Badge-root`}
      data-variant="light"
      data-size="sm"
      style={style(color)}
    >
      <span className={`${Badge.classes.label} mantine-Badge-label`}>{children}</span>
    </div>
  );
}

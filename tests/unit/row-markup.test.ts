import { Badge, Checkbox, MantineProvider, type BadgeProps } from '@mantine/core';
import { createElement, type ComponentType, type ReactElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { RowBadge } from '../../src/web/components/row-badge.js';
import { RowCheckbox } from '../../src/web/components/row-checkbox.js';
import { theme } from '../../src/web/theme.js';

/** The markup inside the app's MantineProvider, attributes sorted, ids left out (they differ by design). */
function markup(element: ReactElement): string {
  const html = renderToStaticMarkup(createElement(MantineProvider, { theme }, element));
  return html
    .slice(html.indexOf('<div'))
    .replace(/ id="[^"]*"/g, '')
    .replace(/<(\w+)((?: [\w-]+="[^"]*")*)/g, (_, tag: string, attributes: string) => {
      const sorted =
        attributes
          .match(/ [\w-]+="[^"]*"/g)
          ?.sort()
          .join('') ?? '';
      return `<${tag}${sorted}`;
    });
}

describe('RowCheckbox', () => {
  it("is Mantine's extra-small Checkbox without a label, checked or not", () => {
    for (const checked of [false, true]) {
      const props = { checked, onChange: () => {}, 'aria-labelledby': 'user-email-1' };
      expect(markup(createElement(RowCheckbox, props))).toBe(markup(createElement(Checkbox, { ...props, size: 'xs' })));
    }
  });
});

describe('RowBadge', () => {
  it("is Mantine's small light Badge, in each colour", () => {
    // Badge is polymorphic: createElement cannot pick its overload without a cast.
    const MantineBadge = Badge as unknown as ComponentType<BadgeProps & { children: string }>;
    for (const color of ['green', 'gray', 'orange'] as const) {
      const badge = {
        variant: 'light',
        color,
        radius: 'sm',
        tt: 'none',
        fw: 600,
        size: 'sm',
        children: 'Enabled',
      } as const;
      expect(markup(createElement(RowBadge, { color, children: 'Enabled' }))).toBe(
        markup(createElement(MantineBadge, badge)),
      );
    }
  });
});

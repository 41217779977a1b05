import { Anchor, Badge, Checkbox, MantineProvider, Text, type BadgeProps } from '@mantine/core';
import { createElement, type ComponentType, type ReactElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { Link, MemoryRouter } from 'react-router';
import { describe, expect, it } from 'vitest';
import { RowBadge } from '../../src/web/components/row-badge.js';
import { RowCheckbox } from '../../src/web/components/row-checkbox.js';
import { RowDimmedText, RowLink } from '../../src/web/components/row-text.js';
import { theme } from '../../src/web/theme.js';

/** The markup inside the app's MantineProvider, attributes sorted, ids left out (they differ by design). */
function markup(element: ReactElement): string {
  const html = renderToStaticMarkup(
    createElement(MantineProvider, { theme }, createElement(MemoryRouter, null, element)),
  );
  return html
    .slice(html.search(/<(div|a|span)[ >]/))
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

describe('RowLink and RowDimmedText', () => {
  it("are Mantine's Anchor (as a router Link) and dimmed Text span", () => {
    const MantineAnchor = Anchor as unknown as ComponentType<Record<string, unknown>>;
    const MantineText = Text as unknown as ComponentType<Record<string, unknown>>;
    const link = { to: '/users/1', id: 'user-email-1', children: 'a@example.com' };
    expect(markup(createElement(RowLink, link))).toBe(
      markup(createElement(MantineAnchor, { ...link, component: Link, fz: 'inherit' })),
    );
    expect(markup(createElement(RowDimmedText, { children: 'No' }))).toBe(
      markup(createElement(MantineText, { span: true, fz: 'inherit', c: 'dimmed', children: 'No' })),
    );
  });
});

import { Anchor, Badge, Box, Checkbox, Group, Table, Text, UnstyledButton, type BadgeProps } from '@mantine/core';
import { createElement, type ComponentType, type ReactElement } from 'react';
import { Link } from 'react-router';
import { renderInTheApp, withSortedAttributes } from '../helpers/markup.js';
import { describe, expect, it } from 'vitest';
import { RowBadge } from '../../src/web/components/row-badge.js';
import { RowCheckbox } from '../../src/web/components/row-checkbox.js';
import { RowDimmedText, RowLink } from '../../src/web/components/row-text.js';
import {
  StripedTable,
  TABLE_CELL_CLASS,
  TABLE_ROW,
  TableBody,
  TableHead,
  TableHeaderCell,
  TableScrollContainer,
  SortButton,
} from '../../src/web/components/table-markup.js';

/** The markup inside the app's MantineProvider, attributes sorted, ids left out (they differ by design). */
function markup(element: ReactElement): string {
  const html = renderInTheApp(element);
  return withSortedAttributes(
    html
      .slice(html.search(/<(div|a|span)[ >]/))
      .replace(/ id="[^"]*"/g, '')
      // An empty class (Mantine's Box without one) is no class.
      .replace(/ class=""/g, ''),
  );
}

describe('RowCheckbox', () => {
  it("is Mantine's extra-small Checkbox without a label, checked or not", () => {
    for (const checked of [false, true]) {
      const props = { checked, onChange: () => {}, 'aria-labelledby': 'user-email-1' };
      expect(markup(createElement(RowCheckbox, props))).toBe(markup(createElement(Checkbox, { ...props, size: 'xs' })));
    }
  });

  it("is Mantine's extra-small Checkbox named by aria-label, checked, mixed or not (the header's select all)", () => {
    for (const [checked, indeterminate] of [
      [false, false],
      [true, false],
      [false, true],
    ] as const) {
      const props = { checked, indeterminate, onChange: () => {}, 'aria-label': 'Select all accounts on this page' };
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

describe('Table markup', () => {
  it("is Mantine's native scroll container and striped, hover-highlighted, bordered table", () => {
    const h = createElement;
    const region = { tabIndex: 0, role: 'region', 'aria-label': 'Users' };
    // A variable, not a literal: a data- attribute is no declared prop of either header cell.
    const header = { 'data-column': 'select', className: 'sticky', style: { left: 'var(--x)', minWidth: 140 } };
    const plain = h(
      TableScrollContainer,
      { minWidth: 1100, ...region },
      h(
        StripedTable,
        { verticalSpacing: 7, horizontalSpacing: 8, fontSize: 13, 'aria-label': 'Users', 'aria-busy': false },
        h(
          TableHead,
          null,
          h(
            'tr',
            TABLE_ROW,
            h(TableHeaderCell, { width: 36, ...header }, 'S'),
            h(TableHeaderCell, { 'aria-sort': 'none' }, 'Email'),
          ),
        ),
        h(TableBody, null, h('tr', TABLE_ROW, h('td', { className: TABLE_CELL_CLASS, colSpan: 2 }, 'a@example.com'))),
      ),
    );
    const mantine = h(
      Table.ScrollContainer,
      { minWidth: 1100, type: 'native', ...region },
      h(
        Table,
        {
          striped: true,
          highlightOnHover: true,
          withTableBorder: true,
          verticalSpacing: 7,
          horizontalSpacing: 8,
          fz: 13,
          'aria-label': 'Users',
          'aria-busy': false,
        },
        h(
          Table.Thead,
          null,
          h(Table.Tr, null, h(Table.Th, { w: 36, ...header }, 'S'), h(Table.Th, { 'aria-sort': 'none' }, 'Email')),
        ),
        h(Table.Tbody, null, h(Table.Tr, null, h(Table.Td, { colSpan: 2 }, 'a@example.com'))),
      ),
    );
    expect(markup(plain)).toBe(markup(mantine));
  });
});

describe('SortButton', () => {
  it("is Mantine's UnstyledButton holding a Group of the label and the sort icon, sorted or not", () => {
    const h = createElement;
    const icon = h('svg', { 'aria-hidden': true });
    // UnstyledButton and Box are polymorphic: createElement cannot pick their overload without a cast.
    const MantineButton = UnstyledButton as unknown as ComponentType<Record<string, unknown>>;
    const MantineBox = Box as unknown as ComponentType<Record<string, unknown>>;
    for (const sorted of [false, true]) {
      for (const lineHeight of [undefined, 1.3]) {
        const plain = h(SortButton, { sorted, lineHeight, icon, onClick: () => {}, children: 'Email' });
        const mantine = h(
          MantineButton,
          { fw: 600, fz: 13, ta: 'left', lh: lineHeight, onClick: () => {} },
          h(
            Group,
            { gap: 4, wrap: 'nowrap', align: 'center' },
            h('span', null, 'Email'),
            h(MantineBox, { c: sorted ? 'blue' : 'dimmed', display: 'flex', style: { flexShrink: 0 } }, icon),
          ),
        );
        expect(markup(plain)).toBe(markup(mantine));
      }
    }
  });
});

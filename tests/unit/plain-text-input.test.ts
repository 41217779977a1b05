import { TextInput } from '@mantine/core';
import { createElement, type ReactElement } from 'react';
import { renderInTheApp, withSortedAttributes } from '../helpers/markup.js';
import { describe, expect, it } from 'vitest';
import { PlainTextInput } from '../../src/web/components/plain-text-input.js';

/**
 * The markup inside the app's MantineProvider, attributes sorted, each id (and the label's `for`)
 * named ID: the two components make different ids, but each must tie its label to its input.
 */
function markup(element: ReactElement): string {
  const html = renderInTheApp(element);
  const id = /<input[^>]* id="([^"]+)"/.exec(html)?.[1];
  expect(id).toBeTruthy();
  return withSortedAttributes(
    html
      .slice(html.search(/<div[ >]/))
      .replaceAll(`"${id}"`, '"ID"')
      .replaceAll(`"${id}-label"`, '"ID-label"'),
  );
}

const icon = createElement('svg', { 'aria-hidden': true });

describe('PlainTextInput', () => {
  it("is Mantine's TextInput with a left section (the users list's search)", () => {
    const props = {
      label: 'Search users',
      placeholder: 'Email, first or last name',
      value: 'ann',
      onChange: () => {},
      w: 240,
      type: 'search',
    };
    expect(markup(createElement(PlainTextInput, { ...props, leftSection: icon }))).toBe(
      markup(createElement(TextInput, { ...props, leftSection: icon })),
    );
  });

  it("is Mantine's read-only TextInput with a chevron that lets clicks through (a select's stand-in)", () => {
    const props = {
      label: 'MFA',
      w: 150,
      value: 'Any',
      readOnly: true,
      role: 'combobox',
      'aria-haspopup': 'listbox',
      'aria-expanded': false,
      autoComplete: 'off',
      rightSection: icon,
    } as const;
    for (const pointer of [true, false]) {
      expect(markup(createElement(PlainTextInput, { ...props, pointer, rightSectionPassesClicks: true }))).toBe(
        markup(createElement(TextInput, { ...props, pointer, rightSectionPointerEvents: 'none' })),
      );
    }
  });

  it("is Mantine's TextInput with the parts' inline styles (rows per page, its label beside it)", () => {
    const props = {
      label: 'Rows per page',
      value: '25',
      readOnly: true,
      styles: {
        root: { display: 'flex', alignItems: 'center', gap: 8 },
        label: { whiteSpace: 'nowrap', marginBottom: 0 },
        wrapper: { width: 84 },
      },
    } as const;
    expect(markup(createElement(PlainTextInput, props))).toBe(markup(createElement(TextInput, props)));
  });
});

import { Button } from '@mantine/core';
import { createElement, type ComponentType, type ReactElement } from 'react';
import { Link } from 'react-router';
import { renderInTheApp, withSortedAttributes } from '../helpers/markup.js';
import { describe, expect, it } from 'vitest';
import { NavButton, SmallDefaultButton } from '../../src/web/components/button-markup.js';

/** The markup inside the app's MantineProvider and a router, attributes sorted. */
function markup(element: ReactElement): string {
  const html = renderInTheApp(element);
  return withSortedAttributes(html.slice(html.search(/<(a|button)[ >]/)));
}

// Button is polymorphic: createElement cannot pick its overload without a cast.
const MantineButton = Button as unknown as ComponentType<Record<string, unknown>>;

describe('NavButton', () => {
  it("is Mantine's light blue (the page shown) or subtle gray Button as a router link", () => {
    for (const active of [true, false]) {
      expect(markup(createElement(NavButton, { to: '/users', active, children: 'Users' }))).toBe(
        markup(
          createElement(MantineButton, {
            component: Link,
            to: '/users',
            justify: 'flex-start',
            variant: active ? 'light' : 'subtle',
            color: active ? 'blue' : 'gray',
            'aria-current': active ? 'page' : undefined,
            children: 'Users',
          }),
        ),
      );
    }
  });

  it("is Mantine's subtle gray Button as a plain link", () => {
    expect(markup(createElement(NavButton, { href: '/api/docs', active: false, children: 'API Reference' }))).toBe(
      markup(
        createElement(MantineButton, {
          component: 'a',
          href: '/api/docs',
          justify: 'flex-start',
          variant: 'subtle',
          color: 'gray',
          children: 'API Reference',
        }),
      ),
    );
  });
});

describe('SmallDefaultButton', () => {
  it("is Mantine's extra-small default Button, enabled or disabled", () => {
    for (const disabled of [false, true]) {
      const props = { disabled, onClick: () => {}, children: 'Next' };
      expect(markup(createElement(SmallDefaultButton, props))).toBe(
        markup(createElement(MantineButton, { ...props, variant: 'default', size: 'xs' })),
      );
    }
  });
});

import { MantineProvider } from '@mantine/core';
import { createElement, type ReactElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { MemoryRouter } from 'react-router';
import { theme } from '../../src/web/theme.js';

/**
 * For the tests that compare Latchkey's hand-written Mantine markup with Mantine's own components
 * (row-markup, plain-text-input, button-markup): an element rendered as the app renders it, inside
 * its MantineProvider (and a router, for links).
 */
export function renderInTheApp(element: ReactElement): string {
  return renderToStaticMarkup(createElement(MantineProvider, { theme }, createElement(MemoryRouter, null, element)));
}

/** Every tag's attributes in name order, so markup compares whatever order React wrote them in. */
export function withSortedAttributes(html: string): string {
  return html.replace(/<(\w+)((?: [\w-]+="[^"]*")*)/g, (_, tag: string, attributes: string) => {
    const sorted =
      attributes
        .match(/ [\w-]+="[^"]*"/g)
        ?.sort()
        .join('') ?? '';
    return `<${tag}${sorted}`;
  });
}

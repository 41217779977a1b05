/**
 * Mantine's dropdown, popover and tooltip components, fetched as one chunk once a list page has shown
 * its rows (or a person reaches for one of its controls first): src/web/components/deferred-overlays.tsx.
 */
export { Popover, Select, Tooltip } from '@mantine/core';

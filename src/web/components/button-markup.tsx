import { rem } from '@mantine/core';
import type { CSSProperties } from 'react';
import { Link } from 'react-router';

/** Class names of Mantine's Button and UnstyledButton CSS modules (which cannot be imported without the components). */
const CLASSES = {
  root: 'mantine-focus-auto mantine-active m_77c9d27d mantine-Button-root m_87cf2631 mantine-UnstyledButton-root',
  /** A disabled button does not move when pressed: no `mantine-active`. */
  disabledRoot: 'mantine-focus-auto m_77c9d27d mantine-Button-root m_87cf2631 mantine-UnstyledButton-root',
  inner: 'm_80f1301b mantine-Button-inner',
  label: 'm_811560b9 mantine-Button-label',
} as const;

const BORDER = `${rem(1)} solid transparent`;

/** The custom properties Mantine's Button sets for `variant="light" color="blue"` (the page shown) and `variant="subtle" color="gray"`. */
const STYLES = {
  active: {
    '--button-justify': 'flex-start',
    '--button-bg': 'var(--mantine-color-blue-light)',
    '--button-hover': 'var(--mantine-color-blue-light-hover)',
    '--button-color': 'var(--mantine-color-blue-light-color)',
    '--button-bd': BORDER,
  } as CSSProperties,
  inactive: {
    '--button-justify': 'flex-start',
    '--button-bg': 'transparent',
    '--button-hover': 'var(--mantine-color-gray-light-hover)',
    '--button-color': 'var(--mantine-color-gray-light-color)',
    '--button-bd': BORDER,
  } as CSSProperties,
} as const;

export type NavButtonProps = { active: boolean; children: string } & ({ to: string } | { href: string });

/**
 * A link in the app's navigation: the markup of Mantine's `<Button component={Link} to={to}
 * justify="flex-start" variant={active ? 'light' : 'subtle'} color={active ? 'blue' : 'gray'}>`
 * (or `component="a" href`) without the component: the frame draws ten of them in every page's first
 * render, each through Button, UnstyledButton and Box with their props, styles and colour resolution.
 * The stray `justify` attribute is Mantine's too. tests/unit/button-markup.test.ts checks this markup
 * against Mantine's Button.
 */
export function NavButton({ active, children, ...target }: NavButtonProps) {
  const props = {
    style: active ? STYLES.active : STYLES.inactive,
    className: CLASSES.root,
    'data-variant': active ? 'light' : 'subtle',
    justify: 'flex-start',
    'aria-current': active ? ('page' as const) : undefined,
  };
  const inner = (
    <span className={CLASSES.inner}>
      <span className={CLASSES.label}>{children}</span>
    </span>
  );
  return 'to' in target ? (
    <Link to={target.to} {...props}>
      {inner}
    </Link>
  ) : (
    <a href={target.href} {...props}>
      {inner}
    </a>
  );
}

const SMALL_DEFAULT_STYLE = {
  '--button-height': 'var(--button-height-xs)',
  '--button-padding-x': 'var(--button-padding-x-xs)',
  '--button-fz': 'var(--mantine-font-size-xs)',
  '--button-bg': 'var(--mantine-color-default)',
  '--button-hover': 'var(--mantine-color-default-hover)',
  '--button-color': 'var(--mantine-color-default-color)',
  '--button-bd': `${rem(1)} solid var(--mantine-color-default-border)`,
} as CSSProperties;

/**
 * The markup of Mantine's `<Button variant="default" size="xs" disabled={disabled}>`, without the
 * component, for the First / Previous / Next / Last buttons under every paged list (in the users
 * list's first render). tests/unit/button-markup.test.ts checks it against Mantine's Button.
 */
export function SmallDefaultButton({
  disabled,
  onClick,
  children,
}: {
  disabled: boolean;
  onClick: () => void;
  children: string;
}) {
  return (
    <button
      style={SMALL_DEFAULT_STYLE}
      className={disabled ? CLASSES.disabledRoot : CLASSES.root}
      data-variant="default"
      data-size="xs"
      data-disabled={disabled || undefined}
      type="button"
      disabled={disabled}
      onClick={onClick}
    >
      <span className={CLASSES.inner}>
        <span className={CLASSES.label}>{children}</span>
      </span>
    </button>
  );
}

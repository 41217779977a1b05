import { createTheme, type CSSVariablesResolver, type ModalProps, type PasswordInputProps } from '@mantine/core';

/**
 * The same as `Modal.extend({...})` and `PasswordInput.extend({...})` (which only return their
 * argument) without importing the components: the theme is in the first load of every page, the
 * dialog and the password field only in the pages that show them.
 */
const extend = <P>(component: { defaultProps?: Partial<P>; styles?: Record<string, object> }) => component;

export const theme = createTheme({
  primaryColor: 'blue',
  /**
   * Shade 8 for filled buttons, outlines, links and the focus ring: white on blue-8 is 5.0:1
   * (Mantine's default shade 6 is 3.6:1, below WCAG AA's 4.5:1 for text), and so is blue-8 on
   * white. The same shade applies to every colour: red-8 is 4.5:1; green, whose shade 8 is not
   * dark enough, gets its own filled colour below.
   */
  primaryShade: { light: 8, dark: 8 },
  defaultRadius: 'sm',
  fontFamily:
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", "Liberation Sans", sans-serif',
  headings: { fontWeight: '600' },
  // Focus rings for keyboard users only, on every focusable Mantine element (global.css draws them).
  focusRing: 'auto',
  components: {
    Modal: extend<ModalProps>({
      // The × in every dialog's header: Mantine leaves it without an accessible name.
      defaultProps: { closeButtonProps: { 'aria-label': 'Close' } },
      styles: { title: { fontWeight: 600, fontSize: 'var(--mantine-font-size-lg)' } },
    }),
    PasswordInput: extend<PasswordInputProps>({
      // The eye button is a real, focusable toggle button (Mantine takes it out of the Tab order),
      // so keyboard users can check what they typed; aria-pressed says whether it is shown.
      defaultProps: {
        visibilityToggleFocusable: true,
        visibilityToggleButtonProps: { 'aria-label': 'Show password' },
      },
    }),
  },
});

/**
 * Colours Mantine's defaults get below WCAG AA (4.5:1 for text, 3:1 for the focus ring):
 * - "dimmed" grey: #868e96 is 3.3:1 on white (this one is 6:1); in the dark scheme #828282 is
 *   4.0:1 on the dark body (#aaaaaa is 6.6:1, and 4.75:1 on a hovered table row, #3b3b3b).
 * - error text: red-6 is 3.3:1 on white (red-9: 5.5:1); in the dark scheme red-8 is 3.4:1 on the
 *   dark body (red-5: 5.6:1).
 * - placeholder text (also the "choose a file" text of a file field): gray-5 is 2.1:1 on white
 *   (#6b7178: 4.7:1 on an input's background); dark-3 is 2.8:1 on a dark input (#969696: 4.6:1).
 * - filled green (the Complete button, green badges): white on green-8 is 3.5:1; #27803a is 5:1.
 * - "light" badges and buttons (shade-9 text on shade 1): green-9 is 3.8:1, teal-9 4.3:1, lime-9
 *   3.3:1, orange-9 3.6:1 and yellow-9 2.7:1; these darker ones are ≥ 4.7:1 on shades 1 and 2
 *   (hover). The dark scheme's light variant (shade 0 on a dark tint) is already readable.
 * - the focus ring (global.css): blue-8 on white 5:1; blue-4 on the dark body 6.3:1.
 * - a selected table row (global.css): a blue tint that keeps links 4.6:1 (blue-0 would be 4.5:1)
 *   and dimmed text 5.6:1; in the dark scheme links 5.8:1 and dimmed text 6.2:1.
 */
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': '#5c636a',
    '--mantine-color-error': 'var(--mantine-color-red-9)',
    '--mantine-color-placeholder': '#6b7178',
    '--mantine-color-green-filled': '#27803a',
    '--mantine-color-green-filled-hover': '#226f33',
    '--mantine-color-green-light-color': '#1f7032',
    '--mantine-color-teal-light-color': '#066649',
    '--mantine-color-lime-light-color': '#456f0a',
    '--mantine-color-yellow-light-color': '#7a4400',
    '--mantine-color-orange-light-color': '#a33a0c',
    '--latchkey-focus-ring': 'var(--mantine-color-blue-8)',
    '--latchkey-selected-row': '#edf6ff',
  },
  dark: {
    '--mantine-color-dimmed': '#aaaaaa',
    '--mantine-color-error': 'var(--mantine-color-red-5)',
    '--mantine-color-placeholder': '#969696',
    '--mantine-color-green-filled': '#27803a',
    '--mantine-color-green-filled-hover': '#226f33',
    '--latchkey-focus-ring': 'var(--mantine-color-blue-4)',
    '--latchkey-selected-row': '#1b2b3d',
  },
});

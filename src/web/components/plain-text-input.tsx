import { rem } from '@mantine/core';
import { useId, type ComponentPropsWithRef, type CSSProperties, type ReactNode } from 'react';

/**
 * Class names of Mantine's Input and InputWrapper CSS modules (with TextInput's static names), which
 * cannot be imported without the components. tests/unit/plain-text-input.test.ts checks this markup
 * against Mantine's TextInput.
 */
const CLASSES = {
  root: 'm_46b77525 mantine-InputWrapper-root mantine-TextInput-root',
  label: 'm_8fdc1311 mantine-InputWrapper-label mantine-TextInput-label',
  wrapper: 'm_6c018570 mantine-Input-wrapper mantine-TextInput-wrapper',
  section: 'm_82577fc2 mantine-Input-section mantine-TextInput-section',
  input: 'm_8fb7ebe7 mantine-Input-input mantine-TextInput-input',
} as const;

export interface PlainTextInputProps extends Omit<ComponentPropsWithRef<'input'>, 'style' | 'className' | 'id'> {
  label: string;
  /** The field's width in pixels (Mantine's `w`). */
  w?: number | undefined;
  leftSection?: ReactNode;
  rightSection?: ReactNode;
  /** The right section lets clicks through to the input (a select's chevron). */
  rightSectionPassesClicks?: boolean;
  /** The pointer cursor over the field (a select that is not searchable). */
  pointer?: boolean;
  /** Inline styles of the parts, as Mantine's `styles` prop (the rows-per-page field's label beside it). */
  styles?: { root?: CSSProperties; label?: CSSProperties; wrapper?: CSSProperties } | undefined;
}

/**
 * The markup of Mantine's `<TextInput>` (size sm, no description or error) without the component,
 * for the fields in the users list's first render (the search and the filters' stand-ins,
 * DeferredSelect): Mantine's TextInput goes through InputBase, Input.Wrapper, Input, their props,
 * styles and Boxes, several times more work than the few elements it draws, and the list draws
 * seven of them before its first row can show. The label is tied to the input by `for`/`id`.
 */
export function PlainTextInput({
  label,
  w,
  leftSection,
  rightSection,
  rightSectionPassesClicks = false,
  pointer = false,
  styles,
  ...input
}: PlainTextInputProps) {
  const id = `mantine-${useId().replace(/:/g, '')}`;
  return (
    <div
      style={w === undefined ? styles?.root : { width: rem(w), ...styles?.root }}
      className={CLASSES.root}
      data-size="sm"
    >
      <label
        style={{ ...styles?.label, '--input-label-size': 'var(--mantine-font-size-sm)' } as CSSProperties}
        className={CLASSES.label}
        data-size="sm"
        htmlFor={id}
        id={`${id}-label`}
      >
        {label}
      </label>
      <div
        style={
          {
            ...styles?.wrapper,
            '--input-height': 'var(--input-height-sm)',
            '--input-fz': 'var(--mantine-font-size-sm)',
            ...(rightSectionPassesClicks && { '--input-right-section-pointer-events': 'none' }),
          } as CSSProperties
        }
        className={CLASSES.wrapper}
        data-variant="default"
        data-size="sm"
        data-pointer={pointer || undefined}
        data-with-left-section={leftSection ? true : undefined}
        data-with-right-section={rightSection ? true : undefined}
      >
        {leftSection && (
          <div data-position="left" className={CLASSES.section}>
            {leftSection}
          </div>
        )}
        <input className={CLASSES.input} data-variant="default" id={id} {...input} />
        {rightSection && (
          <div data-position="right" className={CLASSES.section}>
            {rightSection}
          </div>
        )}
      </div>
    </div>
  );
}

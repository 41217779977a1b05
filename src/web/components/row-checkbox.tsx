import { Checkbox, CheckIcon } from '@mantine/core';
import { useEffect, useId, useRef, type ChangeEventHandler, type CSSProperties } from 'react';

/**
 * The root class of Checkbox's own CSS module: Checkbox.classes.root is InlineInput's (the frame it
 * shares with radio and switch), which Mantine's Checkbox puts after this one.
 * tests/unit/row-markup.test.ts checks this markup against Mantine's own Checkbox.
 */
const CHECKBOX_ROOT = 'm_bf2d988c';

const ICON_CLASS = `${Checkbox.classes.icon} mantine-Checkbox-icon`;

const ROOT_STYLE = {
  '--checkbox-size': 'var(--checkbox-size-xs)',
  '--checkbox-radius': 'var(--mantine-radius-sm)',
  '--checkbox-color': 'var(--mantine-color-blue-filled)',
  '--label-fz': 'var(--mantine-font-size-xs)',
  '--label-lh': 'var(--label-lh-xs)',
} as CSSProperties;

export type RowCheckboxProps = {
  checked: boolean;
  /** Some but not all (the header's "select all" while some rows are selected): a dash. */
  indeterminate?: boolean;
  onChange: ChangeEventHandler<HTMLInputElement>;
} & ({ 'aria-labelledby': string } | { 'aria-label': string });

/**
 * The markup of Mantine's `<Checkbox size="xs" />` without a label, for a list's every row (and its
 * header's "select all"). Mantine's component costs each row its props, styles and five Boxes, and
 * its id hook sets state in a layout effect: one more render of every row's checkbox, synchronously,
 * before the list's first paint.
 */
export function RowCheckbox({ checked, indeterminate = false, onChange, ...labelling }: RowCheckboxProps) {
  const id = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  // As Mantine's Checkbox: the DOM property (what assistive technology reads as "mixed") and the
  // attribute its CSS draws the dash for.
  useEffect(() => {
    const input = inputRef.current;
    if (!input) return;
    input.indeterminate = indeterminate;
    if (indeterminate) input.setAttribute('data-indeterminate', 'true');
    else input.removeAttribute('data-indeterminate');
  }, [indeterminate]);
  return (
    <div
      className={`${CHECKBOX_ROOT} mantine-Checkbox-root ${Checkbox.classes.root} mantine-Checkbox-root`}
      data-variant="filled"
      data-size="xs"
      data-label-position="right"
      data-checked={checked || undefined}
      style={ROOT_STYLE}
    >
      <div className={`${Checkbox.classes.body} mantine-Checkbox-body`}>
        <div className={`${Checkbox.classes.inner} mantine-Checkbox-inner`} data-label-position="right">
          <input
            className={`mantine-focus-auto ${Checkbox.classes.input} mantine-Checkbox-input`}
            data-with-error-styles="true"
            id={id}
            ref={inputRef}
            {...labelling}
            type="checkbox"
            checked={checked}
            onChange={onChange}
          />
          {indeterminate ? (
            // Mantine's CheckboxIcon when mixed (not exported on its own).
            <svg
              xmlns="http://www.w3.org/2000/svg"
              fill="none"
              viewBox="0 0 32 6"
              aria-hidden="true"
              className={ICON_CLASS}
            >
              <rect width="32" height="6" fill="currentColor" rx="3" />
            </svg>
          ) : (
            <CheckIcon className={ICON_CLASS} />
          )}
        </div>
        <div className={`${Checkbox.classes.labelWrapper} mantine-Checkbox-labelWrapper`} />
      </div>
    </div>
  );
}

import { Checkbox, CheckIcon } from '@mantine/core';
import { useId, type ChangeEventHandler, type CSSProperties } from 'react';

/**
 * The root class of Checkbox's own CSS module: Checkbox.classes.root is InlineInput's (the frame it
 * shares with radio and switch), which Mantine's Checkbox puts after this one.
 * tests/unit/row-markup.test.ts checks this markup against Mantine's own Checkbox.
 */
const CHECKBOX_ROOT = 'm_bf2d988c';

const ROOT_STYLE = {
  '--checkbox-size': 'var(--checkbox-size-xs)',
  '--checkbox-radius': 'var(--mantine-radius-sm)',
  '--checkbox-color': 'var(--mantine-color-blue-filled)',
  '--label-fz': 'var(--mantine-font-size-xs)',
  '--label-lh': 'var(--label-lh-xs)',
} as CSSProperties;

export interface RowCheckboxProps {
  checked: boolean;
  onChange: ChangeEventHandler<HTMLInputElement>;
  'aria-labelledby': string;
}

/**
 * The markup of Mantine's `<Checkbox size="xs" />` without a label, for a list's every row. Mantine's
 * component costs each row its props, styles and five Boxes, and its id hook sets state in a layout
 * effect: one more render of every row's checkbox, synchronously, before the list's first paint.
 */
export function RowCheckbox({ checked, onChange, 'aria-labelledby': labelledBy }: RowCheckboxProps) {
  const id = useId();
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
            aria-labelledby={labelledBy}
            type="checkbox"
            checked={checked}
            onChange={onChange}
          />
          <CheckIcon className={`${Checkbox.classes.icon} mantine-Checkbox-icon`} />
        </div>
        <div className={`${Checkbox.classes.labelWrapper} mantine-Checkbox-labelWrapper`} />
      </div>
    </div>
  );
}

import type { SelectProps } from '@mantine/core';
import { useDeferredOverlays } from './deferred-overlays.js';
import { PlainTextInput, type PlainTextInputProps } from './plain-text-input.js';

type Option = string | { value: string; label: string };

export interface DeferredSelectProps extends Omit<SelectProps, 'data' | 'value' | 'w' | 'styles'> {
  label: string;
  /** Width in pixels. */
  w?: number;
  /** Inline styles of the field's parts (those the stand-in draws too). */
  styles?: PlainTextInputProps['styles'];
  data: readonly Option[];
  value: string | null;
}

/** The keys that open a select's list of options: pressed on the stand-in, passed on to the select. */
const OPENING_KEYS: ReadonlySet<string> = new Set(['ArrowDown', 'ArrowUp', 'Enter', ' ']);

/**
 * Mantine's Select once the overlay components have arrived (src/web/components/deferred-overlays.tsx);
 * until then a read-only field that looks the same (same label, width, value and chevron) and is a
 * combobox to assistive technology too. A click, or ↓ ↑ Enter Space, on it goes to the real one.
 * The stand-in is Mantine's TextInput markup without the component (plain-text-input.tsx): the
 * users list draws six of them before its first row.
 */
export function DeferredSelect({ data, ...props }: DeferredSelectProps) {
  const { overlays, standIn, controlRef } = useDeferredOverlays<HTMLInputElement>(OPENING_KEYS);
  if (overlays) return <overlays.Select ref={controlRef} data={data as Option[]} {...props} />;
  const selected = data.find((option) => (typeof option === 'string' ? option : option.value) === props.value);
  return (
    <PlainTextInput
      label={props.label}
      w={props.w}
      styles={props.styles}
      value={selected === undefined ? '' : typeof selected === 'string' ? selected : selected.label}
      readOnly
      pointer={!props.searchable}
      role="combobox"
      aria-haspopup="listbox"
      aria-expanded={false}
      autoComplete="off"
      rightSection={<SelectChevron />}
      rightSectionPassesClicks
      {...standIn}
    />
  );
}

/** Mantine's Combobox.Chevron, drawn the same (its size and colour: global.css). */
function SelectChevron() {
  return (
    <svg className="latchkey-select-chevron" viewBox="0 0 15 15" fill="none" aria-hidden="true">
      <path
        d="M4.93179 5.43179C4.75605 5.60753 4.75605 5.89245 4.93179 6.06819C5.10753 6.24392 5.39245 6.24392 5.56819 6.06819L7.49999 4.13638L9.43179 6.06819C9.60753 6.24392 9.89245 6.24392 10.0682 6.06819C10.2439 5.89245 10.2439 5.60753 10.0682 5.43179L7.81819 3.18179C7.73379 3.0974 7.61933 3.04999 7.49999 3.04999C7.38064 3.04999 7.26618 3.0974 7.18179 3.18179L4.93179 5.43179ZM10.0682 9.56819C10.2439 9.39245 10.2439 9.10753 10.0682 8.93179C9.89245 8.75606 9.60753 8.75606 9.43179 8.93179L7.49999 10.8636L5.56819 8.93179C5.39245 8.75606 5.10753 8.75606 4.93179 8.93179C4.75605 9.10753 4.75605 9.39245 4.93179 9.56819L7.18179 11.8182C7.35753 11.9939 7.64245 11.9939 7.81819 11.8182L10.0682 9.56819Z"
        fill="currentColor"
        fillRule="evenodd"
        clipRule="evenodd"
      />
    </svg>
  );
}

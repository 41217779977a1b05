import { Button, Tooltip, type ButtonProps } from '@mantine/core';
import type { ReactNode } from 'react';

/**
 * A (destructive) action button the server may refuse (`refusal`: why, in words, or null). A
 * refused one stays focusable instead of disabled, so its tooltip and screen readers can say why,
 * and clicking it does nothing.
 */
export function RefusableButton({
  refusal,
  onClick,
  label,
  children,
  ...buttonProps
}: {
  refusal: string | null;
  onClick: () => void;
  /** The accessible name when it differs from the text ("Remove Corp ID" for "Remove"). */
  label?: string;
  children: ReactNode;
} & Omit<ButtonProps, 'children'>) {
  return (
    <Tooltip label={refusal} disabled={!refusal} events={{ hover: true, focus: true, touch: true }}>
      <Button
        variant="light"
        color="red"
        {...buttonProps}
        aria-label={label}
        aria-description={refusal ?? undefined}
        data-disabled={refusal ? true : undefined}
        aria-disabled={refusal ? true : undefined}
        onClick={(event) => {
          if (refusal) event.preventDefault();
          else onClick();
        }}
      >
        {children}
      </Button>
    </Tooltip>
  );
}

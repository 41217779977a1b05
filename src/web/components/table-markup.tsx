import { getSpacing, rem } from '@mantine/core';
import type { ComponentPropsWithRef, CSSProperties, ReactNode } from 'react';

/**
 * The markup of Mantine's Table (`<Table.ScrollContainer type="native">`, `<Table striped
 * highlightOnHover withTableBorder>` and its parts) without its components, for DataTable, which
 * is in the users list's first load: Mantine's Table module imports its ScrollContainer, which
 * imports ScrollArea, which imports Floating UI (for one small hook): ~17 KB gzipped of scripts
 * before the list could show its first row, none of which a native scroll container uses. The
 * parts go through no props, styles or Box either. tests/unit/row-markup.test.ts checks this markup
 * against Mantine's own.
 *
 * Class names of Mantine's Table CSS module (Table.classes, which cannot be imported without the
 * component).
 */
const CLASSES = {
  scrollContainer: 'm_a100c15 mantine-TableScrollContainer-scrollContainer',
  scrollContainerInner: 'm_62259741 mantine-TableScrollContainer-scrollContainerInner',
  table: 'm_b23fa0ef mantine-Table-table',
  thead: 'm_b242d975 mantine-Table-thead',
  tbody: 'm_b2404537 mantine-Table-tbody',
  tr: 'm_4e7aa4fd mantine-Table-tr',
  th: 'm_4e7aa4f3 mantine-Table-th',
  td: 'm_4e7aa4ef mantine-Table-td',
} as const;

const withClass = (base: string, className: string | undefined) => (className ? `${base} ${className}` : base);

/** `<Table.ScrollContainer type="native" minWidth={minWidth}>`: scrolls sideways below `minWidth` pixels. */
export function TableScrollContainer({
  minWidth,
  children,
  ...others
}: { minWidth: number } & Omit<ComponentPropsWithRef<'div'>, 'style' | 'className'>) {
  return (
    <div
      style={{ '--table-min-width': rem(minWidth), '--table-overflow': 'auto' } as CSSProperties}
      className={CLASSES.scrollContainer}
      {...others}
    >
      <div className={CLASSES.scrollContainerInner}>{children}</div>
    </div>
  );
}

export interface StripedTableProps extends Omit<ComponentPropsWithRef<'table'>, 'style' | 'className'> {
  verticalSpacing: number;
  horizontalSpacing: number | string;
  /** Font size in pixels. */
  fontSize: number;
}

/** `<Table striped highlightOnHover withTableBorder verticalSpacing horizontalSpacing fz>`. */
export function StripedTable({ verticalSpacing, horizontalSpacing, fontSize, ...others }: StripedTableProps) {
  return (
    <table
      style={
        {
          '--table-horizontal-spacing': getSpacing(horizontalSpacing),
          '--table-vertical-spacing': getSpacing(verticalSpacing),
          fontSize: rem(fontSize),
        } as CSSProperties
      }
      className={CLASSES.table}
      data-with-table-border
      {...others}
    />
  );
}

export const TableHead = (props: { children: ReactNode }) => <thead className={CLASSES.thead} {...props} />;
export const TableBody = (props: { children: ReactNode }) => <tbody className={CLASSES.tbody} {...props} />;

/** The attributes of `<Table.Tr>` in a striped table that highlights rows on hover (row borders: Mantine's default). */
export const TABLE_ROW = {
  className: CLASSES.tr,
  'data-with-row-border': true,
  'data-striped': 'odd',
  'data-hover': true,
} as const;

/** `<Table.Th w={width}>`. */
export function TableHeaderCell({
  width,
  className,
  style,
  ...others
}: { width?: number } & ComponentPropsWithRef<'th'>) {
  return (
    <th
      style={width === undefined ? style : { ...style, width: rem(width) }}
      className={withClass(CLASSES.th, className)}
      {...others}
    />
  );
}

/** `<Table.Td>`'s class: a list's every cell is a plain `<td>` (no component to go through for each). */
export const TABLE_CELL_CLASS = CLASSES.td;

const SORT_BUTTON = {
  button: 'mantine-focus-auto m_87cf2631 mantine-UnstyledButton-root',
  group: 'm_4081bf90 mantine-Group-root',
} as const;

const SORT_GROUP_STYLE = {
  '--group-gap': rem(4),
  '--group-align': 'center',
  '--group-justify': 'flex-start',
  '--group-wrap': 'nowrap',
} as CSSProperties;

/**
 * A sortable column's header button: the markup of `<UnstyledButton fw={600} fz={13} ta="left"
 * lh={lineHeight}><Group gap={4} wrap="nowrap" align="center"><span>{label}</span><Box c={sorted ?
 * 'blue' : 'dimmed'} display="flex" style={{ flexShrink: 0 }}>{icon}</Box></Group></UnstyledButton>`
 * without the components (three each, for every sortable header, in the list's first render).
 */
export function SortButton({
  sorted,
  lineHeight,
  icon,
  onClick,
  children,
}: {
  sorted: boolean;
  lineHeight?: number | undefined;
  icon: ReactNode;
  onClick: () => void;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      className={SORT_BUTTON.button}
      style={{ fontSize: rem(13), fontWeight: 600, textAlign: 'left', lineHeight }}
      onClick={onClick}
    >
      <div className={SORT_BUTTON.group} style={SORT_GROUP_STYLE}>
        <span>{children}</span>
        <div
          style={{
            flexShrink: 0,
            color: sorted ? 'var(--mantine-color-blue-text)' : 'var(--mantine-color-dimmed)',
            display: 'flex',
          }}
        >
          {icon}
        </div>
      </div>
    </button>
  );
}

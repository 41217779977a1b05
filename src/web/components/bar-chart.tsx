import { Box, Table, Text, VisuallyHidden } from '@mantine/core';

export interface BarChartRow {
  key: string;
  label: string;
  value: number;
}

/**
 * A horizontal bar chart that is also a real table: screen readers and keyboard users get the
 * label and the number of every bar, sighted users get bars scaled to the largest value. (No
 * charting library: a few bars do not need one, and this keeps the bundle small.)
 */
export function BarChart({
  caption,
  rows,
  labelHeader,
  valueHeader,
  color = 'var(--mantine-primary-color-filled)',
}: {
  caption: string;
  rows: BarChartRow[];
  labelHeader: string;
  valueHeader: string;
  color?: string;
}) {
  const max = Math.max(1, ...rows.map((row) => row.value));
  return (
    <Table withRowBorders={false} verticalSpacing={6} layout="fixed">
      <caption>
        <VisuallyHidden>{caption}</VisuallyHidden>
      </caption>
      <Table.Thead>
        <Table.Tr>
          <Table.Th w="32%">{labelHeader}</Table.Th>
          <Table.Th>
            <VisuallyHidden>Bar</VisuallyHidden>
          </Table.Th>
          <Table.Th w={80} ta="right">
            {valueHeader}
          </Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((row) => (
          <Table.Tr key={row.key}>
            <Table.Th scope="row" fw={500}>
              <Text size="sm" truncate title={row.label}>
                {row.label}
              </Text>
            </Table.Th>
            <Table.Td aria-hidden>
              <Box
                h={18}
                w={`${(row.value / max) * 100}%`}
                miw={row.value > 0 ? 4 : 0}
                bg={color}
                style={{ borderRadius: 4 }}
              />
            </Table.Td>
            <Table.Td ta="right" ff="monospace">
              {row.value.toLocaleString()}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

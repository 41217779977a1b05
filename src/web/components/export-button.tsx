import { Button, Popover, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { EXPORT_FORMATS, type ExportFormat } from '../../shared/exports.js';
import { IconDownload } from './icons.js';

const CHOICES: Record<ExportFormat, string> = { csv: 'CSV (.csv)', xlsx: 'Excel (.xlsx)' };

/**
 * "Export": the list as it is filtered and sorted, every page of it, as CSV or Excel. A popover with
 * one button per format (no menu widget: the popover is already on every list page).
 */
export function ExportButton({
  exporting,
  onExport,
}: {
  exporting: boolean;
  onExport: (format: ExportFormat) => void;
}) {
  const [opened, setOpened] = useState(false);
  return (
    <Popover
      opened={opened}
      onChange={setOpened}
      position="bottom-start"
      shadow="md"
      trapFocus
      returnFocus
      withinPortal
    >
      <Popover.Target>
        <Button
          variant="default"
          leftSection={<IconDownload />}
          loading={exporting}
          onClick={() => setOpened((open) => !open)}
          aria-haspopup="dialog"
          aria-expanded={opened}
        >
          Export
        </Button>
      </Popover.Target>
      <Popover.Dropdown aria-label="Export format" miw={200}>
        <Text size="sm" fw={600} mb="xs">
          Download every row as
        </Text>
        <Stack gap={6}>
          {EXPORT_FORMATS.map((format) => (
            <Button
              key={format}
              variant="subtle"
              justify="flex-start"
              onClick={() => {
                setOpened(false);
                onExport(format);
              }}
            >
              {CHOICES[format]}
            </Button>
          ))}
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}

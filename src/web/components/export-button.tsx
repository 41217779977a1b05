import { Button, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { EXPORT_FORMATS, type ExportFormat } from '../../shared/exports.js';
import { useDeferredOverlays } from './deferred-overlays.js';
import { IconDownload } from './icons.js';

const CHOICES: Record<ExportFormat, string> = { csv: 'CSV (.csv)', xlsx: 'Excel (.xlsx)' };

/**
 * "Export": the list as it is filtered and sorted, every page of it, as CSV or Excel. A popover with
 * one button per format (no menu widget: the popover is already on every list page). Until the
 * popover's code has arrived the button alone shows; a click on it opens the popover as it arrives
 * (src/web/components/deferred-overlays.tsx).
 */
export function ExportButton({
  exporting,
  onExport,
}: {
  exporting: boolean;
  onExport: (format: ExportFormat) => void;
}) {
  const [opened, setOpened] = useState(false);
  const { overlays, standIn, controlRef } = useDeferredOverlays<HTMLButtonElement>();
  const button = (
    <Button
      variant="default"
      leftSection={<IconDownload />}
      loading={exporting}
      aria-haspopup="dialog"
      aria-expanded={opened}
      {...(overlays ? { ref: controlRef, onClick: () => setOpened((open) => !open) } : standIn)}
    >
      Export
    </Button>
  );
  if (!overlays) return button;
  const { Popover } = overlays;
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
      <Popover.Target>{button}</Popover.Target>
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

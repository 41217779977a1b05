import { Button, Group, Paper, SimpleGrid, Skeleton, Stack, Text, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { messageOf } from '../../api/client.js';
import { queryKeys } from '../../api/query-keys.js';
import { exportReportCsv, getReportSummary } from '../../api/reports.js';
import { saveFile } from '../../api/save-file.js';
import { can } from '../../auth/abilities.js';
import { useSignedInMe } from '../../auth/use-me.js';
import { BarChart, type BarChartRow } from '../../components/bar-chart.js';
import { ErrorState } from '../../components/error-state.js';
import { IconDownload, IconRefresh } from '../../components/icons.js';
import { NoPermissionPage } from '../../components/notice-page.js';
import { formatDateTime } from '../../format/date-time.js';
import type { ReportName } from '../../../shared/schemas/reports.js';

/** Reports (product.md §Platform data): record counts by type and task counts by status. */
export function ReportsPage() {
  useDocumentTitle('Reports · Latchkey');
  const me = useSignedInMe();
  if (!can(me, 'reports:view')) {
    return (
      <NoPermissionPage
        myAccountPath={`/users/${me.user.id}`}
        message="Only accounts whose security group may view Reports can see them."
      />
    );
  }
  return <Reports />;
}

function Reports() {
  const me = useSignedInMe();
  const summary = useQuery({ queryKey: queryKeys.reportSummary, queryFn: ({ signal }) => getReportSummary(signal) });
  const canExport = can(me, 'reports:export');

  let body: ReactNode;
  if (summary.isPending) {
    body = (
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Skeleton h={260} />
        <Skeleton h={260} />
      </SimpleGrid>
    );
  } else if (summary.isError) {
    body = <ErrorState error={summary.error} onRetry={() => void summary.refetch()} />;
  } else {
    const records: BarChartRow[] = summary.data.recordsByType.map((row) => ({
      key: row.typeId,
      label: row.typeName,
      value: row.count,
    }));
    const tasks: BarChartRow[] = summary.data.tasksByStatus.map((row) => ({
      key: row.status,
      label: row.label,
      value: row.count,
    }));
    body = (
      <Stack gap="md">
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <ReportCard
            title="Records by type"
            unit="records"
            report="records-by-type"
            rows={records}
            canExport={canExport}
          >
            <BarChart caption="Records by type" labelHeader="Record Type" valueHeader="Records" rows={records} />
          </ReportCard>
          <ReportCard title="Tasks by status" unit="tasks" report="tasks-by-status" rows={tasks} canExport={canExport}>
            <BarChart
              caption="Tasks by status"
              labelHeader="Status"
              valueHeader="Tasks"
              rows={tasks}
              color="var(--mantine-color-teal-filled)"
            />
          </ReportCard>
        </SimpleGrid>
        <Text size="sm" c="dimmed">
          Counted at {formatDateTime(summary.data.generatedAt, me.user)}.
        </Text>
      </Stack>
    );
  }

  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={1} size="h2">
          Reports
        </Title>
        <Button
          variant="default"
          leftSection={<IconRefresh />}
          onClick={() => void summary.refetch()}
          loading={summary.isFetching}
        >
          Refresh
        </Button>
      </Group>
      {body}
    </Stack>
  );
}

function ReportCard({
  title,
  unit,
  report,
  rows,
  canExport,
  children,
}: {
  title: string;
  unit: string;
  report: ReportName;
  rows: BarChartRow[];
  canExport: boolean;
  children: ReactNode;
}) {
  const download = useMutation({
    mutationFn: () => exportReportCsv(report),
    onSuccess: ({ blob, filename }) => saveFile(blob, filename),
    onError: (error) => notifications.show({ color: 'red', title: 'Download failed', message: messageOf(error) }),
  });
  const total = rows.reduce((sum, row) => sum + row.value, 0);
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label={title}>
      <Group justify="space-between" mb="xs" wrap="nowrap">
        <div>
          <Title order={2} size="h4">
            {title}
          </Title>
          <Text size="sm" c="dimmed">
            {total.toLocaleString()} {unit} in all
          </Text>
        </div>
        {canExport && (
          <Button
            variant="default"
            size="sm"
            leftSection={<IconDownload />}
            onClick={() => download.mutate()}
            loading={download.isPending}
            aria-label={`Download ${title} as CSV`}
          >
            Download CSV
          </Button>
        )}
      </Group>
      {children}
    </Paper>
  );
}

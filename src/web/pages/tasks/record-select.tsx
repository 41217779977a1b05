import { Select } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { queryKeys } from '../../api/query-keys.js';
import { searchRecordOptions, type RecordOption } from '../../api/tasks.js';

/**
 * Record: a search select over the records API. Shown only to accounts that may view records; if
 * that API cannot answer, the field says so and the task is simply created without a record.
 */
export function RecordSelect({
  value,
  onChange,
  error,
  initial,
}: {
  value: string | null;
  onChange: (id: string | null) => void;
  error?: string | undefined;
  initial?: RecordOption | null;
}) {
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 250);
  const options = useQuery({
    queryKey: queryKeys.taskRecordOptions(debounced),
    queryFn: ({ signal }) => searchRecordOptions(debounced, signal),
    retry: false,
  });
  const records = [...(options.data ?? [])];
  if (initial && !records.some((r) => r.id === initial.id)) records.unshift(initial);
  return (
    <Select
      label="Record"
      placeholder={options.isError ? 'Records are not available' : 'Search records by name'}
      description={options.isError ? 'Records could not be loaded; the task can be linked later.' : undefined}
      data={records.map((r) => ({ value: r.id, label: r.type ? `${r.name} (${r.type})` : r.name }))}
      value={value}
      onChange={onChange}
      searchable
      clearable
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options: items }) => items}
      nothingFoundMessage={options.isFetching ? 'Searching…' : 'No records found'}
      disabled={options.isError}
      error={error}
      comboboxProps={{ withinPortal: true }}
    />
  );
}

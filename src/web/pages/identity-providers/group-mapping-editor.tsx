import { Button, Fieldset, Grid, Select, Stack, Text, TextInput } from '@mantine/core';
import { IconPlus, IconTrash } from '../../components/icons.js';
import { newMappingRow, type MappingRow } from './provider-form-values.js';

/**
 * The provider's group mapping: IdP group name → Latchkey security group, one row each. Rows are
 * labelled by their number so each input has its own name for assistive technology.
 */
export function GroupMappingEditor({
  rows,
  onChange,
  groupOptions,
  errors,
  groupsSource,
}: {
  rows: MappingRow[];
  onChange: (rows: MappingRow[]) => void;
  groupOptions: { value: string; label: string }[];
  /** Messages keyed `groupMappings` (the whole list) or `groupMappings.<index>.<field>`. */
  errors: Record<string, string | undefined>;
  /** Where the group names come from ("the groups claim", "the groups attribute"). */
  groupsSource: string;
}) {
  const update = (key: number, change: Partial<MappingRow>) =>
    onChange(rows.map((row) => (row.key === key ? { ...row, ...change } : row)));

  return (
    <Fieldset legend="Group mapping" radius="md">
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          At every sign-in, the group names in {groupsSource} choose the person’s security group; with no match they get
          the default security group. When several match, the group with the fewest permissions wins.
        </Text>
        {rows.length > 0 && (
          <Grid gap="sm" align="flex-end" aria-hidden>
            <Grid.Col span={5}>
              <Text size="sm" fw={500}>
                Identity provider group
              </Text>
            </Grid.Col>
            <Grid.Col span={5}>
              <Text size="sm" fw={500}>
                Security group
              </Text>
            </Grid.Col>
          </Grid>
        )}
        {rows.map((row, index) => {
          const n = index + 1;
          return (
            <Grid key={row.key} gap="sm" align="flex-start">
              <Grid.Col span={5}>
                <TextInput
                  aria-label={`Identity provider group ${n}`}
                  placeholder="e.g. latchkey-admins"
                  value={row.idpGroup}
                  onChange={(event) => update(row.key, { idpGroup: event.currentTarget.value })}
                  error={errors[`groupMappings.${index}.idpGroup`]}
                  maxLength={200}
                />
              </Grid.Col>
              <Grid.Col span={5}>
                <Select
                  aria-label={`Security group ${n}`}
                  placeholder="Choose a security group"
                  data={groupOptions}
                  value={row.securityGroupId}
                  onChange={(value) => update(row.key, { securityGroupId: value })}
                  error={errors[`groupMappings.${index}.securityGroupId`]}
                  allowDeselect={false}
                  searchable
                />
              </Grid.Col>
              <Grid.Col span={2}>
                <Button
                  variant="subtle"
                  color="red"
                  leftSection={<IconTrash size={14} />}
                  aria-label={`Remove mapping ${n}`}
                  onClick={() => onChange(rows.filter((other) => other.key !== row.key))}
                >
                  Remove
                </Button>
              </Grid.Col>
            </Grid>
          );
        })}
        {errors.groupMappings && (
          <Text size="sm" c="red" role="alert">
            {errors.groupMappings}
          </Text>
        )}
        <div>
          <Button
            variant="default"
            leftSection={<IconPlus size={14} />}
            onClick={() => onChange([...rows, newMappingRow()])}
          >
            Add mapping
          </Button>
        </div>
      </Stack>
    </Fieldset>
  );
}

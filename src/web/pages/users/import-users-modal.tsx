/**
 * Import accounts from CSV: choose a file, preview it (every line checked as New User checks it,
 * errors by line and column), import all of it or nothing (confirmed), then the result. No password
 * is ever read from a file: imported accounts get theirs with Reset Password, and must change it.
 */
import { Alert, Anchor, Button, List, Modal, Stack, Table, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { USER_IMPORT_ROWS_MAX, USER_IMPORT_TEMPLATE } from '../../../shared/schemas/users-import.js';
import type { UserImportPreview, UserImportRow } from '../../../shared/schemas/users-import.js';
import { queryKeys } from '../../api/query-keys.js';
import { saveFile } from '../../api/save-file.js';
import { importUsers, previewUserImport } from '../../api/users.js';
import { CsvImportForm, PreviewRowFrame, PreviewTable } from '../../components/csv-import-form.js';
import { IconDownload } from '../../components/icons.js';
import { countOf } from '../../format/count.js';

const ACCOUNT = ['account', 'accounts'] as const;

/** Accounts listed by name in the result. */
const RESULT_LINKS_MAX = 20;

const PASSWORD_NOTE =
  'Imported accounts have no password yet, so nobody can sign in to them until one is set: open the ' +
  'account and use Reset Password on its Password & Security tab. That first password is temporary — ' +
  '“User Must Change Password at Next Login” is on for every imported account.';

export function ImportUsersModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title="Import Users from CSV" size="80rem" centered>
      {opened && <ImportUsersForm onClose={onClose} />}
    </Modal>
  );
}

function ImportUsersForm({ onClose }: { onClose: () => void }) {
  const queryClient = useQueryClient();
  return (
    <CsvImportForm
      fileDescription={`A header row with Email, First Name, Last Name and Security Group (Title, Telephone, Functional Group, Session Timeout are optional). Native accounts only, never passwords. At most ${USER_IMPORT_ROWS_MAX} rows.`}
      preview={previewUserImport}
      runImport={importUsers}
      countOf={(preview) => preview.summary.create}
      hasErrors={(preview) => preview.summary.errors > 0}
      noun={ACCOUNT}
      renderPreview={(preview) => <PreviewResult preview={preview} />}
      confirmation={(count) =>
        `${countOf(count, ['account is', 'accounts are'])} created, all in one go. ${PASSWORD_NOTE}`
      }
      onImported={() => void queryClient.invalidateQueries({ queryKey: queryKeys.users })}
      renderResult={(result) => (
        <Stack gap="sm">
          <Alert color="green" title={`${countOf(result.created, ACCOUNT)} imported`}>
            <Text size="sm">{PASSWORD_NOTE}</Text>
          </Alert>
          <List size="sm" aria-label="Imported accounts">
            {result.users.slice(0, RESULT_LINKS_MAX).map((user) => (
              <List.Item key={user.id}>
                <Anchor component={Link} to={`/users/${user.id}`} onClick={onClose}>
                  {user.email}
                </Anchor>
              </List.Item>
            ))}
          </List>
          {result.users.length > RESULT_LINKS_MAX && (
            <Text size="xs" c="dimmed">
              and {result.users.length - RESULT_LINKS_MAX} more.
            </Text>
          )}
        </Stack>
      )}
      extraButtons={
        <Button
          variant="subtle"
          leftSection={<IconDownload />}
          onClick={() =>
            saveFile(new Blob([USER_IMPORT_TEMPLATE], { type: 'text/csv' }), 'latchkey-users-import-template.csv')
          }
        >
          Download template
        </Button>
      }
      onClose={onClose}
    />
  );
}

function PreviewResult({ preview }: { preview: UserImportPreview }) {
  const { create, errors } = preview.summary;
  return (
    <PreviewTable
      rows={preview.rows}
      errors={errors}
      outcome={`Would create ${countOf(create, ACCOUNT)}.`}
      headers={['Email', 'Name', 'Title', 'Security Group', 'Functional Group', 'Timeout', 'Errors']}
      renderRow={(row) => <PreviewRow key={row.line} row={row} />}
    />
  );
}

const CREATE = { label: 'Create', color: 'green' };

function PreviewRow({ row }: { row: UserImportRow }) {
  return (
    <PreviewRowFrame line={row.line} failed={row.errors.length > 0} action={CREATE}>
      <Table.Td style={{ maxWidth: 240, overflowWrap: 'anywhere' }}>{row.email}</Table.Td>
      <Table.Td style={{ maxWidth: 200, overflowWrap: 'anywhere' }}>
        {`${row.firstName} ${row.lastName}`.trim()}
      </Table.Td>
      <Table.Td style={{ maxWidth: 160, overflowWrap: 'anywhere' }}>{row.title}</Table.Td>
      <Table.Td>{row.securityGroup}</Table.Td>
      <Table.Td style={{ maxWidth: 160, overflowWrap: 'anywhere' }}>{row.functionalGroup}</Table.Td>
      <Table.Td>{row.sessionTimeoutMinutes ?? ''}</Table.Td>
      <Table.Td c="red.8" style={{ maxWidth: 320 }}>
        {row.errors.map((error, index) => (
          <div key={index}>{error.column ? `Line ${row.line}, ${error.column}: ${error.message}` : error.message}</div>
        ))}
      </Table.Td>
    </PreviewRowFrame>
  );
}

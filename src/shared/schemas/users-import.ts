/**
 * CSV import of accounts (POST /api/v1/users/import/preview and /api/v1/users/import): native
 * accounts only, each checked by the same rules as New User, all created or none.
 */
import { z } from 'zod';
import { ImportCsvTextSchema } from './csv-import.js';

/** Data rows per file: each becomes an account with its own audit entry. */
export const USER_IMPORT_ROWS_MAX = 1000;

/**
 * The columns the import reads, by their header (any letter case), with the names our export uses
 * for the same thing. Email, First Name, Last Name and Security Group are required.
 */
export const USER_IMPORT_COLUMNS = {
  email: ['Email'],
  firstName: ['First Name'],
  lastName: ['Last Name'],
  title: ['Title'],
  telephone: ['Telephone'],
  securityGroup: ['Security Group'],
  functionalGroup: ['Functional Group'],
  sessionTimeoutMinutes: ['Session Timeout', 'Timeout'],
  mustChangePassword: ['User Must Change Password at Next Login', 'Must Change Password'],
  userType: ['User Type'],
} as const;
export type UserImportColumn = keyof typeof USER_IMPORT_COLUMNS;
export const USER_IMPORT_REQUIRED_COLUMNS = ['email', 'firstName', 'lastName', 'securityGroup'] as const;
/** Columns of our export that say what an import cannot set (it is a new account): read past, not refused. */
export const USER_IMPORT_IGNORED_COLUMNS = ['Account Status', 'MFA', 'Last Login'] as const;

/** The header row of the template the dialog offers (the import's own column names). */
export const USER_IMPORT_TEMPLATE =
  'Email,First Name,Last Name,Title,Telephone,Security Group,Functional Group,Session Timeout,User Must Change Password at Next Login\r\n' +
  'jane.doe@example.com,Jane,Doe,Analyst,+1 555 0100,Regular User,Finance,60,yes\r\n';

export const ImportUsersSchema = z.object({ csv: ImportCsvTextSchema }).strict();
export type ImportUsersInput = z.infer<typeof ImportUsersSchema>;

export const UserImportErrorSchema = z.object({
  /** The column the error is about (its name as the import knows it), or null for the whole row. */
  column: z.string().nullable(),
  message: z.string(),
});
export type UserImportError = z.infer<typeof UserImportErrorSchema>;

export const UserImportRowSchema = z.object({
  line: z.number(),
  email: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  title: z.string(),
  telephone: z.string(),
  /** The group's name as the installation spells it when found, else as the file wrote it. */
  securityGroup: z.string(),
  functionalGroup: z.string(),
  /** null when the cell is not a number (then there is an error). */
  sessionTimeoutMinutes: z.number().nullable(),
  /** Always true: an imported account has no password until one is set for it (see the description). */
  mustChangePassword: z.boolean(),
  errors: z.array(UserImportErrorSchema),
});
export type UserImportRow = z.infer<typeof UserImportRowSchema>;

export const UserImportPreviewSchema = z.object({
  rows: z.array(UserImportRowSchema),
  summary: z.object({
    /** Accounts the import would create (rows without errors). */
    create: z.number(),
    /** Rows with at least one error: any of them and nothing is imported. */
    errors: z.number(),
  }),
});
export type UserImportPreview = z.infer<typeof UserImportPreviewSchema>;

export const UserImportResultSchema = z.object({
  created: z.number(),
  users: z.array(z.object({ id: z.string(), email: z.string() })),
});
export type UserImportResult = z.infer<typeof UserImportResultSchema>;

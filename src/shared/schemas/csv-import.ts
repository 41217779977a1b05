import { z } from 'zod';

/** The CSV text of an import, in UTF-16 code units (what zod counts); the request body is capped at 1 MiB too. */
export const IMPORT_CSV_MAX = 1024 * 1024;

/** The `csv` field of every import request (records, accounts). */
export const ImportCsvTextSchema = z.string().max(IMPORT_CSV_MAX, 'The file is larger than 1 MiB.');

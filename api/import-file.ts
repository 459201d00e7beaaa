import { parse } from 'csv-parse/sync';
import { CSV_COLUMNS, IMPORT_ROW_LIMIT, ImportEnvelope, REQUIRED_CSV_COLUMNS } from './schemas/import';
import { HttpError, issuesFromZod, httpErrors, type FieldIssue } from './problem-details';

export interface RowError {
  field: string;
  message: string;
}

/** One row of an import as it was sent, numbered from 1, before any of its fields is checked. */
export interface ImportRow {
  row: number;
  /** CSV only: the line of the file on which the row ends (a quoted field may span lines). */
  line?: number;
  input: unknown;
  /** What is wrong with the row's shape itself (a CSV row with more or fewer fields than the header). */
  shapeErrors: RowError[];
}

export interface ImportFile {
  users: ImportRow[];
  groups: ImportRow[];
}

type CsvColumn = (typeof CSV_COLUMNS)[number];
const LIST_SEPARATOR = ';';

const fileProblem = (field: string, message: string, code: string) => httpErrors.validation([{ location: 'body', field, message, code }]);

/** The rows of a text/csv or application/json import; a file that cannot be read at all is a 400 (or 415). */
export function readImportFile(contentType: string | undefined, body: unknown): ImportFile {
  const mediaType = contentType?.split(';')[0].trim().toLowerCase();
  if (mediaType === 'text/csv') return readCsv(typeof body === 'string' ? body : '');
  if (mediaType === 'application/json') return readJson(body);
  throw new HttpError(415, 'unsupported-media-type', 'Unsupported media type', `send the import as text/csv or application/json, not ${mediaType ?? 'a body without a Content-Type'}`);
}

function readJson(body: unknown): ImportFile {
  const envelope = ImportEnvelope.safeParse(body ?? {});
  if (!envelope.success) throw httpErrors.validation(issuesFromZod('body', envelope.error));
  const rows = (items: unknown[]) => items.map((input, index) => ({ row: index + 1, input, shapeErrors: [] }));
  return { users: rows(envelope.data.users), groups: rows(envelope.data.groups) };
}

function readCsv(text: string): ImportFile {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { info: true, relax_column_count: true, skip_empty_lines: true, trim: true, bom: true }) as unknown as typeof records;
  } catch (error) {
    throw fileProblem('(csv)', (error as Error).message, 'invalid_csv');
  }
  const [header, ...rows] = records;
  if (!header) throw fileProblem('(header)', `the file is empty; its first row names the columns (${CSV_COLUMNS.join(',')})`, 'missing_header');
  const columns = headerColumns(header.record);
  if (rows.length > IMPORT_ROW_LIMIT) throw fileProblem('(csv)', `at most ${IMPORT_ROW_LIMIT} rows per import; this file has ${rows.length}`, 'too_big');
  return {
    users: rows.map(({ record, info }, index) => ({
      row: index + 1,
      line: info.lines,
      input: userInput(columns, record),
      shapeErrors: record.length === columns.length ? [] : [{ field: '(row)', message: `has ${record.length} fields; the header has ${columns.length}` }],
    })),
    groups: [],
  };
}

/** Column names are matched without regard to case (a spreadsheet may write "timezone"); each must be known. */
function headerColumns(names: string[]): CsvColumn[] {
  const issues: FieldIssue[] = [];
  const columns = names.map((name) => {
    const column = CSV_COLUMNS.find((known) => known.toLowerCase() === name.toLowerCase());
    if (!column) issues.push({ location: 'body', field: '(header)', message: `unknown column "${name}"; the columns are ${CSV_COLUMNS.join(', ')}`, code: 'unknown_column' });
    return column;
  });
  for (const required of REQUIRED_CSV_COLUMNS) {
    if (!columns.includes(required)) issues.push({ location: 'body', field: '(header)', message: `the column "${required}" is missing`, code: 'missing_column' });
  }
  columns.forEach((column, index) => {
    if (column && columns.indexOf(column) !== index) issues.push({ location: 'body', field: '(header)', message: `the column "${column}" appears twice`, code: 'duplicate_column' });
  });
  if (issues.length > 0) throw httpErrors.validation(issues);
  return columns as CsvColumn[];
}

/** A row as the JSON import would send it: lists split on ";", an empty locale or time zone left out. */
function userInput(columns: CsvColumn[], record: string[]) {
  const cell = (column: CsvColumn) => record[columns.indexOf(column)] ?? '';
  const list = (column: CsvColumn) => cell(column).split(LIST_SEPARATOR).map((part) => part.trim()).filter(Boolean);
  const optional = (column: CsvColumn) => cell(column) || undefined;
  return { email: cell('email'), name: cell('name'), roles: list('roles'), locale: optional('locale'), timeZone: optional('timeZone'), groups: list('groups') };
}

import { z } from 'zod';
import { queryFlag } from './fields';
import { groupName } from './group';
import { emailField, localeField, personName, rolesField, timeZoneField } from './user';
import '../openapi';

/** The most rows one import takes; a larger directory goes in several files. */
export const IMPORT_ROW_LIMIT = 10_000;

/** The CSV header: `email`, `name` and `roles` are required; the others may be left out. */
export const CSV_COLUMNS = ['email', 'name', 'roles', 'locale', 'timeZone', 'groups'] as const;
export const REQUIRED_CSV_COLUMNS = ['email', 'name', 'roles'] as const;

// One row is held to the rules of POST /api/users and POST /api/groups. A locale or time zone left out keeps the
// person's current one (or the default for a new person), so a file that omits them never resets them.
export const ImportUserRow = z
  .strictObject({
    email: emailField,
    name: personName,
    roles: rolesField.openapi({ description: 'replaces the person’s roles' }),
    locale: localeField.optional(),
    timeZone: timeZoneField.optional(),
    groups: z.array(groupName).max(100).default([]).openapi({ description: 'groups to add the person to (created when missing); memberships are never removed' }),
  })
  .openapi('ImportUser');

export const ImportGroupRow = z
  .strictObject({
    name: groupName,
    email: emailField.optional(),
    locale: localeField.optional(),
    lead: emailField.optional().openapi({ description: "the lead's e-mail address: an active user, or one this import creates" }),
  })
  .openapi('ImportGroup');

/** What a JSON import holds (documentation; at run time each row is checked on its own, against the schemas above). */
export const ImportJsonBody = z
  .strictObject({ users: z.array(ImportUserRow).max(IMPORT_ROW_LIMIT).optional(), groups: z.array(ImportGroupRow).max(IMPORT_ROW_LIMIT).optional() })
  .openapi('ImportRequest');

/** Only the envelope is checked as a whole, so a bad row is reported with its number rather than as a bad body. */
export const ImportEnvelope = z.strictObject({
  users: z.array(z.unknown()).max(IMPORT_ROW_LIMIT, `at most ${IMPORT_ROW_LIMIT} rows per import`).default([]),
  groups: z.array(z.unknown()).max(IMPORT_ROW_LIMIT, `at most ${IMPORT_ROW_LIMIT} groups per import`).default([]),
});

export const ImportCsvBody = z.string().openapi({
  description: `a header row, then one person per row. Columns: ${CSV_COLUMNS.join(', ')} (${REQUIRED_CSV_COLUMNS.join(', ')} required); roles and groups separated by ";"`,
  example: 'email,name,roles,locale,timeZone,groups\nmei.chen@example.com,Mei Chen,agent;cab,zh-CN,Asia/Shanghai,Service Desk;Network Operations\n',
});

export const ImportQuery = z.strictObject({
  dryRun: queryFlag.default(true).openapi({ description: 'true (the default): report what would change and write nothing; false: write' }),
  partial: queryFlag.default(false).openapi({ description: 'true: write the valid rows even when some are invalid; false: write nothing while any row is invalid' }),
});

const rowError = z.object({ field: z.string(), message: z.string() });
const action = z.enum(['create', 'update', 'unchanged', 'invalid']);

export const ImportReportSchema = z
  .object({
    dryRun: z.boolean(),
    written: z.boolean().openapi({ description: 'false for a dry run or a refused import; true when what the report lists was written' }),
    summary: z.object({
      users: z.record(action, z.number().int()),
      groups: z.record(action, z.number().int()),
      membershipsAdded: z.number().int(),
    }),
    users: z.array(
      z.object({
        row: z.number().int().openapi({ description: 'the data row, from 1 (the CSV header is not counted)' }),
        line: z.number().int().optional().openapi({ description: 'CSV only: the line of the file on which the row ends' }),
        email: z.string().nullable(),
        action,
        changes: z.array(z.string()).openapi({ description: 'the fields set (create) or changed (update)' }),
        addedToGroups: z.array(z.string()),
        errors: z.array(rowError),
      }),
    ),
    groups: z.array(
      z.object({
        row: z.number().int().nullable().openapi({ description: 'the entry in the JSON groups list, from 1; null for a group only named in users rows' }),
        name: z.string().nullable(),
        action,
        changes: z.array(z.string()),
        errors: z.array(rowError),
      }),
    ),
  })
  .openapi('ImportReport');

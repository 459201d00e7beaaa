import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import express, { type Router } from 'express';
import { ADMINS } from '../auth';
import type { ApiDeps } from '../deps';
import { readImportFile } from '../import-file';
import { ProblemSchema } from '../openapi';
import { defineRoute } from '../route';
import { ImportCsvBody, ImportJsonBody, ImportQuery, ImportReportSchema } from '../schemas/import';
import { applyImport, hasInvalidRows, importReport, invalidImport, planImport } from '../user-import';

/** A CSV of some thousands of people is a few hundred kilobytes; the global JSON limit (1 MB) holds JSON imports. */
const CSV_LIMIT = '5mb';

/** Bulk import of people and their groups: administrators only, as it grants roles. */
export function adminImportRoutes(router: Router, registry: OpenAPIRegistry, deps: ApiDeps) {
  defineRoute(router, registry, {
    method: 'post',
    path: '/api/admin/import',
    operationId: 'importUsersAndGroups',
    summary:
      'Import people (with their roles and groups) and groups from CSV or JSON. A dry run unless dryRun=false; answers what each row would change or did change, and each row’s errors (administrators)',
    tags: ['users', 'groups'],
    roles: ADMINS,
    query: ImportQuery,
    rawBody: { content: { 'text/csv': ImportCsvBody, 'application/json': ImportJsonBody }, parsers: [express.text({ type: 'text/csv', limit: CSV_LIMIT })] },
    responses: {
      200: { description: 'What was written, or for a dry run what would be', schema: ImportReportSchema },
      400: { description: 'The file cannot be read, or a row is invalid and partial is not set: nothing was written', schema: ProblemSchema.extend({ report: ImportReportSchema.optional() }) },
      409: { description: 'Users or groups were created by another request meanwhile, or the import would leave no active administrator; nothing was written' },
      413: { description: 'The body is larger than the limit (CSV 5 MB, JSON 1 MB)' },
      415: { description: 'Neither text/csv nor application/json' },
    },
    async handler({ query, req }) {
      const plan = await planImport(deps.prisma, readImportFile(req.get('content-type'), req.body));
      const invalid = hasInvalidRows(plan);
      if (invalid && !query.partial) throw invalidImport(plan, importReport(plan, { dryRun: query.dryRun, written: false }));
      if (!query.dryRun) await applyImport(deps.prisma, plan);
      return { status: 200, body: importReport(plan, { dryRun: query.dryRun, written: !query.dryRun }) };
    },
  });
}

// `npm run openapi:types` regenerates the typed client's paths from /openapi.json; `npm run lint:openapi` lints it
// with Redocly (redocly.yaml). test/api/openapi-lint.test.ts runs both against the document a real server serves.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import supertest from 'supertest';
import { createApp } from '../api/app';
import type { ApiDeps } from '../api/deps';

const root = path.resolve(__dirname, '..');
export const OPENAPI_TYPES_FILE = path.join(root, 'api/generated/openapi.d.ts');

export type OpenApiDocument = { servers?: { url: string }[]; paths: Record<string, Record<string, { operationId?: string }>> };
export interface LintProblem {
  ruleId: string;
  severity: 'error' | 'warn';
  message: string;
  location: { pointer: string }[];
}

/** Routes touch their dependencies only when a request arrives, so the document needs no database or Temporal. */
export async function documentWithoutStack(): Promise<OpenApiDocument> {
  const app = createApp({ logger: pino({ level: 'silent' }) } as ApiDeps);
  return (await supertest(app).get('/openapi.json').expect(200)).body;
}

/**
 * Runs a tool's CLI on the document (saved to a temporary file) and returns what it printed. A child process,
 * because openapi-typescript loads ES modules that jest's CommonJS runtime cannot.
 */
async function runOnDocument(document: OpenApiDocument, argsFor: (file: string) => string[]): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'itsm-openapi-'));
  try {
    const file = path.join(dir, 'openapi.json');
    await writeFile(file, JSON.stringify(document));
    const { stdout } = await promisify(execFile)(process.execPath, argsFor(file), { cwd: root, env: { ...process.env, REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' }, maxBuffer: 64 << 20 }).catch(
      (error: { stdout?: string }) => {
        // Redocly exits 1 when it finds errors, with its report printed; a tool that printed nothing failed.
        if (!error.stdout) throw error;
        return { stdout: error.stdout };
      },
    );
    return stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function openApiTypes(document: OpenApiDocument): Promise<string> {
  // A property with a default is one the server fills in when a request leaves it out, not one the client must send.
  return runOnDocument(document, (file) => [path.join(root, 'node_modules/openapi-typescript/bin/cli.js'), file, '--default-non-nullable=false']);
}

/** Redocly CLI's problems with the document under the repository's redocly.yaml. */
export async function lintOpenApi(document: OpenApiDocument): Promise<{ totals: { errors: number; warnings: number }; problems: LintProblem[] }> {
  const cli = path.join(root, 'node_modules/@redocly/cli/bin/cli.js');
  return JSON.parse(await runOnDocument(document, (file) => [cli, 'lint', file, '--config', path.join(root, 'redocly.yaml'), '--format=json', '--max-problems=1000']));
}

async function main(command: string | undefined) {
  const document = await documentWithoutStack();
  if (command === 'types') {
    await writeFile(OPENAPI_TYPES_FILE, await openApiTypes(document));
    console.log(`wrote ${path.relative(root, OPENAPI_TYPES_FILE)}`);
  } else if (command === 'lint') {
    const { totals, problems } = await lintOpenApi(document);
    for (const problem of problems) console.log(`${problem.severity} ${problem.ruleId}: ${problem.message} (${problem.location[0]?.pointer})`);
    console.log(`/openapi.json: ${totals.errors} errors, ${totals.warnings} warnings`);
    process.exitCode = totals.errors + totals.warnings > 0 ? 1 : 0;
  } else {
    throw new Error('usage: tsx scripts/openapi.ts types|lint');
  }
}

if (require.main === module) {
  main(process.argv[2]).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}

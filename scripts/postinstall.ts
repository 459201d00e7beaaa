// Runs on every `npm install` / `npm ci`: generate the Prisma client offline, make sure a Temporal CLI exists,
// and bundle the workflows. All are idempotent; the CLI build happens once and is cached under .tools/bin, and
// the bundle is rebuilt only when a workflow, domain module or the lock file changed since it was written.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { provisionTemporalCli } from '../temporal-config/cli';
import { ensureWorkflowBundle } from '../workers/bundle';

function generatePrismaClient() {
  const root = path.resolve(__dirname, '..');
  // `prisma generate` never runs the schema engine, but the CLI insists on one being present; pointing it at an
  // existing file keeps it from trying to download the native binary.
  const env = { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath, PRISMA_HIDE_UPDATE_MESSAGE: '1' };
  const result = spawnSync(process.execPath, [require.resolve('prisma/build/index.js'), 'generate'], { cwd: root, env, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('prisma generate failed');
}

async function main() {
  generatePrismaClient();
  const cli = await provisionTemporalCli();
  console.log(`[temporal-cli] ready: ${cli.path} (${cli.source})`);
  const bundle = await ensureWorkflowBundle((line) => console.log(`[workflows] ${line}`));
  console.log(`[workflows] bundle ready: ${bundle.codePath}`);
}

main().catch((error: Error) => {
  console.error(`[postinstall] ${error.message}`);
  process.exit(1);
});

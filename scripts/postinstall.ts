// Runs on every `npm install` / `npm ci`: generate the Prisma client offline, then make sure a Temporal CLI
// exists. Both are idempotent; the CLI build happens once and is cached under .tools/bin.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { provisionTemporalCli } from '../temporal-config/cli';

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
}

main().catch((error: Error) => {
  console.error(`[postinstall] ${error.message}`);
  process.exit(1);
});

// `npm run db:migrate` and `npm run db:diff -- --name <name>`, on the database the environment selects.
import { parseArgs } from 'node:util';
import { loadEnv } from '../config/env';
import { openDatabase } from './database';
import { applyMigrations, writeMigrationDiff } from './migrate';

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  const env = loadEnv();
  const db = await openDatabase({ url: env.DATABASE_URL, dataDir: env.DATA_DIR });
  try {
    if (command === 'deploy') {
      const applied = await applyMigrations(db.adapterFactory);
      console.log(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'database is up to date');
    } else if (command === 'diff') {
      const { values } = parseArgs({ args: rest, options: { name: { type: 'string' } } });
      if (!values.name) throw new Error('usage: npm run db:diff -- --name <snake_case_name>');
      const written = await writeMigrationDiff(db.adapterFactory, values.name);
      console.log(written ? `wrote ${written}/migration.sql` : 'schema.prisma matches the migrations: nothing to write');
    } else {
      throw new Error(`unknown command "${command}" (deploy | diff)`);
    }
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

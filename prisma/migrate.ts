import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import type { MigrationList } from '@prisma/schema-engine-wasm' with { 'resolution-mode': 'import' };
import { openSchemaEngine, type SchemaEngine } from './schema-engine';

export const PRISMA_DIR = __dirname;
const SCHEMA_PATH = path.join(PRISMA_DIR, 'schema.prisma');
const MIGRATIONS_DIR = path.join(PRISMA_DIR, 'migrations');
const LOCKFILE = 'migration_lock.toml';

/** The migrations folder in the shape `prisma migrate deploy` reads, so either tool can apply it. */
export function readMigrationList(migrationsDir = MIGRATIONS_DIR): MigrationList {
  const lockPath = path.join(migrationsDir, LOCKFILE);
  const directories = existsSync(migrationsDir)
    ? readdirSync(migrationsDir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort()
    : [];
  return {
    baseDir: migrationsDir,
    lockfile: { path: LOCKFILE, content: existsSync(lockPath) ? readFileSync(lockPath, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories: directories.map((name) => {
      const file = path.join(migrationsDir, name, 'migration.sql');
      return {
        path: name,
        migrationFile: {
          path: 'migration.sql',
          content: existsSync(file) ? { tag: 'ok', value: readFileSync(file, 'utf8') } : { tag: 'error', value: `${file} is missing` },
        },
      };
    }),
  } as MigrationList;
}

async function withEngine<T>(adapterFactory: SqlMigrationAwareDriverAdapterFactory, run: (engine: SchemaEngine) => Promise<T>) {
  const engine = await openSchemaEngine(adapterFactory, { path: SCHEMA_PATH, content: readFileSync(SCHEMA_PATH, 'utf8') });
  try {
    return await run(engine);
  } finally {
    engine.free();
  }
}

/** Applies pending migrations and records them in `_prisma_migrations`; returns the names applied now. */
export async function applyMigrations(adapterFactory: SqlMigrationAwareDriverAdapterFactory): Promise<string[]> {
  return withEngine(adapterFactory, async (engine) => {
    const result = await engine.applyMigrations({
      migrationsList: readMigrationList(),
      filters: { externalTables: [], externalEnums: [] },
    });
    return result.appliedMigrationNames;
  });
}

/**
 * Writes `migrations/<timestamp>_<name>/migration.sql` with the SQL that takes a database from the committed
 * migrations (replayed on the adapter's shadow database) to `schema.prisma`. Returns null when nothing changed.
 */
export async function writeMigrationDiff(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  name: string,
  now = new Date(),
): Promise<string | null> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`migration name "${name}" must be snake_case (a-z, 0-9, _)`);
  const migrations = readMigrationList();
  const schema = { path: SCHEMA_PATH, content: readFileSync(SCHEMA_PATH, 'utf8') };
  return withEngine(adapterFactory, async (engine) => {
    const from = migrations.migrationDirectories.length > 0 ? ({ tag: 'migrations', ...migrations } as const) : ({ tag: 'empty' } as const);
    const result = await engine.diff({
      from,
      to: { tag: 'schemaDatamodel', files: [schema] },
      script: true,
      exitCode: null,
      filters: { externalTables: [], externalEnums: [] },
    });
    const sql = (result.stdout ?? '').trim();
    if (sql === '' || sql === '-- This is an empty migration.') return null;
    const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
    const dir = path.join(MIGRATIONS_DIR, `${stamp}_${name}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'migration.sql'), `${sql}\n`);
    const lockPath = path.join(MIGRATIONS_DIR, LOCKFILE);
    if (!existsSync(lockPath)) {
      writeFileSync(lockPath, '# Written by `npm run db:diff`; keep it in version control.\nprovider = "postgresql"\n');
    }
    return dir;
  });
}

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
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

// The engine opens its own connections through the factory and does not release them when freed; left open,
// they keep PostgreSQL from dropping or cloning the database (and keep the process alive).
async function withEngine<T>(adapterFactory: SqlMigrationAwareDriverAdapterFactory, run: (engine: SchemaEngine) => Promise<T>) {
  const opened: SqlDriverAdapter[] = [];
  // The engine disposes some adapters itself; a second dispose would end a pg pool twice, which throws.
  const track = async (adapter: Promise<SqlDriverAdapter>) => {
    const connected = await adapter;
    let disposed: Promise<void> | undefined;
    const dispose = connected.dispose.bind(connected);
    connected.dispose = () => (disposed ??= dispose());
    opened.push(connected);
    return connected;
  };
  const tracking: SqlMigrationAwareDriverAdapterFactory = {
    provider: adapterFactory.provider,
    adapterName: adapterFactory.adapterName,
    connect: () => track(adapterFactory.connect()),
    connectToShadowDb: () => track(adapterFactory.connectToShadowDb()),
  };
  const engine = await openSchemaEngine(tracking, { path: SCHEMA_PATH, content: readFileSync(SCHEMA_PATH, 'utf8') });
  try {
    return await run(engine);
  } finally {
    engine.free();
    await Promise.all(opened.map((adapter) => adapter.dispose()));
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
  const from = migrations.migrationDirectories.length > 0 ? ({ tag: 'migrations', ...migrations } as const) : ({ tag: 'empty' } as const);
  const diff = () =>
    withEngine(adapterFactory, (engine) =>
      engine.diff({ from, to: { tag: 'schemaDatamodel', files: [schema] }, script: true, exitCode: null, filters: { externalTables: [], externalEnums: [] } }),
    );
  let result: Awaited<ReturnType<typeof diff>>;
  for (let attempt = 1; ; attempt++) {
    try {
      result = await diff();
      break;
    } catch (error) {
      // About one diff in ten on a PGlite shadow database fails to read a catalogue column of type "char";
      // the same diff succeeds when run again, so a bounded retry is safe (diff writes nothing to the database).
      if (attempt >= 4 || !/could not be deserialized/.test(String(error))) throw error;
    }
  }
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
}

import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { parseIntoClientConfig } from 'pg-connection-string';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from './generated/client';
import { withCatalogueCharColumns } from './pg-catalog-shim';
import { withPgliteEnumArrays } from './pglite-enum-arrays';
import { lockPgliteDirectory } from './pglite-lock';

export type Db = PrismaClient;

export interface DatabaseTarget {
  /** PostgreSQL URL; without it the embedded PGlite under `dataDir` is used. */
  url?: string;
  dataDir: string;
}

export interface Database {
  prisma: PrismaClient;
  adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  kind: 'pglite' | 'postgresql';
  close(): Promise<void>;
}

/**
 * A throw-away database for `db:diff` to replay the migrations on. The adapter's own version drops it while
 * its pool is still connected (which PostgreSQL refuses), so the pool is ended first here.
 */
async function connectToShadowDatabase(pg: PrismaPg, config: ReturnType<typeof parseIntoClientConfig>): Promise<SqlDriverAdapter> {
  const admin = await pg.connect();
  const name = `prisma_migrate_shadow_db_${randomUUID()}`;
  await admin.executeScript(`CREATE DATABASE "${name}"`);
  const shadow = await new PrismaPg({ ...config, database: name, max: 2 }).connect();
  const dispose = async () => {
    await shadow.dispose();
    await admin.executeScript(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.dispose();
  };
  return Object.assign(Object.create(Object.getPrototypeOf(shadow)), shadow, { dispose });
}

/** The one place that decides which driver adapter the app, the migrator and the tests use. */
export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  if (target.url) {
    const config = parseIntoClientConfig(target.url);
    const pg = new PrismaPg({ ...config, max: 10 });
    const adapterFactory: SqlMigrationAwareDriverAdapterFactory = {
      provider: pg.provider,
      adapterName: pg.adapterName,
      connect: async () => withCatalogueCharColumns(await pg.connect()),
      connectToShadowDb: async () => withCatalogueCharColumns(await connectToShadowDatabase(pg, config)),
    };
    const prisma = new PrismaClient({ adapter: pg });
    return { prisma, adapterFactory, kind: 'postgresql', close: () => prisma.$disconnect() };
  }
  const dir = path.join(target.dataDir, 'pglite');
  mkdirSync(dir, { recursive: true });
  const unlock = lockPgliteDirectory(dir);
  const pglite = await PGlite.create(dir);
  const adapterFactory = withPgliteEnumArrays(new PrismaPGlite(pglite));
  const prisma = new PrismaClient({ adapter: adapterFactory });
  return {
    prisma,
    adapterFactory,
    kind: 'pglite',
    async close() {
      await prisma.$disconnect();
      await pglite.close();
      unlock();
    },
  };
}

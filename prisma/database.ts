import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from './generated/client';

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

/** The one place that decides which driver adapter the app, the migrator and the tests use. */
export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  if (target.url) {
    const adapterFactory = new PrismaPg({ connectionString: target.url, max: 10 });
    const prisma = new PrismaClient({ adapter: adapterFactory });
    return { prisma, adapterFactory, kind: 'postgresql', close: () => prisma.$disconnect() };
  }
  const dir = path.join(target.dataDir, 'pglite');
  mkdirSync(dir, { recursive: true });
  const pglite = await PGlite.create(dir);
  const adapterFactory = new PrismaPGlite(pglite);
  const prisma = new PrismaClient({ adapter: adapterFactory });
  return {
    prisma,
    adapterFactory,
    kind: 'pglite',
    async close() {
      await prisma.$disconnect();
      await pglite.close();
    },
  };
}

import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';

export interface ClusterDatabase {
  /** `host:port` of the PostgreSQL server. */
  address: string;
  user: string;
  /** The database for workflow state and the one for visibility (the lists the UI and search attributes query). */
  name: string;
  visibilityName: string;
}

async function hasSchemaVersionTable(database: ClusterDatabase, name: string): Promise<boolean> {
  const client = new Client({ connectionString: `postgresql://${database.user}@${database.address}/${name}` });
  await client.connect();
  try {
    const { rows } = await client.query<{ present: boolean }>("SELECT to_regclass('public.schema_version') IS NOT NULL AS present");
    return rows[0].present;
  } finally {
    await client.end();
  }
}

function runSqlTool(sqlTool: string, database: ClusterDatabase, name: string, command: string[]): void {
  const [host, port] = database.address.split(':');
  const args = ['--plugin', 'postgres12', '--ep', host, '-p', port, '-u', database.user, '--db', name, ...command];
  const result = spawnSync(sqlTool, args, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`temporal-sql-tool ${command[0]} on ${name} failed (${result.status ?? result.signal}):\n${(result.stderr || result.stdout).trim().split('\n').slice(-10).join('\n')}`);
  }
}

/**
 * Creates both databases and brings their schemas to the versions this server needs. Safe to run at every start:
 * the database is created only when missing, the version table set up only once (setting it up again would reset
 * the recorded version to 0.0), and update-schema applies only the versions after the recorded one.
 */
export async function setUpClusterSchema(sqlTool: string, schemaRoot: string, database: ClusterDatabase): Promise<void> {
  const schemas: Array<[string, string]> = [
    [database.name, 'temporal'],
    [database.visibilityName, 'visibility'],
  ];
  for (const [name, folder] of schemas) {
    runSqlTool(sqlTool, database, name, ['create-database']);
    if (!(await hasSchemaVersionTable(database, name))) runSqlTool(sqlTool, database, name, ['setup-schema', '-v', '0.0']);
    runSqlTool(sqlTool, database, name, ['update-schema', '-d', path.join(schemaRoot, folder, 'versioned')]);
    console.log(`[temporal-cluster] schema of ${name} is up to date`);
  }
}

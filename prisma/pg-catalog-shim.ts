import type { SqlDriverAdapter, SqlQuery, SqlResultSet } from '@prisma/driver-adapter-utils';
import { ColumnTypeEnum, isDriverAdapterError } from '@prisma/driver-adapter-utils';
import type { Pool } from 'pg';

// @prisma/adapter-pg has no column type for PostgreSQL's internal "char" (OID 18), so the schema engine's
// catalogue query on pg_constraint.contype fails with UnsupportedNativeDataType even when it returns no rows.
// Only the catalogue types that query reads are classified here; anything else still fails as before.
const CATALOGUE_COLUMN_TYPES: Record<number, number> = {
  16: ColumnTypeEnum.Boolean,
  18: ColumnTypeEnum.Character,
  19: ColumnTypeEnum.Text,
  20: ColumnTypeEnum.Int64,
  21: ColumnTypeEnum.Int32,
  23: ColumnTypeEnum.Int32,
  25: ColumnTypeEnum.Text,
  26: ColumnTypeEnum.Int64,
  1043: ColumnTypeEnum.Text,
};

function isUnsupportedChar(error: unknown): boolean {
  return isDriverAdapterError(error) && error.cause.kind === 'UnsupportedNativeDataType' && error.cause.type === 'char';
}

/**
 * Used only for the migration engine's connections; the application's queries never touch "char" columns.
 * It also sends each migration script whole: the adapter's own executeScript splits it on every ";", which
 * cuts apart function bodies ($$ ... $$) and even comments. PostgreSQL runs a multi-statement simple query
 * as one implicit transaction, so a failing migration leaves nothing half-applied.
 */
export function withCatalogueCharColumns(adapter: SqlDriverAdapter): SqlDriverAdapter {
  const pool = () => (adapter as SqlDriverAdapter & { underlyingDriver(): Pool }).underlyingDriver();
  adapter.executeScript = async (script: string) => {
    await pool().query(script);
  };
  const queryRaw = adapter.queryRaw.bind(adapter);
  adapter.queryRaw = async (query: SqlQuery): Promise<SqlResultSet> => {
    try {
      return await queryRaw(query);
    } catch (error) {
      if (!isUnsupportedChar(error)) throw error;
      const result = await pool().query({ text: query.sql, values: query.args as unknown[], rowMode: 'array' });
      const columnTypes = result.fields.map((field) => CATALOGUE_COLUMN_TYPES[field.dataTypeID]);
      if (columnTypes.some((type) => type === undefined)) throw error;
      return { columnNames: result.fields.map((field) => field.name), columnTypes, rows: result.rows } as SqlResultSet;
    }
  };
  return adapter;
}

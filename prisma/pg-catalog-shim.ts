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

/** Used only for the migration engine's connections; the application's queries never touch "char" columns. */
export function withCatalogueCharColumns(adapter: SqlDriverAdapter): SqlDriverAdapter {
  const queryRaw = adapter.queryRaw.bind(adapter);
  adapter.queryRaw = async (query: SqlQuery): Promise<SqlResultSet> => {
    try {
      return await queryRaw(query);
    } catch (error) {
      if (!isUnsupportedChar(error)) throw error;
      const pool = (adapter as SqlDriverAdapter & { underlyingDriver(): Pool }).underlyingDriver();
      const result = await pool.query({ text: query.sql, values: query.args as unknown[], rowMode: 'array' });
      const columnTypes = result.fields.map((field) => CATALOGUE_COLUMN_TYPES[field.dataTypeID]);
      if (columnTypes.some((type) => type === undefined)) throw error;
      return { columnNames: result.fields.map((field) => field.name), columnTypes, rows: result.rows } as SqlResultSet;
    }
  };
  return adapter;
}

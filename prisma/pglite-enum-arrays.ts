import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory, SqlQuery, Transaction } from '@prisma/driver-adapter-utils';

// PGlite serialises a parameter by the type the server describes for it; an array of a user-defined enum
// (`roles: { has: 'manager' }` compares against "Role"[]) is unknown to it and goes out as "manager,cab", which
// PostgreSQL refuses as a malformed array literal. Sending enum lists as array literals fixes every such filter.
const quote = (value: string) => `"${value.replace(/["\\]/g, (ch) => `\\${ch}`)}"`;

function withEnumListsAsLiterals(query: SqlQuery): SqlQuery {
  const args = query.args.map((arg, i) => {
    const type = query.argTypes[i];
    return Array.isArray(arg) && type?.arity === 'list' && type.scalarType === 'enum' ? `{${arg.map((value) => (value === null ? 'NULL' : quote(String(value)))).join(',')}}` : arg;
  });
  return { ...query, args };
}

function wrapQueries<T extends Pick<SqlDriverAdapter, 'queryRaw' | 'executeRaw'>>(target: T): T {
  const queryRaw = target.queryRaw.bind(target);
  const executeRaw = target.executeRaw.bind(target);
  target.queryRaw = (query) => queryRaw(withEnumListsAsLiterals(query));
  target.executeRaw = (query) => executeRaw(withEnumListsAsLiterals(query));
  return target;
}

export function withPgliteEnumArrays(factory: SqlMigrationAwareDriverAdapterFactory): SqlMigrationAwareDriverAdapterFactory {
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = wrapQueries(await connect());
    const startTransaction = adapter.startTransaction.bind(adapter);
    adapter.startTransaction = async (isolationLevel) => wrapQueries<Transaction>(await startTransaction(isolationLevel));
    return adapter;
  };
  return factory;
}

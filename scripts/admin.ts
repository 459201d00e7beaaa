// `npm run admin -- <command>`: the first administrator and tokens for an organisation without demo data, on the
// database the environment selects (PGlite in DATA_DIR, or DATABASE_URL). A new token goes to stdout, alone and
// once, so `TOKEN=$(npm run --silent admin -- issue-token --email …)` captures it; everything else goes to stderr.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { createUserWithToken } from '../api/accounts';
import { HttpError } from '../api/problem-details';
import { expiresInDaysField, tokenLabelField } from '../api/schemas/token';
import { CreateUserBody } from '../api/schemas/user';
import { issueToken, tokenExpiry, tokenStatus } from '../api/tokens';
import { ConfigError, loadEnv } from '../config/env';
import { openDatabase, type Db } from '../prisma/database';
import { applyMigrations } from '../prisma/migrate';
import { DatabaseInUseError } from '../prisma/pglite-lock';

const USAGE = `usage: npm run admin -- <command> [options]

  create-user  --email <address> --name <name> --role <role> [--role <role> ...]
               [--locale en|zh-CN] [--time-zone <IANA zone>] [--label <text>] [--expires-in-days <n>]
               creates a person and issues their first API token
  issue-token  --email <address> [--label <text>] [--expires-in-days <n>]
               issues another API token to an active person
  list-users   everyone, with roles and how many active tokens they hold (never a token)

roles: requester, agent, manager, cab, auditor, admin. A token is printed once, on stdout, and kept nowhere.`;

const OPTIONS = {
  email: { type: 'string' },
  name: { type: 'string' },
  role: { type: 'string', multiple: true },
  locale: { type: 'string' },
  'time-zone': { type: 'string' },
  label: { type: 'string' },
  'expires-in-days': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The command-line flag for each field the shared schemas validate, so a refusal names what the operator typed. */
const FLAGS: Record<string, string> = { email: '--email', name: '--name', roles: '--role', locale: '--locale', timeZone: '--time-zone', label: '--label', expiresInDays: '--expires-in-days' };

/** Wrong input: the message says which flag and why; exit code 2, as for usage errors. */
class UsageError extends Error {}
/** A command the database refuses (no such person, a deactivated one): exit code 1. */
class Refusal extends Error {}

function valid<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new UsageError(
    result.error.issues
      .map((issue) => {
        const field = String(issue.path[0] ?? '');
        const given = issue.path.length > 1 ? ` "${(input as Record<string, unknown[]>)[field][Number(issue.path[1])]}"` : '';
        return `${FLAGS[field] ?? field}${given}: ${issue.message}`;
      })
      .join('\n'),
  );
}

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

function required(values: Values, name: 'email' | 'name'): string {
  const value = values[name];
  if (value === undefined) throw new UsageError(`--${name} is required`);
  return value;
}

const TokenFlags = z.object({ label: tokenLabelField, expiresInDays: expiresInDaysField.optional() });

function grant(values: Values, defaultLabel: string) {
  const raw = values['expires-in-days'];
  if (raw !== undefined && !/^\d+$/.test(raw)) throw new UsageError(`--expires-in-days "${raw}": must be a whole number of days`);
  const { label, expiresInDays } = valid(TokenFlags, { label: values.label ?? defaultLabel, expiresInDays: raw === undefined ? undefined : Number(raw) });
  const expiresAt = tokenExpiry({ expiresInDays });
  return { label, expiresAt, describe: `label "${label}", ${expiresAt ? `expires ${expiresAt.toISOString()}` : 'does not expire'}` };
}

function printOnce(token: string, describe: string) {
  console.error(`API token (${describe}); shown only this once, store it now:`);
  console.log(token);
}

type Command = (values: Values) => (prisma: Db) => Promise<void>;

// Each command checks its flags before the database is opened: a typo costs nothing.
const createUserCommand: Command = (values) => {
  const user = valid(CreateUserBody, {
    email: required(values, 'email'),
    name: required(values, 'name'),
    roles: values.role ?? [],
    locale: values.locale,
    timeZone: values['time-zone'],
  });
  const token = grant(values, 'first token');
  return async (prisma) => {
    const created = await createUserWithToken(prisma, user, token);
    console.error(`created ${created.user.email} (${created.user.roles.join(', ')}), id ${created.user.id}`);
    printOnce(created.secret, token.describe);
  };
};

const issueTokenCommand: Command = (values) => {
  const { email } = valid(CreateUserBody.pick({ email: true }), { email: required(values, 'email') });
  const token = grant(values, 'issued with npm run admin');
  return async (prisma) => {
    const user = await prisma.user.findFirst({ where: { email: { equals: email, mode: 'insensitive' } } });
    if (!user) throw new Refusal(`no user ${email}`);
    if (user.deactivatedAt) throw new Refusal(`${user.email} was deactivated at ${user.deactivatedAt.toISOString()}; reactivate them first`);
    const issued = await issueToken(prisma, { userId: user.id, label: token.label, expiresAt: token.expiresAt });
    console.error(`issued to ${user.email}, token id ${issued.token.id}`);
    printOnce(issued.secret, token.describe);
  };
};

const listUsersCommand: Command = () => async (prisma) => {
  const users = await prisma.user.findMany({ orderBy: { email: 'asc' }, include: { tokens: { select: { revokedAt: true, expiresAt: true } } } });
  const now = new Date();
  const rows = users.map((user) => [
    user.email,
    user.name,
    user.roles.join(','),
    user.locale,
    user.timeZone,
    user.deactivatedAt ? 'deactivated' : 'active',
    String(user.tokens.filter((token) => tokenStatus(token, now) === 'active').length),
  ]);
  const table = [['EMAIL', 'NAME', 'ROLES', 'LOCALE', 'TIME ZONE', 'STATUS', 'ACTIVE TOKENS'], ...rows];
  const widths = table[0].map((_, column) => Math.max(...table.map((row) => row[column].length)));
  for (const row of table) console.log(row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd());
  if (users.length === 0) console.error('no users yet: create the first administrator with npm run admin -- create-user --email <address> --name <name> --role admin');
};

const COMMANDS: Record<string, Command> = {
  'create-user': createUserCommand,
  'issue-token': issueTokenCommand,
  'list-users': listUsersCommand,
};

async function main() {
  const { values, positionals } = parseArgs({ args: process.argv.slice(2), options: OPTIONS, allowPositionals: true, strict: true });
  const [command, ...extra] = positionals;
  if (values.help || !command) {
    console.error(USAGE);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  if (!Object.hasOwn(COMMANDS, command)) throw new UsageError(`unknown command "${command}" (${Object.keys(COMMANDS).join(', ')})`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}" (values go after their flag, e.g. --name "Ada Lovelace")`);
  const run = COMMANDS[command](values);
  const env = loadEnv();
  const db = await openDatabase({ url: env.DATABASE_URL, dataDir: env.DATA_DIR });
  try {
    const applied = await applyMigrations(db.adapterFactory);
    if (applied.length > 0) console.error(`database: applied ${applied.join(', ')}`);
    await run(db.prisma);
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  // parseArgs reports unknown or incomplete flags as TypeErrors with a readable message.
  const usage = error instanceof UsageError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'));
  const message = error instanceof HttpError || error instanceof ConfigError || error instanceof Refusal || error instanceof DatabaseInUseError || usage ? (error as Error).message : error;
  console.error('error:', message);
  if (usage) console.error('(npm run admin -- --help for usage)');
  process.exitCode = usage ? 2 : 1;
});

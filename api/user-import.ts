import type { z } from 'zod';
import type { Db } from '../prisma/database';
import type { Group, Role, User } from '../prisma/generated/client';
import type { ImportFile, ImportRow, RowError } from './import-file';
import { HttpError, issuesFromZod, httpErrors } from './problem-details';
import { ImportGroupRow, ImportUserRow } from './schemas/import';
import { forgetTokenGrants } from './token-cache';
import { keepAnAdministrator } from './user-directory';

type Action = 'create' | 'update' | 'unchanged' | 'invalid';
type UserInput = z.infer<typeof ImportUserRow>;
type GroupInput = z.infer<typeof ImportGroupRow>;

interface UserPlan {
  row: number;
  line?: number;
  email: string | null;
  errors: RowError[];
  input?: UserInput;
  existing?: User;
  action: Action;
  changes: string[];
  addedToGroups: string[];
}

interface GroupPlan {
  /** Its entry in the JSON groups list; null for a group only named in users rows. */
  row: number | null;
  name: string | null;
  errors: RowError[];
  input?: GroupInput;
  existing?: Group;
  /** The lead, when they exist already (a lead this import creates gets an id only when it is written). */
  leadId?: string;
  action: Action;
  changes: string[];
}

export interface ImportPlan {
  users: UserPlan[];
  groups: GroupPlan[];
  /** [group key, user e-mail] pairs to add; both may be created by the same import. */
  memberships: [string, string][];
}

// Group names and e-mail addresses are matched without regard to case, as the group and user routes do.
const keyOf = (name: string) => name.toLowerCase();
const sameRoles = (a: Role[], b: Role[]) => a.length === b.length && a.every((role) => b.includes(role));

function checked<S extends z.ZodType>(schema: S, row: ImportRow) {
  const parsed = schema.safeParse(row.input);
  const errors = [...row.shapeErrors, ...(parsed.success ? [] : issuesFromZod('body', parsed.error).map(({ field, message }) => ({ field, message })))];
  return { errors, input: parsed.success && errors.length === 0 ? (parsed.data as z.infer<S>) : undefined };
}

/** The e-mail as sent, to name an invalid row in the report. */
const sentEmail = (input: unknown) => (typeof (input as { email?: unknown })?.email === 'string' ? (input as { email: string }).email : null);
const sentName = (input: unknown) => (typeof (input as { name?: unknown })?.name === 'string' ? (input as { name: string }).name : null);

/** The first plan for each key (a later one repeating it is refused by refuseRepeats). */
function firstBy<T>(plans: T[], keyOfPlan: (plan: T) => string | null | undefined): Map<string, T> {
  const first = new Map<string, T>();
  for (const plan of plans) {
    const key = keyOfPlan(plan);
    if (key && !first.has(key)) first.set(key, plan);
  }
  return first;
}

/** Marks every row after the first that repeats a key, so one file cannot say two things about one person or group. */
function refuseRepeats<T extends { row: number | null; errors: RowError[] }>(plans: T[], keyOfPlan: (plan: T) => string | undefined, field: string, what: string) {
  const first = firstBy(plans, keyOfPlan);
  for (const plan of plans) {
    const earlier = first.get(keyOfPlan(plan) ?? '');
    if (earlier && earlier !== plan) plan.errors.push({ field, message: `${what} is also on row ${earlier.row}` });
  }
}

/**
 * What importing the file would do, row by row, read from the database in a handful of queries whatever the
 * number of rows. Writes nothing.
 */
export async function planImport(prisma: Db, file: ImportFile): Promise<ImportPlan> {
  const users: UserPlan[] = file.users.map((row) => {
    const { errors, input } = checked(ImportUserRow, row);
    return { row: row.row, line: row.line, email: input?.email ?? sentEmail(row.input), errors, input, action: 'invalid', changes: [], addedToGroups: [] };
  });
  const groupRows: GroupPlan[] = file.groups.map((row) => {
    const { errors, input } = checked(ImportGroupRow, row);
    return { row: row.row, name: input?.name ?? sentName(row.input), errors, input, action: 'invalid', changes: [] };
  });
  refuseRepeats(users, (plan) => plan.input?.email, 'email', 'this e-mail address');
  refuseRepeats(groupRows, (plan) => plan.input && keyOf(plan.input.name), 'name', 'this group');

  const emails = [...users.flatMap((plan) => (plan.input ? [plan.input.email] : [])), ...groupRows.flatMap((plan) => (plan.input?.lead ? [plan.input.lead] : []))];
  const groupNames = [...groupRows.flatMap((plan) => (plan.input ? [plan.input.name] : [])), ...users.flatMap((plan) => plan.input?.groups ?? [])];
  const [knownUsers, knownGroups, admins] = await Promise.all([
    prisma.user.findMany({ where: { email: { in: [...new Set(emails)], mode: 'insensitive' } } }),
    prisma.group.findMany({ where: { name: { in: [...new Set(groupNames)], mode: 'insensitive' } } }),
    prisma.user.findMany({ where: { roles: { has: 'admin' }, deactivatedAt: null }, select: { id: true } }),
  ]);
  const userByEmail = new Map(knownUsers.map((user) => [keyOf(user.email), user]));
  const groupByKey = new Map(knownGroups.map((group) => [keyOf(group.name), group]));
  // By the name as sent, so a users row naming a group whose entry is invalid is refused rather than creating it bare.
  const groupRowByKey = firstBy(groupRows, (plan) => plan.name && keyOf(plan.name.trim()));
  const memberships = await prisma.groupMember.findMany({ where: { groupId: { in: knownGroups.map((g) => g.id) }, userId: { in: knownUsers.map((u) => u.id) } } });
  const isMember = new Set(memberships.map((m) => `${m.groupId}:${m.userId}`));

  for (const plan of users) {
    if (!plan.input) continue;
    plan.existing = userByEmail.get(plan.input.email);
    if (plan.existing?.deactivatedAt) plan.errors.push({ field: 'email', message: `${plan.existing.email} is deactivated; reactivate them first (POST /api/users/${plan.existing.id}/reactivate)` });
    plan.input.groups.forEach((name, index) => {
      if (groupByKey.get(keyOf(name))?.deactivatedAt) plan.errors.push({ field: `groups.${index}`, message: `group "${name}" is deactivated` });
    });
  }
  for (const plan of groupRows) {
    if (!plan.input) continue;
    plan.existing = groupByKey.get(keyOf(plan.input.name));
    if (plan.existing?.deactivatedAt) plan.errors.push({ field: 'name', message: `group "${plan.existing.name}" is deactivated; reactivate it first` });
    const lead = plan.input.lead && userByEmail.get(plan.input.lead);
    if (lead && lead.deactivatedAt) plan.errors.push({ field: 'lead', message: `${lead.email} is deactivated` });
    plan.leadId = lead ? lead.id : undefined;
  }
  // Rows depend on each other (a group on the row of its lead, a row on its groups' entries, the last
  // administrator on every row): an error can make another row invalid, so the checks repeat until none is added.
  const rowOf = firstBy(users, (plan) => plan.input?.email);
  let added: boolean;
  do {
    added = refuseLosingTheLastAdministrator(users, admins.map((admin) => admin.id));
    for (const plan of groupRows) {
      const lead = plan.input?.lead;
      if (plan.errors.length > 0 || !lead || plan.leadId) continue;
      const leadRow = rowOf.get(lead);
      if (leadRow && leadRow.errors.length === 0) continue;
      plan.errors.push({ field: 'lead', message: leadRow ? `${lead} is on users row ${leadRow.row}, which has errors` : `no user ${lead}, and this import does not create one` });
      added = true;
    }
    for (const plan of users) {
      if (plan.errors.length > 0 || !plan.input) continue;
      plan.input.groups.forEach((name, index) => {
        if (groupRowByKey.get(keyOf(name))?.errors.length) plan.errors.push({ field: `groups.${index}`, message: `group "${name}" has errors in the groups list` });
      });
      added ||= plan.errors.length > 0;
    }
  } while (added);
  const validUsers = users.filter((plan) => plan.errors.length === 0);

  // Groups named only in users rows are created with the spelling first seen, when a valid row needs them.
  const implicit = new Map<string, GroupPlan>();
  for (const name of validUsers.flatMap((plan) => plan.input!.groups)) {
    const key = keyOf(name);
    if (groupRowByKey.has(key) || implicit.has(key)) continue;
    const existing = groupByKey.get(key);
    implicit.set(key, { row: null, name: existing?.name ?? name, errors: [], existing, action: existing ? 'unchanged' : 'create', changes: existing ? [] : ['name'] });
  }
  for (const plan of groupRows) {
    if (plan.errors.length > 0 || !plan.input) continue;
    const { input, existing } = plan;
    if (!existing) {
      plan.action = 'create';
      plan.changes = ['name', ...(['email', 'locale', 'lead'] as const).filter((field) => input[field] !== undefined)];
      continue;
    }
    plan.changes = [
      ...(input.email !== undefined && input.email !== existing.email ? ['email'] : []),
      ...(input.locale !== undefined && input.locale !== existing.locale ? ['locale'] : []),
      ...(input.lead !== undefined && plan.leadId !== existing.leadId ? ['lead'] : []),
    ];
    plan.action = plan.changes.length > 0 ? 'update' : 'unchanged';
  }

  const groupPlans = [...groupRows, ...[...implicit.values()].sort((a, b) => a.name!.localeCompare(b.name!))];
  const writableGroup = new Map(groupPlans.filter((plan) => plan.errors.length === 0).map((plan) => [keyOf(plan.name!), plan]));
  const toAdd: [string, string][] = [];
  for (const plan of validUsers) {
    const input = plan.input!;
    for (const key of new Set(input.groups.map(keyOf))) {
      const group = writableGroup.get(key)!;
      if (plan.existing && group.existing && isMember.has(`${group.existing.id}:${plan.existing.id}`)) continue;
      toAdd.push([key, input.email]);
      plan.addedToGroups.push(group.name!);
    }
    const membership = plan.addedToGroups.length > 0 ? ['groups'] : [];
    if (!plan.existing) {
      plan.action = 'create';
      plan.changes = ['email', 'name', 'roles', 'locale', 'timeZone', ...membership];
      continue;
    }
    const existing = plan.existing;
    plan.changes = [
      ...(input.name !== existing.name ? ['name'] : []),
      ...(!sameRoles(input.roles, existing.roles) ? ['roles'] : []),
      ...(input.locale !== undefined && input.locale !== existing.locale ? ['locale'] : []),
      ...(input.timeZone !== undefined && input.timeZone !== existing.timeZone ? ['timeZone'] : []),
      ...membership,
    ];
    plan.action = plan.changes.length > 0 ? 'update' : 'unchanged';
  }
  return { users, groups: groupPlans, memberships: toAdd };
}

/** An import may demote administrators, but not every active one: nobody could then administer the system. */
function refuseLosingTheLastAdministrator(users: UserPlan[], activeAdminIds: string[]): boolean {
  const valid = users.filter((plan) => plan.errors.length === 0 && plan.input);
  const demoting = valid.filter((plan) => plan.existing && activeAdminIds.includes(plan.existing.id) && !plan.input!.roles.includes('admin'));
  if (demoting.length === 0) return false;
  const remaining = activeAdminIds.filter((id) => !demoting.some((plan) => plan.existing!.id === id)).length;
  const arriving = valid.filter((plan) => plan.input!.roles.includes('admin') && !(plan.existing && activeAdminIds.includes(plan.existing.id))).length;
  if (remaining + arriving > 0) return false;
  for (const plan of demoting) plan.errors.push({ field: 'roles', message: 'would leave no active administrator' });
  return true;
}

/** Everything the plan would write, in one transaction: all of it is written or none of it. */
export async function applyImport(prisma: Db, plan: ImportPlan) {
  const creating = plan.users.filter((user) => user.errors.length === 0 && user.action === 'create').map((user) => user.input!);
  const updating = plan.users.filter((user) => user.errors.length === 0 && user.action === 'update' && user.changes.some((field) => field !== 'groups'));
  const demoted = updating.filter((user) => user.existing!.roles.includes('admin') && !user.input!.roles.includes('admin')).map((user) => user.existing!.id);
  const promoted = [...creating, ...updating.map((user) => user.input!)].filter((input) => input.roles.includes('admin')).length;
  const groupsWritten = plan.groups.filter((group) => group.errors.length === 0 && (group.action === 'create' || group.action === 'update'));
  try {
    await prisma.$transaction(
      async (tx) => {
        if (demoted.length > 0) await keepAnAdministrator(tx, demoted, promoted);
        const created = await tx.user.createManyAndReturn({
          data: creating.map(({ email, name, roles, locale, timeZone }) => ({ email, name, roles, locale, timeZone })),
          select: { id: true, email: true },
        });
        for (const { existing, input } of updating) {
          await tx.user.update({ where: { id: existing!.id }, data: { name: input!.name, roles: input!.roles, locale: input!.locale, timeZone: input!.timeZone } });
        }
        const userId = new Map([...plan.users.flatMap((user) => (user.existing && user.input ? [[user.input.email, user.existing.id] as const] : [])), ...created.map((user) => [user.email, user.id] as const)]);
        const groupId = new Map(plan.groups.flatMap((group) => (group.existing ? [[keyOf(group.existing.name), group.existing.id] as const] : [])));
        for (const group of groupsWritten) {
          const lead = group.input?.lead;
          const settings = { email: group.input?.email, locale: group.input?.locale, leadId: group.leadId ?? (lead === undefined ? undefined : userId.get(lead)) };
          if (group.existing) await tx.group.update({ where: { id: group.existing.id }, data: settings });
          else groupId.set(keyOf(group.name!), (await tx.group.create({ data: { name: group.name!, ...settings }, select: { id: true } })).id);
        }
        await tx.groupMember.createMany({ data: plan.memberships.map(([group, email]) => ({ groupId: groupId.get(group)!, userId: userId.get(email)! })), skipDuplicates: true });
      },
      // A few thousand rows take seconds on PGlite, more than the default five-second limit allows.
      { timeout: 120_000, maxWait: 10_000 },
    );
    // Roles and profiles changed: what the importees' tokens grant changed with them.
    if (updating.length > 0) forgetTokenGrants(prisma);
  } catch (error) {
    if ((error as { code?: string }).code === 'P2002') {
      throw httpErrors.conflict('another request created some of these users or groups meanwhile; nothing was written; run the import again', { currentState: 'changed-meanwhile' });
    }
    throw error;
  }
}

export function importReport(plan: ImportPlan, options: { dryRun: boolean; written: boolean }) {
  const count = (plans: { action: Action; errors: RowError[] }[]) => {
    const totals: Record<Action, number> = { create: 0, update: 0, unchanged: 0, invalid: 0 };
    for (const plan of plans) totals[plan.errors.length > 0 ? 'invalid' : plan.action] += 1;
    return totals;
  };
  const action = (plan: { action: Action; errors: RowError[] }): Action => (plan.errors.length > 0 ? 'invalid' : plan.action);
  return {
    dryRun: options.dryRun,
    written: options.written,
    summary: { users: count(plan.users), groups: count(plan.groups), membershipsAdded: plan.memberships.length },
    users: plan.users.map((user) => ({
      row: user.row,
      ...(user.line === undefined ? {} : { line: user.line }),
      email: user.email,
      action: action(user),
      changes: user.errors.length > 0 ? [] : user.changes,
      addedToGroups: user.errors.length > 0 ? [] : user.addedToGroups,
      errors: user.errors,
    })),
    groups: plan.groups.map((group) => ({ row: group.row, name: group.name, action: action(group), changes: group.errors.length > 0 ? [] : group.changes, errors: group.errors })),
  };
}

export const hasInvalidRows = (plan: ImportPlan) => [...plan.users, ...plan.groups].some((row) => row.errors.length > 0);

/** 400 naming the first bad row and field; the whole report goes with it, so every error can be fixed at once. */
export function invalidImport(plan: ImportPlan, report: ReturnType<typeof importReport>) {
  const issues = [
    ...plan.users.flatMap((user) => user.errors.map((error) => ({ section: 'users', row: user.row, line: user.line, ...error }))),
    ...plan.groups.flatMap((group) => group.errors.map((error) => ({ section: 'groups', row: group.row, line: undefined, ...error }))),
  ];
  const first = issues[0];
  const badRows = report.summary.users.invalid + report.summary.groups.invalid;
  const where = `${first.section} row ${first.row}${first.line === undefined ? '' : ` (line ${first.line})`}`;
  return new HttpError(400, 'validation-error', 'Invalid request', `${where}: ${first.field}: ${first.message}; ${badRows} row(s) with errors, nothing was written (partial=true writes the valid rows)`, {
    errors: issues.map((issue) => ({ location: 'body', field: `${issue.section}.${issue.row}.${issue.field}`, message: issue.message, code: 'invalid_row' })),
    report,
  });
}

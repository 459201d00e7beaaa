import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PRIORITIES } from '../domain/priority';
import { recordCatalogItemVersion } from '../api/catalog-item-versions';
import { recordSlaPolicyVersion } from '../api/sla-policy-versions';
import { ADMIN_TOKEN_LABEL, checkToken, hashToken, issueToken } from '../api/tokens';
import type { Db } from './database';
import type { Prisma, Role } from './generated/client';
import { refreshCalendarSources } from '../records/holiday-sources';
import {
  DEMO_ARTICLES,
  DEMO_BLACKOUTS,
  DEMO_BOARDS,
  DEMO_CALENDARS,
  DEMO_CATALOG_ITEMS,
  DEMO_CHANGE_TEMPLATES,
  DEMO_CIS,
  DEMO_ENTITLEMENTS,
  DEMO_ERP_WINDOWS,
  DEMO_GROUPS,
  DEMO_MANAGERS,
  DEMO_PROBLEM_POLICIES,
  DEMO_RELATIONSHIPS,
  DEMO_SERVICES,
  DEMO_SLA_TARGETS,
  DEMO_TREND_RULES,
  DEMO_USERS,
} from './seed-data';

type DemoKey = (typeof DEMO_USERS)[number]['key'];

/** Idempotent: every row is upserted on its natural key, so a restart re-runs it without duplicating anything. */
export async function seedDemoData(prisma: Db): Promise<Record<DemoKey, string>> {
  const userIds = {} as Record<DemoKey, string>;
  for (const user of DEMO_USERS) {
    const row = await prisma.user.upsert({
      where: { email: user.email },
      update: {},
      create: { email: user.email, name: user.name, locale: user.locale, timeZone: user.timeZone, roles: [...user.roles] as Role[] },
    });
    userIds[user.key] = row.id;
  }
  const groupIds: Record<string, string> = {};
  for (const group of DEMO_GROUPS) {
    const row = await prisma.group.upsert({
      where: { name: group.name },
      update: {},
      create: { name: group.name, email: group.email, leadId: userIds[group.lead] },
    });
    groupIds[group.name] = row.id;
    for (const member of group.members) {
      await prisma.groupMember.upsert({
        where: { groupId_userId: { groupId: row.id, userId: userIds[member] } },
        update: {},
        create: { groupId: row.id, userId: userIds[member] },
      });
    }
  }
  const calendarIds: Record<string, string> = {};
  // The demo calendars read the chinese-days package, no feed.
  const NO_INTERNAL_FEEDS = { internalHosts: [] };
  for (const { owner, ...calendar } of DEMO_CALENDARS) {
    const data = { ...calendar, weekly: calendar.weekly as Prisma.InputJsonObject, holidays: [...calendar.holidays], holidayPresets: [...calendar.holidayPresets], extraWorkingDays: [...calendar.extraWorkingDays], ownerId: userIds[owner] };
    const row = await prisma.businessCalendar.upsert({ where: { name: calendar.name }, update: {}, create: data });
    calendarIds[calendar.name] = row.id;
    // The package's days are there from the first start; the daily refresh keeps them current afterwards.
    if (row.chineseDays && !(await prisma.calendarSource.count({ where: { calendarId: row.id } }))) await refreshCalendarSources(prisma, row, new Date(), NO_INTERNAL_FEEDS);
  }
  for (const service of DEMO_SERVICES) {
    const row = await prisma.service.upsert({
      where: { code: service.code },
      update: {},
      create: { code: service.code, name: service.name, description: service.description, ownerId: userIds[service.owner], defaultGroupId: groupIds[service.defaultGroup], serviceHoursCalendarId: calendarIds[service.serviceHours], availabilityTargetPercent: service.availabilityTarget, mailAddress: service.mailAddress },
    });
    // Demo data from before routing existed gets its default group too; one an administrator chose is kept.
    await prisma.service.updateMany({ where: { id: row.id, defaultGroupId: null }, data: { defaultGroupId: groupIds[service.defaultGroup] } });
    for (const priority of PRIORITIES) {
      const target = DEMO_SLA_TARGETS[priority];
      const settings = {
        calendarId: calendarIds[target.calendar],
        responseTargetSeconds: target.response,
        resolutionTargetSeconds: target.resolution,
        progressUpdateEverySeconds: target.progressEvery,
        unassignedAlertSeconds: target.unassignedAlert,
        escalationChain: [
          { level: 1, atFraction: 0.75, notify: ['assignee', 'groupLead'] },
          { level: 2, atFraction: 1, notify: ['groupLead', 'serviceOwner'] },
          { level: 3, atFraction: 1.5, notify: ['serviceOwner', { userEmail: 'li.wei@itsm.local' }] },
        ],
      };
      const policy = await prisma.slaPolicy.upsert({ where: { serviceId_priority: { serviceId: row.id, priority } }, update: {}, create: { serviceId: row.id, priority, ...settings } });
      if (!(await prisma.slaPolicyVersion.count({ where: { policyId: policy.id } }))) await recordSlaPolicyVersion(prisma, policy, null, 'demo data');
    }
  }
  await seedChangeManagement(prisma, userIds, calendarIds);
  await seedCmdb(prisma, userIds);
  await seedProblemManagement(prisma, userIds);
  await seedCatalog(prisma, userIds, groupIds, calendarIds);
  return userIds;
}

async function seedCatalog(prisma: Db, userIds: Record<DemoKey, string>, groupIds: Record<string, string>, calendarIds: Record<string, string>) {
  // A manager an administrator set since is kept.
  for (const [person, manager] of Object.entries(DEMO_MANAGERS)) await prisma.user.updateMany({ where: { id: userIds[person as DemoKey], managerId: null }, data: { managerId: userIds[manager] } });
  for (const { service, calendar, fulfilment, ...item } of DEMO_CATALOG_ITEMS) {
    if (await prisma.catalogItem.findUnique({ where: { code: item.code } })) continue;
    const { ci: ciCode, ...fields } = { ci: null as string | null, ...item };
    const ci = ciCode ? await prisma.configurationItem.findUniqueOrThrow({ where: { code: ciCode } }) : null;
    const created = await prisma.catalogItem.create({
      data: {
        ...fields,
        ciId: ci?.id,
        serviceId: (await prisma.service.findUniqueOrThrow({ where: { code: service } })).id,
        calendarId: calendarIds[calendar],
        fulfilment: { mode: fulfilment.mode, tasks: fulfilment.tasks.map(({ group, ...task }) => ({ ...task, groupId: groupIds[group] })) },
      },
    });
    await recordCatalogItemVersion(prisma, created, null, 'demo data');
  }
  for (const demo of DEMO_ENTITLEMENTS) {
    const ci = await prisma.configurationItem.findUniqueOrThrow({ where: { code: demo.ci } });
    const item = await prisma.catalogItem.findUniqueOrThrow({ where: { code: demo.item } });
    const held = { userId: userIds[demo.user], ciId: ci.id, role: demo.role };
    if (!(await prisma.entitlement.findFirst({ where: held }))) await prisma.entitlement.create({ data: { ...held, itemId: item.id, since: new Date() } });
  }
}

async function seedCmdb(prisma: Db, userIds: Record<DemoKey, string>) {
  const ciIds: Record<string, string> = {};
  for (const ci of DEMO_CIS) {
    const service = 'service' in ci ? await prisma.service.findUniqueOrThrow({ where: { code: ci.service } }) : null;
    const row = await prisma.configurationItem.upsert({
      where: { code: ci.code },
      update: {},
      create: {
        code: ci.code,
        name: ci.name,
        type: ci.type,
        ownerId: userIds[ci.owner],
        serviceId: service?.id,
        attributes: ci.attributes,
        purchasedAt: 'warrantyDays' in ci ? new Date(Date.now() - 1_000 * 86_400_000) : undefined,
        warrantyEndsAt: 'warrantyDays' in ci ? new Date(Date.now() + ci.warrantyDays * 86_400_000) : undefined,
        licenceSeats: 'seats' in ci ? ci.seats[0] : undefined,
        seatsInUse: 'seats' in ci ? ci.seats[1] : undefined,
        history: { create: { kind: 'created', diff: { source: 'demo data' } } },
      },
    });
    ciIds[ci.code] = row.id;
  }
  await prisma.ciRelationship.createMany({
    data: DEMO_RELATIONSHIPS.map(([source, type, target]) => ({ sourceId: ciIds[source], type, targetId: ciIds[target] })),
    skipDuplicates: true,
  });
}

async function seedProblemManagement(prisma: Db, userIds: Record<DemoKey, string>) {
  for (const priority of PRIORITIES) {
    const policy = { ...DEMO_PROBLEM_POLICIES[priority], coordinatorId: userIds.manager };
    await prisma.problemPolicy.upsert({ where: { priority }, update: {}, create: { priority, ...policy } });
  }
  for (const rule of DEMO_TREND_RULES) {
    await prisma.trendRule.upsert({ where: { dimension: rule.dimension }, update: {}, create: rule });
  }
  for (const article of DEMO_ARTICLES) {
    if (await prisma.article.findFirst({ where: { title: article.title } })) continue;
    const fields = { title: article.title, body: article.body, tags: [...article.tags], status: 'published' as const };
    await prisma.article.create({
      data: { ...fields, language: article.language, authorId: userIds.agent, publishedAt: new Date(), versions: { create: { ...fields, version: 1, editorId: userIds.agent } } },
    });
  }
}

async function seedChangeManagement(prisma: Db, userIds: Record<DemoKey, string>, calendarIds: Record<string, string>) {
  for (const board of DEMO_BOARDS) {
    const row = await prisma.approvalBoard.upsert({
      where: { code: board.code },
      update: {},
      create: {
        code: board.code,
        name: board.name,
        chairId: userIds[board.chair],
        quorum: board.quorum,
        calendarId: calendarIds[board.calendar],
        decisionSeconds: board.decisionSeconds,
        remindBeforeSeconds: [...board.remindBeforeSeconds],
        escalateBeforeSeconds: board.escalateBeforeSeconds,
        reviewSeconds: board.reviewSeconds,
        secondLevelBoard: board.secondLevel?.board,
        secondLevelCostAbove: board.secondLevel?.costAbove,
        secondLevelRiskAtLeast: board.secondLevel?.riskAtLeast,
      },
    });
    await prisma.approvalBoardMember.createMany({ data: board.members.map((member) => ({ boardId: row.id, userId: userIds[member] })), skipDuplicates: true });
  }
  for (const { services, ciTypes, maxRisk, ...template } of DEMO_CHANGE_TEMPLATES) {
    const serviceIds = await prisma.service.findMany({ where: { code: { in: [...services] } }, select: { id: true } });
    const scope = { ciTypes: [...ciTypes], maxRisk, services: { create: serviceIds.map((s) => ({ serviceId: s.id })) } };
    const row = await prisma.standardChangeTemplate.upsert({ where: { name: template.name }, update: {}, create: { ...template, ...scope }, include: { services: true } });
    // A demo template from before templates had a scope covers nothing, so no standard change could cite it.
    if (row.services.length === 0) await prisma.standardChangeTemplate.update({ where: { id: row.id }, data: scope });
  }
  const erp = await prisma.service.findUniqueOrThrow({ where: { code: 'ERP' } });
  for (const window of DEMO_ERP_WINDOWS) {
    const existing = await prisma.maintenanceWindow.findFirst({ where: { serviceId: erp.id, startsAt: window.startsAt } });
    if (!existing) await prisma.maintenanceWindow.create({ data: { ...window, serviceId: erp.id } });
  }
  for (const blackout of DEMO_BLACKOUTS) {
    const { service, ...fields } = blackout;
    const serviceId = (await prisma.service.findUniqueOrThrow({ where: { code: service } })).id;
    const existing = await prisma.blackoutPeriod.findFirst({ where: { name: blackout.name, serviceId } });
    if (!existing) await prisma.blackoutPeriod.create({ data: { ...fields, serviceId } });
  }
}

/** Gives a user a token with a fixed label, replacing any earlier token of that label. */
export async function setUserToken(prisma: Db, userId: string, label: string, token: string) {
  await prisma.$transaction([
    prisma.apiToken.deleteMany({ where: { userId, label } }),
    prisma.apiToken.create({ data: { userId, label, tokenHash: hashToken(token) } }),
  ]);
}

/**
 * Demo tokens are kept in `<DATA_DIR>/demo-tokens.json` (mode 0600) so they can be printed on every start; the
 * database holds only their hashes. A kept token that was revoked or has expired is replaced by a new one (it
 * stays dead); a deactivated person's is dropped. ITSM_ADMIN_TOKEN, when given, becomes the demo admin's token
 * instead of a generated one and is not returned: the operator knows it, and nothing may print it.
 */
export async function provisionDemoTokens(prisma: Db, dataDir: string, userIds: Record<DemoKey, string>, adminToken?: string) {
  const file = path.join(dataDir, 'demo-tokens.json');
  const stored: Partial<Record<DemoKey, string>> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const tokens: Partial<Record<DemoKey, string>> = {};
  for (const key of Object.keys(userIds) as DemoKey[]) {
    if (key === 'admin' && adminToken) {
      await adoptDemoAdminToken(prisma, userIds.admin, adminToken);
      continue;
    }
    const kept = stored[key];
    const check = kept ? await checkToken(prisma, kept) : null;
    if (check?.ok) tokens[key] = kept;
    else if (check?.ok === false && check.refusal === 'deactivated') continue;
    // A database started afresh beside a kept file gets the kept secrets again, so printed tokens stay valid.
    else tokens[key] = (await issueToken(prisma, { userId: userIds[key], label: 'demo', expiresAt: null }, check?.refusal === 'unknown' ? kept : undefined)).secret;
  }
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(tokens, null, 2));
  chmodSync(file, 0o600);
  return tokens;
}

/** The operator's token replaces the demo admin's generated one (revoked, so the trail stays) rather than living beside it. */
async function adoptDemoAdminToken(prisma: Db, adminId: string, secret: string) {
  // A token the database knows is left as it is: a revoked or expired one is not revived by a restart.
  if (await prisma.apiToken.findUnique({ where: { tokenHash: hashToken(secret) } })) return;
  await prisma.$transaction(async (tx) => {
    await tx.apiToken.updateMany({ where: { userId: adminId, label: { in: ['demo', ADMIN_TOKEN_LABEL] }, revokedAt: null }, data: { revokedAt: new Date() } });
    await issueToken(tx, { userId: adminId, label: ADMIN_TOKEN_LABEL, expiresAt: null }, secret);
  });
}

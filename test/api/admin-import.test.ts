import { databaseKinds } from '../support/databases';
import { startHarness, type DemoRole, type Harness } from '../support/harness';

const HEADER = 'email,name,roles,locale,timeZone,groups';
const TEAMS = ['Import Team A', 'Import Team B', 'Import Team C', 'Import Team D', 'Import Team E'];
const ZONES = ['Asia/Shanghai', 'Europe/London', 'America/New_York', 'UTC'];

/** One person per row; every row adds its person to one or two groups, some to an existing one ("Service Desk"). */
function directory(rows: number, change: (row: number, cells: string[]) => string[] = (_row, cells) => cells) {
  const lines = [HEADER];
  for (let row = 1; row <= rows; row += 1) {
    const n = String(row).padStart(4, '0');
    const groups = [TEAMS[row % TEAMS.length], ...(row % 50 === 0 ? ['Service Desk'] : [])];
    const cells = [`person${n}@import.example`, `"Person ${n}, Imported"`, row % 10 === 0 ? 'agent;cab' : 'agent', row % 3 === 0 ? 'zh-CN' : 'en', ZONES[row % ZONES.length], groups.join(';')];
    lines.push(change(row, cells).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
const MEMBERSHIPS_IN_DIRECTORY = 1_000 + 1_000 / 50;

describe.each(databaseKinds())('bulk import of users and groups on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind);
  });
  afterAll(() => h?.close());

  const importCsv = (csv: string, query: Record<string, string> = {}, role: DemoRole = 'admin') =>
    h.http.post('/api/admin/import').query(query).set(h.as(role)).set('Content-Type', 'text/csv').send(csv);
  const importJson = (body: object, query: Record<string, string> = {}) => h.http.post('/api/admin/import').query(query).set(h.as('admin')).send(body);
  const counts = async () => ({
    users: await h.db.prisma.user.count(),
    groups: await h.db.prisma.group.count(),
    memberships: await h.db.prisma.groupMember.count(),
  });

  describe('a directory of 1,000 people', () => {
    const bad = directory(1_000, (row, cells) => (row === 537 ? ['person0537-at-import.example', ...cells.slice(1)] : cells));
    const good = directory(1_000);
    let empty: Awaited<ReturnType<typeof counts>>;
    beforeAll(async () => {
      empty = await counts();
    });

    it('with one bad row: 400 naming the row and the field, with the whole report, and nothing written', async () => {
      const response = await importCsv(bad, { dryRun: 'false' });
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.detail).toMatch(/^users row 537 \(line 538\): email: /);
      expect(response.body.errors).toEqual([expect.objectContaining({ location: 'body', field: 'users.537.email' })]);
      expect(response.body.report.summary.users).toEqual({ create: 999, update: 0, unchanged: 0, invalid: 1 });
      expect(response.body.report.users[536]).toMatchObject({ row: 537, line: 538, action: 'invalid', errors: [{ field: 'email', message: expect.any(String) }] });
      expect(response.body.report.written).toBe(false);
      expect(await counts()).toEqual(empty);
    });

    it('fixed, as a dry run (the default): reports every row it would create and writes nothing', async () => {
      const response = await importCsv(good);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ dryRun: true, written: false, summary: { users: { create: 1_000, invalid: 0 }, groups: { create: 5, unchanged: 1 }, membershipsAdded: MEMBERSHIPS_IN_DIRECTORY } });
      expect(response.body.users[0]).toEqual({ row: 1, line: 2, email: 'person0001@import.example', action: 'create', changes: ['email', 'name', 'roles', 'locale', 'timeZone', 'groups'], addedToGroups: ['Import Team B'], errors: [] });
      expect(await counts()).toEqual(empty);
    });

    it('fixed and applied: creates every person, the groups it names and the memberships', async () => {
      const response = await importCsv(good, { dryRun: 'false' });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ dryRun: false, written: true, summary: { users: { create: 1_000 }, groups: { create: 5 }, membershipsAdded: MEMBERSHIPS_IN_DIRECTORY } });
      expect(await counts()).toEqual({ users: empty.users + 1_000, groups: empty.groups + 5, memberships: empty.memberships + MEMBERSHIPS_IN_DIRECTORY });
      const person = await h.db.prisma.user.findUniqueOrThrow({ where: { email: 'person0050@import.example' }, include: { memberOf: { include: { group: true } } } });
      expect(person).toMatchObject({ name: 'Person 0050, Imported', roles: ['agent', 'cab'], locale: 'en', timeZone: 'America/New_York', deactivatedAt: null });
      expect(person.memberOf.map((m) => m.group.name).sort()).toEqual(['Import Team A', 'Service Desk']);
      expect(await h.db.prisma.groupMember.count({ where: { group: { name: 'Import Team C' } } })).toBe(200);
    });

    it('the same file again changes nothing', async () => {
      const before = await counts();
      const lastUpdate = await h.db.prisma.user.aggregate({ _max: { updatedAt: true } });
      const response = await importCsv(good, { dryRun: 'false' });
      expect(response.status).toBe(200);
      expect(response.body.summary).toEqual({
        users: { create: 0, update: 0, unchanged: 1_000, invalid: 0 },
        groups: { create: 0, update: 0, unchanged: 6, invalid: 0 },
        membershipsAdded: 0,
      });
      expect(response.body.users.every((row: { action: string; changes: string[] }) => row.action === 'unchanged' && row.changes.length === 0)).toBe(true);
      expect(await counts()).toEqual(before);
      expect(await h.db.prisma.user.aggregate({ _max: { updatedAt: true } })).toEqual(lastUpdate);
    });

    it('reports the fields a changed row changes, and adds memberships without removing any', async () => {
      const changed = `${HEADER}\nperson0001@import.example,Person One,agent;manager,,Asia/Tokyo,Import Team A\n`;
      const response = await importCsv(changed, { dryRun: 'false' });
      expect(response.status).toBe(200);
      expect(response.body.users).toEqual([
        { row: 1, line: 2, email: 'person0001@import.example', action: 'update', changes: ['name', 'roles', 'timeZone', 'groups'], addedToGroups: ['Import Team A'], errors: [] },
      ]);
      const person = await h.db.prisma.user.findUniqueOrThrow({ where: { email: 'person0001@import.example' }, include: { memberOf: { include: { group: true } } } });
      // An empty locale keeps the person's language; memberships the file does not name stay.
      expect(person).toMatchObject({ name: 'Person One', roles: ['agent', 'manager'], locale: 'en', timeZone: 'Asia/Tokyo' });
      expect(person.memberOf.map((m) => m.group.name).sort()).toEqual(['Import Team A', 'Import Team B']);
    });
  });

  it('with partial=true writes the valid rows and reports the others', async () => {
    const before = await counts();
    const csv = [
      HEADER,
      'partial.one@import.example,Partial One,requester,en,UTC,Partial Team',
      'partial.two@import.example,Partial Two,boss,en,UTC,Partial Team',
      'partial.three@import.example,Partial Three,agent,fr,Mars/Base,',
      'partial.four@import.example,Partial Four,agent',
      'PARTIAL.ONE@import.example,Partial One Again,agent,en,UTC,',
    ].join('\n');
    const dry = await importCsv(csv, { partial: 'true' });
    expect(dry.status).toBe(200);
    expect(await counts()).toEqual(before);
    const response = await importCsv(csv, { partial: 'true', dryRun: 'false' });
    expect(response.status).toBe(200);
    expect(response.body.summary).toMatchObject({ users: { create: 1, invalid: 4 }, groups: { create: 1 }, membershipsAdded: 1 });
    expect(response.body.users.map((row: { row: number; errors: { field: string }[] }) => [row.row, row.errors.map((e) => e.field)])).toEqual([
      [1, []],
      [2, ['roles.0']],
      [3, ['locale', 'timeZone']],
      [4, ['(row)']],
      [5, ['email']],
    ]);
    expect(response.body.users[4].errors[0].message).toBe('this e-mail address is also on row 1');
    expect(await counts()).toEqual({ users: before.users + 1, groups: before.groups + 1, memberships: before.memberships + 1 });
  });

  it('imports JSON: groups with their address, language and a lead the same file creates', async () => {
    const body = {
      users: [
        { email: 'lead.person@import.example', name: 'Lead Person', roles: ['agent'], timeZone: 'Asia/Shanghai', groups: ['JSON Team'] },
        { email: 'member.person@import.example', name: 'Member Person', roles: ['agent'], locale: 'zh-CN', groups: ['JSON Team', 'network operations'] },
      ],
      groups: [{ name: 'JSON Team', email: 'json.team@import.example', locale: 'zh-CN', lead: 'lead.person@import.example' }],
    };
    const response = await importJson(body, { dryRun: 'false' });
    expect(response.status).toBe(200);
    expect(response.body.groups).toEqual([
      { row: 1, name: 'JSON Team', action: 'create', changes: ['name', 'email', 'locale', 'lead'], errors: [] },
      { row: null, name: 'Network Operations', action: 'unchanged', changes: [], errors: [] },
    ]);
    const group = await h.db.prisma.group.findUniqueOrThrow({ where: { name: 'JSON Team' }, include: { lead: true, members: true } });
    expect(group).toMatchObject({ email: 'json.team@import.example', locale: 'zh-CN', lead: { email: 'lead.person@import.example' } });
    expect(group.members).toHaveLength(2);
    const again = await importJson(body, { dryRun: 'false' });
    expect(again.body.summary).toEqual({ users: { create: 0, update: 0, unchanged: 2, invalid: 0 }, groups: { create: 0, update: 0, unchanged: 2, invalid: 0 }, membershipsAdded: 0 });

    const unknownLead = await importJson({ groups: [{ name: 'Leaderless', lead: 'nobody@import.example' }] });
    expect(unknownLead.status).toBe(400);
    expect(unknownLead.body.errors).toEqual([expect.objectContaining({ field: 'groups.1.lead' })]);
  });

  it('refuses rows that would deactivate the last administrator or touch a deactivated person', async () => {
    const leaver = await h.http.post('/api/users').set(h.as('admin')).send({ email: 'gone@import.example', name: 'Gone', roles: ['agent'] });
    expect((await h.http.post(`/api/users/${leaver.body.id}/deactivate`).set(h.as('admin')).send({})).status).toBe(200);
    const csv = `${HEADER}\nadmin@itsm.local,Ada Admin,manager,,,\ngone@import.example,Gone,agent,,,\n`;
    const response = await importCsv(csv, { dryRun: 'false' });
    expect(response.status).toBe(400);
    expect(response.body.errors.map((e: { field: string }) => e.field)).toEqual(['users.1.roles', 'users.2.email']);
    expect((await h.db.prisma.user.findUniqueOrThrow({ where: { email: 'admin@itsm.local' } })).roles).toEqual(['admin']);
    // Another administrator in the same file makes the change safe.
    const handover = `${HEADER}\nadmin@itsm.local,Ada Admin,manager,,,\nnew.admin@import.example,New Admin,admin,,,\n`;
    expect((await importCsv(handover)).body.summary.users).toEqual({ create: 1, update: 1, unchanged: 0, invalid: 0 });
  });

  it('answers 400 naming the field for a file it cannot read, 415 for another media type, and writes nothing', async () => {
    const before = await counts();
    const cases: [() => ReturnType<typeof importCsv>, string, string][] = [
      [() => importCsv('email,name,roles,department\n'), 'body', '(header)'],
      [() => importCsv('email,name\nx@import.example,X\n'), 'body', '(header)'],
      [() => importCsv(''), 'body', '(header)'],
      [() => importCsv(`${HEADER}\n"unclosed@import.example,X,agent,,,\n`), 'body', '(csv)'],
      [() => importCsv(`${HEADER}\n`, { dryRun: 'no' }), 'query', 'dryRun'],
      [() => importCsv(`${HEADER}\n`, { partial: 'yes' }), 'query', 'partial'],
      [() => importJson({ users: 'everyone' }), 'body', 'users'],
      [() => importJson({ people: [] }), 'body', 'people'],
    ];
    for (const [send, location, field] of cases) {
      const response = await send();
      expect([field, response.status]).toEqual([field, 400]);
      expect(response.body.errors).toContainEqual(expect.objectContaining({ location, field }));
    }
    const plain = await h.http.post('/api/admin/import').set(h.as('admin')).set('Content-Type', 'text/plain').send('email\n');
    expect(plain.status).toBe(415);
    expect(plain.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(await counts()).toEqual(before);
  });

  it('answers 403 to anyone but an administrator, before reading the file', async () => {
    const before = await counts();
    for (const role of ['manager', 'agent', 'requester'] as const) {
      const response = await importCsv(directory(3), { dryRun: 'false' }, role);
      expect([role, response.status]).toEqual([role, 403]);
    }
    expect(await counts()).toEqual(before);
  });

  it('documents both request media types in /openapi.json', async () => {
    const document = (await h.http.get('/openapi.json')).body;
    const operation = document.paths['/api/admin/import'].post;
    expect(Object.keys(operation.requestBody.content).sort()).toEqual(['application/json', 'text/csv']);
    expect(operation.operationId).toBe('importUsersAndGroups');
  });
});

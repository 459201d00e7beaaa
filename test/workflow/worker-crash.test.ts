import { eventually, startHarness, type Harness } from '../support/harness';
import { mailsFor, openIncidentVia, secondScaleService, slaEvents } from '../support/sla-fixtures';
import { describeOnPostgres, harnessDatabaseName, killWorkerProcess, startWorkerProcess } from '../support/worker-process';

const EXPECTED_KEYS = ['resolution:warning:0.5', 'resolution:warning:0.75', 'resolution:warning:0.9', 'resolution:breach', 'escalation:1', 'escalation:2', 'escalation:3'];

describeOnPostgres('a worker SIGKILLed in the middle of the SLA timeline', () => {
  let h: Harness;
  let databaseName: string;
  beforeAll(async () => {
    h = await startHarness('postgresql', { inProcessWorker: false });
    databaseName = await harnessDatabaseName(h);
  });
  afterAll(() => h?.close());

  const startWorker = () => startWorkerProcess(h, databaseName);
  const kill = killWorkerProcess;

  it('misses nothing and repeats nothing: every escalation once, every mail once unless its send was cut off mid-way', async () => {
    const service = await secondScaleService(
      h,
      {
        responseSeconds: 600,
        resolutionSeconds: 6,
        progressEverySeconds: 2,
        escalationChain: [
          { level: 1, atFraction: 1, notify: ['serviceOwner'] },
          { level: 2, atFraction: 1.25, notify: ['serviceOwner', { userEmail: 'admin@itsm.local' }] },
          { level: 3, atFraction: 1.5, notify: [{ userEmail: 'admin@itsm.local' }] },
        ],
      },
      { P3: { resolutionSeconds: 6 } },
    );
    let worker = await startWorker();
    const incidents = [];
    for (let i = 0; i < 3; i++) incidents.push(await openIncidentVia(h, service.id));

    await new Promise((resolve) => setTimeout(resolve, 3_500));
    await kill(worker); // mid-way: some warnings done, the rest still ahead
    const firedBeforeRestart = (await Promise.all(incidents.map((i) => slaEvents(h, i.id)))).flat().length;
    await new Promise((resolve) => setTimeout(resolve, 4_000)); // deadlines pass while no worker runs
    worker = await startWorker();
    try {
      for (const incident of incidents) {
        const events = await eventually(async () => {
          const found = await slaEvents(h, incident.id);
          if (!found.some((e) => (e.data as { key: string }).key === 'escalation:3')) throw new Error(`${incident.reference}: ${found.length} events`);
          return found;
        }, 40_000);
        const keys = events.map((e) => (e.data as { key: string }).key).filter((key) => !key.startsWith('progress:'));
        expect(keys).toEqual(EXPECTED_KEYS);
        const progress = events.filter((e) => e.type === 'sla.progress').map((e) => (e.data as { key: string }).key);
        expect(new Set(progress).size).toBe(progress.length);
      }
      expect(firedBeforeRestart).toBeGreaterThan(0);

      for (const incident of incidents) {
        const rows = await eventually(async () => {
          const found = await h.db.prisma.notification.findMany({ where: { incidentId: incident.id } });
          if (found.filter((row) => row.kind === 'escalation').length < 4 || found.some((row) => row.status !== 'sent')) throw new Error(`escalation mail not all sent yet: ${JSON.stringify(found.map((r) => [r.kind, r.recipient, r.status, r.attempts]))}`);
          return found;
        }, 45_000);
        expect(rows.filter((row) => row.kind === 'escalation').map((row) => row.recipient).sort()).toEqual(['admin@itsm.local', 'admin@itsm.local', 'li.wei@itsm.local', 'li.wei@itsm.local']);
      }

      // A second crash and restart replays every history again: still nothing new and nothing repeated.
      await kill(worker);
      worker = await startWorker();
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      for (const incident of incidents) {
        const rows = await h.db.prisma.notification.findMany({ where: { incidentId: incident.id, status: 'sent' } });
        const mails = await mailsFor(incident.id);
        const slaKeys = (await slaEvents(h, incident.id)).map((e) => (e.data as { key: string }).key).filter((key) => !key.startsWith('progress:'));
        expect(slaKeys).toEqual(EXPECTED_KEYS);
        // SMTP has no transactions: a kill after the hand-off and before the row is marked sent resends that one
        // mail when the activity is retried. Replays never do. So a mail arrives twice only where the record shows
        // a retried send, and the copy carries the same Message-ID, by which mail systems drop it.
        for (const row of rows) {
          const copies = mails.filter((mail) => mail.headers['x-itsm-idempotency-key'] === row.idempotencyKey);
          expect(copies.length).toBeGreaterThanOrEqual(1);
          if (copies.length > 1) {
            expect([row.idempotencyKey, row.attempts > 1]).toEqual([row.idempotencyKey, true]);
            expect(new Set(copies.map((mail) => mail.headers['message-id'])).size).toBe(1);
            expect(copies.length).toBeLessThanOrEqual(row.attempts);
          }
        }
      }
    } finally {
      await kill(worker);
    }
  }, 120_000);
});

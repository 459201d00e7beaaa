import { eventually, startHarness, type Harness } from '../support/harness';
import { authoriseAndFinish, changeInWindow, planRelease, releaseAction, shellAdapter } from '../support/release-fixtures';
import { describeOnPostgres, harnessDatabaseName, killWorkerProcess, startWorkerProcess } from '../support/worker-process';

describeOnPostgres('a worker SIGKILLed during a long deploy step', () => {
  let h: Harness;
  let databaseName: string;
  beforeAll(async () => {
    h = await startHarness('postgresql', { inProcessWorker: false });
    databaseName = await harnessDatabaseName(h);
  });
  afterAll(() => h?.close());

  it('resumes on another worker: the interrupted step runs again, no finished step runs twice', async () => {
    const adapter = await shellAdapter(h, { SLOW_AT: 'deploy:staging', SLOW_SECONDS: '4' });
    let worker = await startWorkerProcess(h, databaseName);
    try {
      const change = await changeInWindow(h);
      const release = await planRelease(h, adapter.name, { changeIds: [change.id] });
      await releaseAction(h, release.id, 'start');
      await eventually(() => Promise.resolve(expect(adapter.lines()).toContain('deploy:staging start')));
      await killWorkerProcess(worker);
      worker = await startWorkerProcess(h, databaseName);
      await authoriseAndFinish(h, release.id);

      const once = (step: string, env: string) => [`${step}:${env} start`, `${step}:${env} done`];
      expect(adapter.lines()).toEqual([
        ...once('build', '-'),
        ...once('test', '-'),
        ...once('deploy', 'test'),
        ...once('verify', 'test'),
        'deploy:staging start', // killed with the worker
        'deploy:staging start',
        'deploy:staging done',
        ...once('verify', 'staging'),
        ...once('deploy', 'production'),
        ...once('verify', 'production'),
      ]);
      const steps = await h.db.prisma.releaseStep.findMany({ where: { releaseId: release.id } });
      expect(Object.fromEntries(steps.map((s) => [`${s.step}:${s.environment ?? '-'}`, `${s.status} x${s.attempts}`]))).toEqual({
        'build:-': 'succeeded x1',
        'test:-': 'succeeded x1',
        'deploy:test': 'succeeded x1',
        'verify:test': 'succeeded x1',
        'deploy:staging': 'succeeded x2',
        'verify:staging': 'succeeded x1',
        'deploy:production': 'succeeded x1',
        'verify:production': 'succeeded x1',
      });
    } finally {
      await killWorkerProcess(worker);
    }
  }, 120_000);
});

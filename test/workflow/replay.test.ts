import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.resolve(__dirname, '../..');
const HISTORIES = path.join(ROOT, 'test', 'histories');

// Recorded with `ITSM_RECORD_HISTORIES=1 npm test -- test/workflow/incident-sla test/workflow/change-approval test/workflow/problem-management test/workflow/release test/workflow/complaints test/e2e/satisfaction-survey test/api/security-release test/workflow/supplier-review test/workflow/continuity-tests test/workflow/competence test/workflow/annual-audit test/workflow/request-fulfilment test/e2e/request-fulfilment test/workflow/access-recertification test/workflow/calendar-holidays test/workflow/outages test/api/availability`. A change to the workflow that
// would break incidents already running makes this fail: guard such a change with patched(). It runs the same
// command a developer runs, `npm run replay`. continuity-test-failed.json and competence-review-done.json were
// recorded before those processes ran on the kernel (b905be6): they keep the unpatched branch replaying.
describe('replay of recorded incident, change, problem, release and complaint histories', () => {
  it('replays every recorded history with the current workflow code', async () => {
    const files = readdirSync(HISTORIES).filter((file) => file.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    const { stdout } = await promisify(execFile)(process.execPath, [require.resolve('tsx/cli'), 'workers/replay-histories.ts', HISTORIES], { cwd: ROOT });
    for (const file of files) expect(stdout).toContain(`replayed ${file}`);
    expect(stdout).toContain(`${files.length} replayed, 0 failed`);
  });
});

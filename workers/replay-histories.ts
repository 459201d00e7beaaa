// `npm run replay [-- <dir>]`: replays recorded workflow histories (JSON, as `temporal workflow show -o json`
// writes them) against the current workflow code. A failure means the change would break running workflows:
// guard it with patched().
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { WORKFLOWS_PATH } from './worker';

async function main() {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const dir = path.resolve(process.argv[2] ?? path.join(__dirname, '..', 'test', 'histories'));
  const files = readdirSync(dir).filter((file) => file.endsWith('.json')).sort();
  const workflowBundle = process.env.ITSM_TEST_WORKFLOW_BUNDLE
    ? { code: readFileSync(process.env.ITSM_TEST_WORKFLOW_BUNDLE, 'utf8') }
    : await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') });
  let failures = 0;
  for (const file of files) {
    const history = historyFromJSON(JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
    try {
      await Worker.runReplayHistory({ workflowBundle }, history, file.replace(/\.json$/, ''));
      console.log(`replayed ${file}`);
    } catch (error) {
      failures++;
      console.log(`FAILED ${file}: ${(error as Error).message}`);
    }
  }
  console.log(`${files.length - failures} replayed, ${failures} failed`);
  process.exit(failures === 0 && files.length > 0 ? 0 : 1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

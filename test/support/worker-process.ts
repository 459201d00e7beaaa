// A worker in a process of its own, so a test can SIGKILL it mid-run exactly as a crash would.
import { readFileSync } from 'node:fs';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createMailer } from '../../activities/mailer';
import { openDatabase } from '../../prisma/database';
import { createItsmWorker } from '../../workers/worker';

async function main() {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const env = process.env;
  const db = await openDatabase({ url: env.ITSM_WORKER_DATABASE_URL!, dataDir: env.ITSM_TEST_RUN_DIR! });
  const connection = await NativeConnection.connect({ address: env.ITSM_TEST_TEMPORAL_ADDRESS! });
  const worker = await createItsmWorker({
    connection,
    namespace: 'default',
    taskQueue: env.ITSM_WORKER_TASK_QUEUE!,
    deps: { prisma: db.prisma, mailer: createMailer(env.ITSM_TEST_SMTP_URL!, 'ITSM test <itsm@test.local>'), publicUrl: 'http://itsm.test' },
    workflowBundle: { code: readFileSync(env.ITSM_TEST_WORKFLOW_BUNDLE!, 'utf8') },
  });
  console.log('worker ready');
  await worker.run();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

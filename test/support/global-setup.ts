import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { openDatabase } from '../../prisma/database';
import { applyMigrations } from '../../prisma/migrate';
import { startMailCatcher } from '../../scripts/mail-catcher';
import { provisionTemporalCli } from '../../temporal-config/cli';
import { startDevServer } from '../../temporal-config/dev-server';
import { WORKFLOWS_PATH } from '../../workers/worker';
import { freePort } from './ports';
import { databaseUrl, postgresReachable, withAdminClient } from './postgres';

type Stoppable = { stop(): Promise<void> };

/**
 * Starts what every suite shares: one Temporal dev server (from the provisioned CLI, with a generous readiness
 * timeout: the SDK's own launcher allows 5 s, which a cold start on two cores can exceed), one workflow bundle,
 * one SMTP catcher, and migrated template databases that suites clone.
 */
export default async function globalSetup() {
  const started = Date.now();
  const runDir = mkdtempSync(path.join(tmpdir(), 'itsm-test-'));
  const runId = `${Date.now().toString(36)}${process.pid}`;
  const cli = await provisionTemporalCli();
  const [temporalPort, temporalUiPort, smtpPort, mailUiPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);

  const [devServer, bundle, catcher] = await Promise.all([
    startDevServer({ binary: cli.path, dataDir: path.join(runDir, 'temporal'), port: temporalPort, uiPort: temporalUiPort, ephemeral: true, readyTimeoutMs: 180_000 }),
    bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} } }),
    startMailCatcher({ smtpPort, uiPort: mailUiPort }),
  ]);
  const bundlePath = path.join(runDir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);

  const pgliteTemplate = path.join(runDir, 'pglite-template');
  const pglite = await openDatabase({ dataDir: pgliteTemplate });
  await applyMigrations(pglite.adapterFactory);
  await pglite.close();

  let postgresTemplate = '';
  if (await postgresReachable()) {
    postgresTemplate = `itsm_test_${runId}_template`;
    await withAdminClient((client) => client.query(`CREATE DATABASE "${postgresTemplate}"`));
    const postgres = await openDatabase({ url: databaseUrl(postgresTemplate), dataDir: runDir });
    await applyMigrations(postgres.adapterFactory);
    await postgres.close();
  } else if (process.env.CI) {
    throw new Error('PostgreSQL is not reachable at DATABASE_URL_TEST (or 127.0.0.1:5432); CI must test both databases');
  } else {
    console.warn('\n[test] PostgreSQL is not reachable: the PostgreSQL variants of the database suites are skipped');
  }

  Object.assign(process.env, {
    ITSM_TEST_RUN_ID: runId,
    ITSM_TEST_RUN_DIR: runDir,
    ITSM_TEST_TEMPORAL_ADDRESS: devServer.address,
    ITSM_TEST_TEMPORAL_CLI: cli.path,
    ITSM_TEST_WORKFLOW_BUNDLE: bundlePath,
    ITSM_TEST_SMTP_URL: catcher.smtpUrl,
    ITSM_TEST_MAIL_INBOX: catcher.inboxUrl,
    ITSM_TEST_PGLITE_TEMPLATE: pgliteTemplate,
    ITSM_TEST_PG_TEMPLATE: postgresTemplate,
    // Suites send hundreds of requests a minute from one address and token; edge-security.test.ts checks the defaults.
    ...Object.fromEntries(['LOGIN', 'ACTIONS', 'API', 'UNAUTHENTICATED'].map((limit) => [`RATE_LIMIT_${limit}_PER_MINUTE`, '1000000'])),
  });
  (globalThis as { __itsmStoppables?: Stoppable[] }).__itsmStoppables = [devServer, catcher];
  console.log(`\n[test] shared Temporal ${devServer.address}, mail ${catcher.inboxUrl}, ready in ${Math.round((Date.now() - started) / 1000)}s`);
}

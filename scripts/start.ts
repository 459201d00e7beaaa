// `npm start`: the whole product on its embedded defaults.
import { ConfigError, describeEnv, loadEnv } from '../config/env';
import { startStack } from './stack';

async function main() {
  const env = loadEnv();
  console.log('ITSM orchestrator: starting the embedded stack');
  for (const line of describeEnv(env)) console.log(`  ${line}`);
  const stack = await startStack(env, (line) => console.log(`  ${line}`));
  const rows = [
    ['API', `${stack.apiUrl}/api`],
    ['API docs', `${stack.apiUrl}/docs`],
    ['Readiness', `${stack.apiUrl}/readyz`],
    ['Temporal UI', stack.temporalUiUrl ?? '(external Temporal)'],
    ['Mail inbox', stack.mailInboxUrl ?? '(external SMTP)'],
    ['Mail in', stack.inboundSmtpUrl ?? '(SMTP listener off)'],
    ['Metrics', `API ${stack.metricsUrls.api}, worker ${stack.metricsUrls.worker ?? 'off'}, Temporal SDK ${stack.metricsUrls.sdk ?? 'off'}`],
  ];
  console.log('\nReady.');
  for (const [label, url] of rows) console.log(`  ${label.padEnd(12)} ${url}`);
  if (stack.tokens) {
    console.log('\nDemo tokens (Authorization: Bearer <token>):');
    for (const [who, token] of Object.entries(stack.tokens)) console.log(`  ${who.padEnd(10)} ${token}`);
    // The operator's own token is theirs to know: it is named, never echoed.
    if (env.ITSM_ADMIN_TOKEN) console.log(`  ${'admin'.padEnd(10)} (your ITSM_ADMIN_TOKEN)`);
    console.log(`\nTry: curl -H "Authorization: Bearer ${stack.tokens.admin ?? '$ITSM_ADMIN_TOKEN'}" ${stack.apiUrl}/api/services`);
  }
  console.log('\nCtrl-C stops everything; data stays in', env.DATA_DIR);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping inbound mail, API, worker, database, mail catcher and Temporal ...`);
    await stack.stop();
    console.log('stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});

// `npm run setup:temporal` (and part of postinstall): make sure a Temporal CLI is available.
import { provisionTemporalCli } from './cli';

provisionTemporalCli()
  .then(({ path, source }) => console.log(`[temporal-cli] ready: ${path} (${source})`))
  .catch((error: Error) => {
    console.error(`[temporal-cli] ${error.message}`);
    process.exit(1);
  });

import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

// jest transpiles without type-checking; strict TypeScript (including unused code) is checked here.
it('the whole project type-checks under strict settings', async () => {
  const root = path.resolve(__dirname, '../..');
  const result = await promisify(execFile)(process.execPath, [require.resolve('typescript/bin/tsc'), '--noEmit', '-p', root], { cwd: root }).catch((error) => error);
  expect(result.stdout ?? '').toBe('');
}, 120_000);

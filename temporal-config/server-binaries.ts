import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { goCommand, isExecutable, TOOLS_BIN } from './cli';

// The server and UI versions that the CLI v1.5.1 embeds (its go.mod), so the cluster runs the same engine as the
// dev server and every module the build needs is already in the Go module cache after `npm install`.
export const TEMPORAL_SERVER_VERSION = '1.29.1';
const UI_SERVER_VERSION = '2.42.1';
const SERVER_MODULE = `go.temporal.io/server@v${TEMPORAL_SERVER_VERSION}`;

export type ClusterBinary = 'temporal-server' | 'temporal-sql-tool' | 'temporal-ui-server';

// `go install` names a binary after its package folder, and two of these are called `server`; each is built into
// its own folder and moved under the name the Temporal docs use.
const GO_PACKAGES: Record<ClusterBinary, string> = {
  'temporal-server': `go.temporal.io/server/cmd/server@v${TEMPORAL_SERVER_VERSION}`,
  'temporal-sql-tool': `go.temporal.io/server/cmd/tools/sql@v${TEMPORAL_SERVER_VERSION}`,
  'temporal-ui-server': `github.com/temporalio/ui-server/v2/cmd/server@v${UI_SERVER_VERSION}`,
};

export class ClusterBinaryMissing extends Error {}

export function findGo(): string {
  const go = goCommand();
  if (!go) throw new ClusterBinaryMissing('The Temporal cluster is built from source and needs Go 1.25+ (https://go.dev/dl) on PATH.');
  return go;
}

function goInstall(go: string, name: ClusterBinary, target: string): Promise<void> {
  const buildDir = mkdtempSync(path.join(TOOLS_BIN, `.${name}-`));
  const started = Date.now();
  console.log(`[temporal-cluster] building ${GO_PACKAGES[name]} into .tools/bin/${name} (first time only; a few minutes)`);
  const progress = setInterval(() => console.log(`[temporal-cluster] ${name}: still building (${Math.round((Date.now() - started) / 1000)}s)`), 20_000);
  return new Promise<void>((resolve, reject) => {
    const child = spawn(go, ['install', GO_PACKAGES[name]], {
      env: { ...process.env, GOBIN: buildDir, CGO_ENABLED: process.env.CGO_ENABLED ?? '0' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const built = path.join(buildDir, path.basename(GO_PACKAGES[name].split('@')[0]));
      if (code === 0 && existsSync(built)) {
        renameSync(built, target);
        resolve();
      } else {
        reject(new ClusterBinaryMissing(`go install ${GO_PACKAGES[name]} exited with ${code}`));
      }
    });
  }).finally(() => {
    clearInterval(progress);
    rmSync(buildDir, { recursive: true, force: true });
  });
}

/** The cached `.tools/bin/<name>`, built with `go install` the first time only. */
export async function provisionClusterBinary(name: ClusterBinary): Promise<string> {
  const target = path.join(TOOLS_BIN, name);
  if (isExecutable(target)) return target;
  mkdirSync(TOOLS_BIN, { recursive: true });
  await goInstall(findGo(), name, target);
  return target;
}

/** Where the server module's schema and sample configs are; `go mod download` fetches it if the cache was cleaned. */
export function serverModuleDir(go = findGo()): string {
  const result = spawnSync(go, ['mod', 'download', '-json', SERVER_MODULE], { encoding: 'utf8' });
  const dir = result.status === 0 ? (JSON.parse(result.stdout) as { Dir?: string }).Dir : undefined;
  if (!dir) throw new ClusterBinaryMissing(`go mod download ${SERVER_MODULE} failed: ${result.stderr || result.stdout}`);
  return dir;
}

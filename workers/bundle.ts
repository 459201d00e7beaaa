// The workflow bundle, built by `npm install` into a file the worker loads: webpack at every start costs
// seconds of CPU and a few hundred MB of peak memory that a worker sized for its cache should not need.
import { mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';

const ROOT = path.resolve(__dirname, '..');

export const WORKFLOWS_PATH = require.resolve('../workflows');

/** Git-ignored, beside the provisioned Temporal CLI, and independent of DATA_DIR. */
export const WORKFLOW_BUNDLE_PATH = path.join(ROOT, '.tools', 'workflow-bundle.js');

/**
 * What the bundle is made of: the workflows, the domain code they import, and the locked dependency versions
 * (the SDK's workflow runtime, luxon, date-holidays). Type-only imports of activities leave no code in it.
 */
export const WORKFLOW_BUNDLE_INPUTS = [path.join(ROOT, 'workflows'), path.join(ROOT, 'domain'), path.join(ROOT, 'package-lock.json')];

function newestChange(entry: string): number {
  const stat = statSync(entry, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(entry).map((name) => newestChange(path.join(entry, name))));
}

/** A bundle is stale when it is missing or any input changed after it was written (a workflow was edited). */
export function bundleIsFresh(bundlePath: string, inputs: string[]): boolean {
  const bundle = statSync(bundlePath, { throwIfNoEntry: false });
  return bundle !== undefined && inputs.every((input) => newestChange(input) <= bundle.mtimeMs);
}

/**
 * The bundle's path, rebuilt first if stale, so a worker never runs older workflow code than the checkout holds.
 * Written under a temporary name and renamed, so a worker starting meanwhile never reads half a file.
 */
export async function ensureWorkflowBundle(
  log: (line: string) => void = () => {},
  bundlePath = WORKFLOW_BUNDLE_PATH,
  inputs = WORKFLOW_BUNDLE_INPUTS,
  workflowsPath = WORKFLOWS_PATH,
): Promise<{ codePath: string }> {
  if (bundleIsFresh(bundlePath, inputs)) return { codePath: bundlePath };
  log(`bundling workflows into ${path.relative(process.cwd(), bundlePath) || bundlePath} ...`);
  // Webpack's statistics at INFO would bury the start-up summary.
  const { code } = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
  mkdirSync(path.dirname(bundlePath), { recursive: true });
  const partial = `${bundlePath}.${process.pid}.tmp`;
  writeFileSync(partial, code);
  renameSync(partial, bundlePath);
  return { codePath: bundlePath };
}

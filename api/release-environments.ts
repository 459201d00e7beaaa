import { FINAL_RELEASE_STATES, releaseReference } from '../domain/release';
import type { Db } from '../prisma/database';
import type { DeploymentAdapter, DeploymentEnvironment } from '../prisma/generated/client';
import { orDuplicate } from './duplicates';
import { httpErrors, type FieldIssue } from './problem-details';

// An adapter's environments are records an administrator keeps: their order is the deployment order, and the
// production flag (not a name or a position) decides which deploys are gated.

export interface EnvironmentDefinition {
  name: string;
  production: boolean;
}

const inOrder = (environments: DeploymentEnvironment[]) => [...environments].sort((a, b) => a.position - b.position);

export const environmentsView = (environments: DeploymentEnvironment[]) => inOrder(environments).map(({ name, position, production }) => ({ name, position, production }));

export const environmentRows = (definitions: EnvironmentDefinition[]) => definitions.map(({ name, production }, position) => ({ name, position, production }));

/**
 * Replaces the adapter's environments with `definitions`, in their order. A release still under way keeps the
 * environments it was planned with, so none of them may disappear (renaming is removing); changing a flag or the
 * order is fine: a release took its production environments and its order when it was planned.
 */
export async function replaceEnvironments(prisma: Db, adapter: DeploymentAdapter, definitions: EnvironmentDefinition[]) {
  const kept = new Set(definitions.map((d) => d.name));
  const running = await prisma.release.findMany({ where: { adapterId: adapter.id, state: { notIn: [...FINAL_RELEASE_STATES] } }, orderBy: { number: 'asc' } });
  const blocking = running.flatMap((release) => release.environments.filter((env) => !kept.has(env)).map((env) => `${releaseReference(release.number)} (${release.state}) deploys to ${env}`));
  if (blocking.length > 0) throw httpErrors.conflict(`environments in use by releases under way cannot be removed: ${blocking.join('; ')}`, { inUse: blocking });
  const replaced = prisma.$transaction(async (tx) => {
    await tx.deploymentEnvironment.deleteMany({ where: { adapterId: adapter.id } });
    await tx.deploymentEnvironment.createMany({ data: environmentRows(definitions).map((row) => ({ ...row, adapterId: adapter.id })) });
    return tx.deploymentEnvironment.findMany({ where: { adapterId: adapter.id } });
  });
  return orDuplicate(replaced, 'environments', `the environments of ${adapter.name} were replaced at the same time; read them and try again`);
}

/**
 * The environments a release deploys to: the adapter's own, in the adapter's order (all of them unless it names
 * some), with those flagged production now remembered as its production environments.
 */
export function plannedEnvironments(adapter: DeploymentAdapter & { environments: DeploymentEnvironment[] }, requested: string[] | undefined, confirmIn: string[]) {
  const defined = inOrder(adapter.environments);
  const names = requested ?? defined.map((env) => env.name);
  const issues: FieldIssue[] = [];
  const issue = (field: string, message: string) => issues.push({ location: 'body', field, message, code: 'unknown_reference' });
  let previous = null as DeploymentEnvironment | null;
  names.forEach((name, index) => {
    const found = defined.find((env) => env.name === name);
    if (!found) return issue(`environments.${index}`, `adapter ${adapter.name} has no environment ${name} (it has ${defined.map((env) => env.name).join(', ') || 'none'})`);
    if (previous && found.position < previous.position) issue(`environments.${index}`, `${name} comes before ${previous.name} on adapter ${adapter.name}: name the environments in its order`);
    previous = found;
  });
  confirmIn.forEach((name, index) => {
    if (!names.includes(name)) issue(`confirmIn.${index}`, `${name} is not one of the release's environments`);
  });
  if (issues.length > 0) throw httpErrors.validation(issues);
  return { environments: names, production: names.filter((name) => defined.find((env) => env.name === name)!.production) };
}

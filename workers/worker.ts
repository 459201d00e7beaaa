import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Env } from '../config/env';
import { createActivities, type ActivityDeps } from '../activities';
import { activityFailureInterceptor } from './metrics';
import { WORKFLOWS_PATH } from './bundle';

export { WORKFLOWS_PATH };

export type WorkerTuning = Pick<WorkerOptions, 'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions' | 'maxCachedWorkflows'>;

export interface ItsmWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** The bundle built at install (`ensureWorkflowBundle`) or once per test run; otherwise bundled here, at start. */
  workflowBundle?: { code: string } | { codePath: string };
  tuning?: WorkerTuning;
}

/** The worker's sizing from configuration (README "Sizing the worker"). */
export function workerTuning(env: Pick<Env, 'WORKER_MAX_CACHED_WORKFLOWS' | 'WORKER_MAX_CONCURRENT_WORKFLOW_TASKS' | 'WORKER_MAX_CONCURRENT_ACTIVITIES'>): WorkerTuning {
  return {
    maxCachedWorkflows: env.WORKER_MAX_CACHED_WORKFLOWS,
    maxConcurrentWorkflowTaskExecutions: env.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxConcurrentActivityTaskExecutions: env.WORKER_MAX_CONCURRENT_ACTIVITIES,
  };
}

export function createItsmWorker(options: ItsmWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: createActivities(options.deps),
    interceptors: { activity: [activityFailureInterceptor] },
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    ...options.tuning,
  });
}

import { NativeConnection, Worker, type State, type WorkerOptions } from '@temporalio/worker';
import type { Env } from '../config/env';
import { createActivities, createMailActivities, type ActivityDeps } from '../activities';
import { mailTaskQueue } from '../domain/task-queues';
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

/** The two Temporal workers of one worker process, started, stopped and awaited as one. */
export interface ItsmWorker {
  /** Runs until both have stopped; when one fails, the other is stopped too and the failure is thrown. */
  run(): Promise<void>;
  shutdown(): void;
  /** The workflow worker's state. */
  getState(): State;
}

/**
 * The workflow worker on `taskQueue` (workflows and every activity) and, beside it, an activity-only worker on
 * the mail queue with slots of its own: mail waiting for SMTP never takes a slot a record write needs.
 */
export async function createItsmWorker(options: ItsmWorkerOptions): Promise<ItsmWorker> {
  const common = { connection: options.connection, namespace: options.namespace, interceptors: { activity: [activityFailureInterceptor] } };
  const main = await Worker.create({
    ...common,
    taskQueue: options.taskQueue,
    activities: createActivities(options.deps),
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    ...options.tuning,
  });
  const mail = await Worker.create({
    ...common,
    taskQueue: mailTaskQueue(options.taskQueue),
    activities: createMailActivities(options.deps),
    maxConcurrentActivityTaskExecutions: options.tuning?.maxConcurrentActivityTaskExecutions,
  });
  const workers = [main, mail];
  const shutdown = () => {
    for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
  };
  return {
    async run() {
      const outcomes = await Promise.allSettled(workers.map((worker) => worker.run().finally(shutdown)));
      const failed = outcomes.find((outcome) => outcome.status === 'rejected');
      if (failed) throw failed.reason;
    },
    shutdown,
    getState: () => main.getState(),
  };
}

import { condition } from '@temporalio/workflow';
import type { DeadlineTimer } from '../domain/deadlines';

const signature = (timers: DeadlineTimer[]) => timers.map((timer) => `${timer.key}@${timer.at}`).join(',');

/**
 * Waits until `done`, firing each timer once when its time comes (durable: the waits are workflow timers).
 * `timers` is asked again whenever the workflow's state moves, so a deadline set later (a review that starts
 * mid-way) is kept too.
 */
export async function untilDone(done: () => boolean, timers: () => DeadlineTimer[], fire: (timer: DeadlineTimer) => Promise<void> | void): Promise<void> {
  const fired = new Set<string>();
  while (!done()) {
    const planned = timers();
    const next = planned.find((timer) => !fired.has(timer.key));
    const now = Date.now();
    if (next && next.at <= now) {
      fired.add(next.key);
      await fire(next);
      continue;
    }
    const seen = signature(planned);
    await condition(() => done() || signature(timers()) !== seen, next ? Math.max(1, next.at - now) : undefined);
  }
}

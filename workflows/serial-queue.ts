/**
 * A workflow's activities run one after another, so a later snapshot of a record can never be overwritten by
 * an earlier one. `run` queues work after everything queued before; `drained` settles when the queue is empty.
 */
export function serialQueue() {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run<T>(work: () => Promise<T>): Promise<T> {
      const next = tail.then(work);
      tail = next.catch(() => undefined);
      return next;
    },
    drained: () => tail,
  };
}

/**
 * Incident mail has a task queue of its own, next to the one the workflows run on: a slow SMTP server then
 * fills only the mail worker's activity slots and never delays the record writes that SLA deadlines wait for.
 * Derived from the workflow's queue, so every deployment (and every test's own queue) has its pair.
 */
export const mailTaskQueue = (taskQueue: string): string => `${taskQueue}-mail`;

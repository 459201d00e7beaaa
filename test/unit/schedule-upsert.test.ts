import { ScheduleAlreadyRunning, ServiceError, type Client, type ScheduleOptions } from '@temporalio/client';
import { upsertSchedule } from '../../temporal-config/schedules';

// A server restarted a moment ago can fail a schedule's describe with a code the connection does not retry;
// `npm start` must then try again instead of exiting. Only the client's answers are scripted here.
const grpcError = (code: number) => new ServiceError('Failed to describe schedule', { cause: Object.assign(new Error(`${code} failed`), { code, details: '', metadata: {} }) });
const options = { scheduleId: 'test-upsert', spec: {}, action: { type: 'startWorkflow', workflowType: 'noop', taskQueue: 'q' } } as unknown as ScheduleOptions;

function scriptedClient(updateAnswers: (Error | undefined)[]) {
  const calls = { create: 0, update: 0 };
  const client = {
    schedule: {
      create: async () => {
        calls.create++;
        throw new ScheduleAlreadyRunning('running', options.scheduleId);
      },
      getHandle: () => ({
        update: async () => {
          const answer = updateAnswers[calls.update++];
          if (answer) throw answer;
        },
      }),
    },
  } as unknown as Client;
  return { client, calls };
}

describe('upsertSchedule against a server that is still starting', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('retries an INTERNAL describe failure and then updates the schedule', async () => {
    const { client, calls } = scriptedClient([grpcError(13), grpcError(4), undefined]);
    const result = upsertSchedule(client, options);
    await jest.advanceTimersByTimeAsync(2_000);
    await expect(result).resolves.toBe('updated');
    expect(calls).toEqual({ create: 1, update: 3 });
  });

  it('gives up after six attempts, with the last error', async () => {
    const { client, calls } = scriptedClient(Array.from({ length: 10 }, () => grpcError(13)));
    const result = upsertSchedule(client, options);
    const outcome = expect(result).rejects.toThrow('Failed to describe schedule');
    await jest.advanceTimersByTimeAsync(60_000);
    await outcome;
    expect(calls.update).toBe(6);
  });

  it('does not retry an error that waiting cannot mend', async () => {
    const { client, calls } = scriptedClient([grpcError(3)]);
    await expect(upsertSchedule(client, options)).rejects.toThrow('Failed to describe schedule');
    expect(calls.update).toBe(1);
  });
});

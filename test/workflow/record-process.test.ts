import { Client, Connection, WorkflowUpdateFailedError, WorkflowUpdateStage } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { ILLEGAL_TRANSITION } from '../../workflows/refusals';
import { extendTicket, finishTicket, kernelFixture, startTicket, ticketStatus, vetTicket, type TicketOpened, type TicketStatus } from './fixtures/kernel-fixture';
import { eventually } from '../support/harness';

// The kernel on a real Temporal server, through a fixture process bundled on its own (no database, no
// activities): what every record process relies on when two people act at once, a write is slow, a deadline
// is added later, or an Update is still writing when the record closes.
describe('the record-process kernel', () => {
  const taskQueue = `kernel-${process.pid}-${Date.now().toString(36)}`;
  let client: Client;
  let connection: NativeConnection;
  let bundle: { code: string };
  let worker: Worker;
  let running: Promise<void>;
  const startWorker = async () => {
    worker = await Worker.create({ connection, taskQueue, workflowBundle: bundle });
    running = worker.run();
  };
  const stopWorker = async () => {
    worker.shutdown();
    await running;
  };

  beforeAll(async () => {
    Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: [] });
    const address = process.env.ITSM_TEST_TEMPORAL_ADDRESS!;
    const silent = { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} };
    [bundle, connection, client] = await Promise.all([
      bundleWorkflowCode({ workflowsPath: require.resolve('./fixtures/kernel-fixture'), logger: silent }),
      NativeConnection.connect({ address }),
      Connection.connect({ address }).then((c) => new Client({ connection: c })),
    ]);
    await startWorker();
  }, 60_000);
  afterAll(async () => {
    await stopWorker();
    await connection.close();
    await client.connection.close();
  });

  const asAgent = { args: [{ actorId: 'agent' }] as [{ actorId: string }] };
  let opened = 0;
  const open = (ticket: Partial<TicketOpened> = {}) => {
    const n = ++opened;
    return client.workflow.start(kernelFixture, { taskQueue, workflowId: `${taskQueue}-${n}`, args: [{ keyPrefix: `ticket-${n}`, ...ticket }] });
  };

  it('accepts one of two conflicting Updates delivered in one activation and refuses the other with the state', async () => {
    const handle = await open({ refusalPrefix: 'TKT-7' });
    await handle.query(ticketStatus);
    // No worker polls while both are sent, so they reach the workflow together (as `together` in the harness).
    await stopWorker();
    const both = Promise.allSettled([handle.executeUpdate(startTicket, asAgent), handle.executeUpdate(startTicket, asAgent)]);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await startWorker();
    const settled = await both;

    const accepted = settled.filter((r): r is PromiseFulfilledResult<TicketStatus> => r.status === 'fulfilled');
    const refused = settled.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(accepted).toHaveLength(1);
    expect(accepted[0].value.state).toBe('working');
    expect(refused).toHaveLength(1);
    const error = refused[0].reason;
    expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(error.cause).toBeInstanceOf(ApplicationFailure);
    expect(error.cause.type).toBe(ILLEGAL_TRANSITION);
    expect(error.cause.details).toEqual([{ state: 'working', command: 'start' }]);
    expect(error.cause.message).toBe('TKT-7: start is not allowed while the ticket is working (allowed from: open)');

    await handle.executeUpdate(finishTicket, asAgent);
    // One start wrote once: the refused one changed nothing.
    expect((await handle.result()).writes).toEqual(['ticket-1:1:started', 'ticket-1:2:mail', 'ticket-1:3:finished']);
    // Refused by its validator, so it never entered the history: only the start and the finish were accepted.
    const { events } = await handle.fetchHistory();
    expect(events!.filter((event) => event.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(2);
  });

  it('lands queued writes in order though the first is slow, with keys that continue from the carried seq', async () => {
    const handle = await open({ keyPrefix: 'TKT-8', seq: 41, slowWriteMs: 1_500 });
    const started = await handle.executeUpdate(startTicket, asAgent);
    // The quick mail was queued behind the slow write: it cannot have landed before it.
    expect(started.writes[0]).toBe('TKT-8:42:started');
    await handle.executeUpdate(finishTicket, asAgent);
    const result = await handle.result();
    expect(result.writes).toEqual(['TKT-8:42:started', 'TKT-8:43:mail', 'TKT-8:44:finished']);
    expect(result.seq).toBe(44);
  });

  it('fires each timer once, keeps a deadline added later, and stops waiting when the record is done', async () => {
    const handle = await open({
      timers: [
        { key: 'overdue', inMs: -1_000 },
        { key: 'soon', inMs: 1_000 },
        { key: 'later', inMs: 4_000 },
        { key: 'next-week', inMs: 7 * 24 * 3600_000 },
      ],
    });
    await eventually(async () => expect((await handle.query(ticketStatus)).fired).toEqual(['overdue', 'soon']));
    await handle.executeUpdate(extendTicket, { args: [{ key: 'added', inMs: 500 }] });
    // The added deadline fires in its time, not when the wait for the later one happens to end.
    await eventually(async () => expect((await handle.query(ticketStatus)).fired).toEqual(['overdue', 'soon', 'added']), 3_000);
    await eventually(async () => expect((await handle.query(ticketStatus)).fired).toHaveLength(4));
    // Time for a timer to fire twice, were it going to.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await handle.executeUpdate(finishTicket, asAgent);
    // Done ends the wait although next week's timer is still ahead.
    const result = await handle.result();
    expect(result.state).toBe('done');
    expect(result.fired).toEqual(['overdue', 'soon', 'added', 'later']);
  });

  it('lets an Update that ended the wait finish its write before the workflow returns', async () => {
    const handle = await open({ keyPrefix: 'TKT-9', slowWriteMs: 1_500 });
    // The finish makes the record done at once; its write takes another 1.5 s.
    const finished = await handle.executeUpdate(finishTicket, asAgent);
    expect(finished).toEqual({ state: 'done', seq: 1, writes: ['TKT-9:1:finished'], fired: [] });
    expect((await handle.result()).writes).toEqual(['TKT-9:1:finished']);
  });

  it('holds the record while an activity decides a transition: other commands wait with a 409, a refusal leaves the state as it was', async () => {
    const handle = await open();
    // Accepted first: its check is under way when the finish comes.
    const vetting = await handle.startUpdate(vetTicket, { args: [{ checkMs: 1_500, refuse: true }], waitForStage: WorkflowUpdateStage.ACCEPTED });
    const error = await handle.executeUpdate(finishTicket, asAgent).then(() => null, (e) => e);
    expect(error?.cause?.message).toBe('finish must wait: a start of this ticket is still in progress');
    expect(error.cause.type).toBe(ILLEGAL_TRANSITION);
    await expect(vetting.result()).rejects.toMatchObject({ cause: { type: 'NotAllowed', message: 'the check said no' } });
    expect((await handle.query(ticketStatus)).state).toBe('open');

    expect((await handle.executeUpdate(vetTicket, { args: [{ checkMs: 200, refuse: false }] })).state).toBe('working');
    await handle.executeUpdate(finishTicket, asAgent);
    expect((await handle.result()).state).toBe('done');
  });
});

import { contractRenewalScheduleId, contractReviewScheduleId } from '../../temporal-config/schedules';
import { changeTestService } from './change-fixtures';
import type { Harness } from './harness';

const DAY = 86_400_000;

export interface TestContract {
  id: string;
  reference: string;
  endsOn: string;
  /** The supplier's name. */
  supplier: string;
  /** The contract's yearly review and renewal reminder Schedules, for the suite to delete. */
  scheduleIds: string[];
}

/**
 * A supplier and a contract of the test's own on a service of its own, recorded through the API (which schedules
 * its review and renewal reminder), owned by `agent2`, started 60 days ago and ending in 300 with 60 days' notice.
 */
export async function testContract(h: Harness, review: { assessmentSeconds: number; remindBeforeSeconds: number[] }): Promise<TestContract> {
  const service = await changeTestService(h);
  const supplier = await h.http.post('/api/suppliers').set(h.as('manager')).send({ name: `Hosting Ltd ${Date.now()}` });
  const created = await h.http.post('/api/contracts').set(h.as('manager')).send({
    reference: `HOST-${Date.now()}`,
    title: 'Hosting of the service desk platform',
    supplierId: supplier.body.id,
    ownerId: h.userIds.agent2,
    serviceIds: [service.id],
    targets: [{ metric: 'resolution-sla', target: 0.9 }],
    startsOn: new Date(Date.now() - 60 * DAY).toISOString().slice(0, 10),
    endsOn: new Date(Date.now() + 300 * DAY).toISOString().slice(0, 10),
    noticeDays: 60,
    renewal: 'tacit',
    ...review,
  });
  if (created.status !== 201) throw new Error(`contract: ${created.status} ${JSON.stringify(created.body)}`);
  const prefix = h.apiDeps.schedulePrefix!;
  const { id, reference, endsOn } = created.body;
  return { id, reference, endsOn, supplier: supplier.body.name, scheduleIds: [contractReviewScheduleId(prefix, id), contractRenewalScheduleId(prefix, id)] };
}

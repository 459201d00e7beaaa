import { proxyActivities } from '@temporalio/workflow';
import type { SupplierActivities } from '../activities/supplier-review';

// Single-purpose proxy: its summary names the one step in the Temporal UI's timeline.
const { sendContractRenewalReminder } = proxyActivities<SupplierActivities>({ startToCloseTimeout: '1 minute', retry: { maximumInterval: '1 minute' }, summary: 'mail: renewal reminder → contract owner' });

/** Run by the contract's one-off Schedule on the day its notice period starts: the owner decides in time. */
export async function contractRenewalReminder({ contractId }: { contractId: string }): Promise<'sent' | 'skipped'> {
  return sendContractRenewalReminder({ contractId });
}

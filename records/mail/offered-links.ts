import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import type { ActionOffer } from '../../domain/action-links';
import { cappedExpiry, signActionToken, type ActionLinkKey } from './action-tokens';
import type { Recipient } from './deliveries';
import { offeredStepLine } from './templates';

export interface OfferedLinkDeps {
  actionSecret: ActionLinkKey;
  publicUrl: string;
}

/**
 * What a mail that offers a step adds for each recipient: a paragraph with their own link, signed for them,
 * the offering workflow and the step. The link's id comes from the mail's idempotency key, so a retried send
 * carries the same link. Without an offer, nothing is added. With one, it must run in the mail's activity: the
 * workflow that scheduled it is the record whose step is offered.
 */
export function offeredLinks({ actionSecret, publicUrl }: OfferedLinkDeps, offer: ActionOffer | undefined, people: { id: string; email: string }[]) {
  return async (recipient: Recipient, idempotencyKey: string): Promise<string> => {
    const person = people.find((p) => p.email === recipient.email);
    if (!offer || !person) return '';
    // An activity that no workflow started offers no record's step.
    const workflowId = Context.current().info.workflowExecution?.workflowId;
    if (!workflowId) return '';
    const expiresAt = cappedExpiry(actionSecret, offer.expiresAt ?? Number.POSITIVE_INFINITY);
    const token = await signActionToken(actionSecret, {
      act: 'process-step',
      approverId: person.id,
      workflowId,
      step: offer.step,
      jti: createHash('sha256').update(idempotencyKey).digest('base64url').slice(0, 32),
      expiresAt,
    });
    return `\n\n${offeredStepLine(recipient, `${publicUrl}/actions/${token}`, expiresAt)}`;
  };
}

import type { IncidentOpened } from '../../domain/incident';
import {
  dueAtOpening,
  incidentCurrentDetails,
  incidentOpeningCurrentDetails,
  incidentOpeningDetails,
  incidentStepSummary,
  incidentSummary,
  notificationSummary,
  recordSummary,
  slaEventSummary,
} from '../../domain/incident-metadata';
import { nextSlaEvent, openRuntime, paused, responded, slaEventEffect, type IncidentRuntime } from '../../domain/incident-runtime';
import type { SlaPolicySnapshot } from '../../domain/sla';

const T0 = Date.parse('2026-12-01T09:00:00Z');
const MINUTE = 60_000;

const policy: SlaPolicySnapshot = {
  policyId: 'policy-1',
  priority: 'P1',
  responseTargetSeconds: 15 * 60,
  resolutionTargetSeconds: 4 * 3600,
  warningThresholds: [0.5, 0.75, 0.9],
  escalationChain: [
    { level: 1, atFraction: 0.5, notify: ['groupLead'] },
    { level: 2, atFraction: 1, notify: ['serviceOwner', { userEmail: 'cio@example.com' }], reassignToGroupId: 'major-incident-team' },
  ],
  progressUpdateEverySeconds: null,
  autoCloseAfterSeconds: 3 * 86_400,
  reopenWindowSeconds: 14 * 86_400,
  holdNotificationsOutsideHours: false,
  calendar: { timeZone: 'UTC', alwaysOpen: true, weekly: {}, holidays: [], extraWorkingDays: [] },
};

const opened: IncidentOpened = {
  incidentId: 'i-1',
  number: 42,
  title: 'Outlook cannot connect',
  description: '',
  impact: 'high',
  urgency: 'high',
  priority: 'P1',
  serviceId: 's-1',
  serviceCode: 'EMAIL',
  requesterId: 'u-1',
  openedAt: new Date(T0).toISOString(),
  groupId: 'service-desk',
  groupName: 'Service Desk',
  assigneeId: 'u-2',
  assigneeEmail: 'agent@example.com',
};

/** Fires every SLA event due by `now`, as the workflow's deadline loop does. */
function fireDue(rt: IncidentRuntime, now: number): IncidentRuntime {
  for (let event = nextSlaEvent(rt, 'in_progress'); event && event.at <= now; event = nextSlaEvent(rt, 'in_progress')) rt = slaEventEffect(rt, 'in_progress', event, now).rt;
  return rt;
}

describe('an incident as a manager reads it in the Temporal UI', () => {
  it('summarises the incident on one line: reference, priority, service, title', () => {
    expect(incidentSummary({ number: 42, title: 'Outlook cannot connect', priority: 'P1', serviceName: 'E-mail' })).toBe('INC-000042 · P1 · E-mail · Outlook cannot connect');
  });

  it('gives the facts at intake with the due instants on a 24x7 calendar and the API link', () => {
    const details = incidentOpeningDetails({
      number: 42,
      title: 'Outlook cannot connect',
      priority: 'P1',
      impact: 'high',
      urgency: 'high',
      serviceName: 'E-mail',
      serviceCode: 'EMAIL',
      channel: 'phone',
      groupName: 'Service Desk',
      assigneeEmail: null,
      openedAt: T0,
      targets: { responseTargetSeconds: 900, resolutionTargetSeconds: 14_400, calendar: '24x7', alwaysOpen: true },
      apiUrl: 'http://127.0.0.1:3000/api/incidents/i-1',
    });
    expect(details).toContain('**INC-000042 · Outlook cannot connect**');
    for (const row of [
      '| Reference | INC-000042 |',
      '| Service | E-mail (EMAIL) |',
      '| Priority | P1 |',
      '| Impact / urgency | high / high |',
      '| Channel | phone |',
      '| Group | Service Desk |',
      '| Assignee | nobody yet |',
      '| Response due | 2026-12-01 09:15:00 UTC |',
      '| Resolution due | 2026-12-01 13:00:00 UTC |',
    ]) {
      expect(details).toContain(row);
    }
    expect(details).toContain('[Incident in the API](http://127.0.0.1:3000/api/incidents/i-1)');
  });

  it('names the target, not an instant, when the calendar has business hours intake has not loaded', () => {
    expect(dueAtOpening(T0, 8 * 3600, { calendar: 'UK office', alwaysOpen: false })).toBe('8 h 00 min of business time after opening (calendar UK office)');
  });

  it('keeps state, holder, both clocks, the escalation level and who each level reached', () => {
    const now = T0 + 2 * 3600_000 + 10 * MINUTE;
    let rt = responded(openRuntime(opened, policy), T0 + 5 * MINUTE);
    rt = fireDue(rt, now);
    const details = incidentCurrentDetails(opened, rt, 'in_progress', now);
    expect(details).toContain('**INC-000042 · Outlook cannot connect**');
    for (const row of [
      '| State | in progress |',
      '| Priority | P1 |',
      '| Major incident | no |',
      '| Group | Service Desk |',
      '| Assignee | agent@example.com |',
      '| Escalation level | 1 of 2 |',
      '| Next deadline | P1 resolution warning 75 % · 2026-12-01 12:00:00 UTC (in 50 min) |',
      '| As of | 2026-12-01 11:10:00 UTC |',
      '| Level 1 notified | group lead |',
    ]) {
      expect(details).toContain(row);
    }
    expect(details).toContain('**Response**\n\n| | |\n|---|---|\n| Status | met |\n| Elapsed | 5 min of 15 min |');
    expect(details).toContain('**Resolution**\n\n| | |\n|---|---|\n| Status | running |\n| Due | 2026-12-01 13:00:00 UTC |\n| Elapsed | 2 h 10 min of 4 h 00 min |\n| Remaining | 1 h 50 min |');
    expect(details).not.toContain('Level 2 notified');
  });

  it('shows a breach, the hand-over of a functional escalation, and a paused clock', () => {
    const now = T0 + 4 * 3600_000 + MINUTE;
    const rt = paused(fireDue(responded(openRuntime(opened, policy), T0 + MINUTE), now), now);
    const details = incidentCurrentDetails(opened, { ...rt, major: true }, 'pending', now);
    expect(details).toContain('| Escalation level | 2 of 2 |');
    expect(details).toContain('| Level 2 notified | service owner, cio@example.com · handed to group major-incident-team |');
    expect(details).toContain('| Major incident | yes |');
    expect(details).toContain('| Group | major-incident-team |');
    expect(details).toContain('| Status | breached · paused (waiting on the customer) |');
    expect(details).toContain('| Remaining | overdue by 1 min |');
    expect(details).toContain('| Next deadline | none |');
  });

  it('says the clocks are starting while the opening still loads the policy', () => {
    const details = incidentOpeningCurrentDetails(opened, 'P1', 'assigned');
    expect(details).toContain('| State | assigned |');
    expect(details).toContain('**Response**');
    expect(details).toContain('**Resolution**');
    expect(details).toContain('| Status | starting |');
  });

  it('names each timer and activity so the timeline reads as the SLA story', () => {
    const rt = openRuntime(opened, policy);
    const chain = policy.escalationChain;
    expect(slaEventSummary({ key: 'response:warning:0.75', kind: 'warning', at: 0, clock: 'response', fraction: 0.75 }, 'P1', chain)).toBe('P1 response warning 75 %');
    expect(slaEventSummary({ key: 'resolution:breach', kind: 'breach', at: 0, clock: 'resolution', fraction: 1 }, 'P1', chain)).toBe('P1 resolution breach');
    expect(slaEventSummary({ key: 'escalation:1', kind: 'escalation', at: 0, clock: 'resolution', level: 1 }, 'P1', chain)).toBe('escalation level 1 → group lead');
    expect(slaEventSummary({ key: 'progress:1', kind: 'progress', at: 0 }, 'P1', chain)).toBe('progress update to customer');
    expect(slaEventSummary({ key: 'autoClose:1', kind: 'autoClose', at: 0 }, 'P1', chain)).toBe('auto-close');
    expect(incidentStepSummary({ kind: 'sla', at: 0, event: nextSlaEvent(rt, 'new')! }, rt)).toBe('P1 response warning 50 %');
    expect(incidentStepSummary({ kind: 'mail', at: 0 }, rt)).toBe('mail delivery');
    expect(notificationSummary({ kind: 'assigned', to: ['assignee'] })).toBe('mail: assigned → assignee');
    expect(notificationSummary({ kind: 'breach', to: ['assignee', 'groupLead'] })).toBe('mail: breach → assignee, group lead');
    expect(recordSummary('resolved')).toBe('record: resolved');
    expect(recordSummary(3)).toBe('record: 3 SLA events');
    expect(recordSummary(1)).toBe('record: 1 SLA event');
  });
});

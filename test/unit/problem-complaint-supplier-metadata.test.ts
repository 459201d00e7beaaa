import { complaintTimerLabel } from '../../domain/complaint-metadata';
import { dueText, escalationText, nextDeadlineText } from '../../domain/deadline-facts';
import { problemSummary, problemTimerLabel } from '../../domain/problem-metadata';
import { supplierReviewStart } from '../../domain/supplier-metadata';

const AT = Date.parse('2026-12-01T10:00:00Z');

describe('how problems, complaints and supplier reviews read in the Temporal UI', () => {
  it('shows a deadline as a UTC instant with the time left, or how long it is overdue', () => {
    expect(dueText(AT, AT - 2 * 3_600_000 - 5 * 60_000)).toBe('2026-12-01 10:00:00 UTC (in 2 h 05 min)');
    expect(dueText(AT, AT + 90_000)).toBe('2026-12-01 10:00:00 UTC (overdue by 1 min 30 s)');
    expect(dueText(null, AT)).toBeNull();
    expect(nextDeadlineText({ label: 'escalation level 1 → managers', at: AT }, AT - 300_000)).toBe('escalation level 1 → managers, 2026-12-01 10:00:00 UTC (in 5 min)');
    expect(escalationText(0, 'managers')).toBe('none');
    expect(escalationText(2, 'administrators')).toBe('level 2 → administrators');
  });

  it('names each timer after who it reaches', () => {
    expect(problemTimerLabel({ key: 'rca:reminder:3600', kind: 'rca-reminder', at: AT - 3_600_000 }, AT, false)).toBe('RCA deadline reminder, 1 h 00 min before → problem manager');
    expect(problemTimerLabel({ key: 'rca:escalation', kind: 'rca-escalation', at: AT }, AT, true)).toBe('escalation level 1 → problem manager');
    expect(complaintTimerLabel({ key: 'escalation', kind: 'escalation', at: AT })).toBe('escalation level 1 → managers, handler');
    expect(complaintTimerLabel({ key: 'escalation:2', kind: 'escalation', at: AT })).toBe('escalation level 2 → administrators');
  });

  it('puts the reference, supplier and contract first in the list line, leaving out what is unknown', () => {
    expect(problemSummary({ number: 4, priority: 'P2', title: 'Mail gateway drops attachments', source: 'manual' })).toBe('PRB-000004 · P2 · Mail gateway drops attachments');
    expect(problemSummary({ number: 5, priority: 'P3', title: 'VPN drops', source: 'trend' })).toBe('PRB-000005 · P3 · from an incident trend · VPN drops');
    expect(supplierReviewStart({ reference: 'HOST-7', supplier: 'Hosting Ltd' }, 'yearly').staticSummary).toBe('Hosting Ltd · HOST-7 · yearly review');
    // A contract registered without its names (an older caller) still says which contract.
    expect(supplierReviewStart({ reference: 'HOST-7' }, 'significant-change').staticSummary).toBe('HOST-7 · review on a significant change');
  });
});

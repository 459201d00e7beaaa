import { COMPETENCE_REVIEW_TRANSITIONS } from '../../domain/competence';
import { CONTINUITY_TEST_TRANSITIONS, continuityCorrectiveAction } from '../../domain/continuity';
import { SUPPLIER_REVIEW_TRANSITIONS } from '../../domain/supplier';
import { illegalCommand, targetState } from '../../domain/transitions';

describe('the governance duties’ transition tables', () => {
  it('open from the first state, complete by a person while due, and escalate by a timer without moving', () => {
    const { initial, final, rules } = SUPPLIER_REVIEW_TRANSITIONS;
    expect({ initial, final }).toEqual({ initial: 'gathering', final: ['assessed'] });
    expect(Object.entries(rules).map(([command, rule]) => `${command}: ${rule.from} -> ${rule.to} by ${rule.by}`)).toEqual([
      'open: gathering -> awaiting-assessment by process',
      'assess: awaiting-assessment -> assessed by person',
      'escalate: awaiting-assessment ->  by timer',
    ]);
    expect(targetState(CONTINUITY_TEST_TRANSITIONS, 'recordOutcome', 'due', 'failed')).toBe('failed');
    expect(targetState(COMPETENCE_REVIEW_TRANSITIONS, 'escalate', 'due')).toBe('due');
  });

  it('refuse a second completion with the state it left', () => {
    expect(illegalCommand(COMPETENCE_REVIEW_TRANSITIONS, 'complete', 'done')).toBe('complete is not allowed while the competence review is done (allowed from: due)');
    expect(illegalCommand(CONTINUITY_TEST_TRANSITIONS, 'recordOutcome', 'opening')).toBe('recordOutcome is not allowed while the continuity test is opening (allowed from: due)');
  });
});

describe('a failed continuity test’s corrective action', () => {
  it('is owned by the plan’s owner and due 30 days after the test, reminded a week before', () => {
    expect(continuityCorrectiveAction('SD: Fail over', 'owner-1', Date.parse('2026-03-01T10:00:00Z'))).toEqual({ title: 'Continuity test failed: SD: Fail over', ownerId: 'owner-1', dueAt: '2026-03-31T10:00:00.000Z', remindBeforeSeconds: [604_800] });
  });
});

import { planApprovals, standardFit, type BoardSnapshot, type StandardTemplate } from '../../domain/change';

const template: StandardTemplate = { name: 'Restart an app server', active: true, serviceIds: ['erp'], ciTypes: ['server'], maxCost: 100, maxDurationMinutes: 60, maxRisk: 'medium' };
const change = { services: [{ id: 'erp', code: 'ERP' }], cis: [{ code: 'srv-1', type: 'server' }], estimatedCost: 0, minutes: 30, risk: 'low' as const };

const board = (code: string): BoardSnapshot => ({
  code,
  name: code,
  chairId: 'chair',
  memberIds: ['a', 'b'],
  quorum: { rule: 'any' },
  calendar: { timeZone: 'UTC', alwaysOpen: true, weekly: {}, holidays: [], extraWorkingDays: [] },
  decisionSeconds: 3_600,
  remindBeforeSeconds: [],
  escalateBeforeSeconds: null,
  reviewSeconds: 3_600,
  secondLevel: null,
});
const boards = { CAB: board('CAB'), ECAB: board('ECAB') };

describe('a standard change against its template', () => {
  it('is within it up to the template risk, and riskier above it', () => {
    expect(standardFit(template, change)).toEqual({ fit: 'within' });
    expect(standardFit(template, { ...change, risk: 'medium' })).toEqual({ fit: 'within' });
    expect(standardFit(template, { ...change, risk: 'high' })).toEqual({ fit: 'riskier', reason: 'risk high is above the medium the template "Restart an app server" pre-approves' });
  });

  it('is outside it on another service, another CI type, more cost or a longer window, or with no active template, whatever its risk', () => {
    const outside = (overrides: object, t: StandardTemplate | null = template) => standardFit(t, { ...change, risk: 'critical', ...overrides });
    expect(outside({ services: [...change.services, { id: 'mail', code: 'EMAIL' }] })).toEqual({ fit: 'outside', reason: 'service EMAIL is not covered by the template "Restart an app server"' });
    expect(outside({ cis: [{ code: 'app-erp', type: 'application' }] })).toEqual({ fit: 'outside', reason: 'app-erp is of type application; the template "Restart an app server" covers server' });
    expect(outside({ estimatedCost: 101 }).fit).toBe('outside');
    expect(outside({ minutes: 61 }).fit).toBe('outside');
    expect(outside({}, { ...template, active: false }).fit).toBe('outside');
    expect(outside({}, null).fit).toBe('outside');
  });

  it('is pre-approved within it, impossible outside it, and goes to the CAB as a normal change when riskier', () => {
    const plan = (templateFit: ReturnType<typeof standardFit> | undefined) => planApprovals({ type: 'standard', requesterId: 'r', estimatedCost: 0, risk: 'high', templateFit }, boards);
    expect(plan({ fit: 'within' })).toMatchObject({ kind: 'pre-approved', approvedAs: 'standard' });
    expect(plan({ fit: 'outside', reason: 'too dear' })).toMatchObject({ kind: 'impossible', reason: 'too dear', approvedAs: 'standard' });
    expect(plan(undefined)).toMatchObject({ kind: 'impossible', approvedAs: 'standard' });
    expect(plan({ fit: 'riskier', reason: 'risk high is above low' })).toMatchObject({ kind: 'stages', approvedAs: 'normal', stages: [{ level: 1, board: 'CAB', reason: 'risk high is above low', approverIds: ['a', 'b'] }] });
  });
});

import { readInbox } from '../../scripts/mail-catcher';
import { eventually } from './harness';

/**
 * The README's "Day one" walkthrough, step by step, through the API only: a calendar, a group with two members,
 * a service whose default group it is, four SLA policies and a requester; then the requester's incident, and a catalogue item the requester's manager
 * approves.
 */
export async function dayOne(api: string, adminToken: string, inbox: string, suffix: string) {
  // Answers are read loosely, as the README's shell walkthrough reads them with jq.
  const call = async (method: string, url: string, token: string, body?: unknown): Promise<any> => {
    const response = await fetch(`${api}${url}`, { method, headers: { Authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = response.status === 204 ? null : await response.json();
    if (response.status >= 300) throw new Error(`${method} ${url} -> ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  const admin = (method: string, url: string, body?: unknown) => call(method, url, adminToken, body);

  expect((await admin('GET', '/api/services')).items).toEqual([]);
  const calendar = await admin('POST', '/api/calendars', { name: 'Round the clock', timeZone: 'Europe/London', alwaysOpen: true });
  const person = (email: string, name: string, roles: string[], locale = 'en', timeZone = 'Europe/London') => admin('POST', '/api/users', { email, name, roles, locale, timeZone });
  const lead = await person(`lead.${suffix}@example.org`, 'Lena Lead', ['agent', 'manager']);
  const first = await person(`ana.${suffix}@example.org`, 'Ana Agent', ['agent']);
  const second = await person(`zhou.${suffix}@example.org`, '周杰 Zhou Jie', ['agent'], 'zh-CN', 'Asia/Shanghai');
  const requester = await person(`rob.${suffix}@example.org`, 'Rob Requester', ['requester']);
  const group = await admin('POST', '/api/groups', { name: 'Service Desk', leadId: lead.id });
  for (const member of [first, second]) await admin('POST', `/api/groups/${group.id}/members`, { userId: member.id });
  const service = await admin('POST', '/api/services', { code: 'PAYROLL', name: 'Payroll', ownerId: lead.id, defaultGroupId: group.id });
  for (const [priority, response] of [['P1', 8], ['P2', 600], ['P3', 1_800], ['P4', 3_600]] as const) {
    await admin('POST', '/api/sla-policies', {
      serviceId: service.id,
      priority,
      calendarId: calendar.id,
      responseTargetSeconds: response,
      resolutionTargetSeconds: response * 10,
      warningThresholds: [0.5],
      unassignedAlertSeconds: response * 0.75,
      reason: 'agreed with payroll',
    });
  }
  const requesterToken = (await admin('POST', '/api/tokens', { label: 'laptop', userId: requester.id })).token as string;

  const incident = await call('POST', '/api/incidents', requesterToken, { title: 'Payslips not generated', impact: 'high', urgency: 'high', serviceId: service.id });
  expect(incident).toMatchObject({ priority: 'P1', groupId: group.id, assigneeId: null, state: 'new', channel: 'api' });

  const members = [first.email, second.email].sort();
  const mails = await eventually(async () => {
    const found = (await readInbox(inbox)).filter((mail) => mail.headers['x-itsm-incident-id'] === incident.id);
    const kinds = (kind: string) => found.filter((mail) => mail.headers['x-itsm-kind'] === kind);
    if (kinds('new-incident').length < 2 || kinds('warning').length < 2 || kinds('unassigned').length < 1) throw new Error(`${found.length} mails so far`);
    return found;
  }, 60_000);
  const to = (kind: string) => mails.filter((mail) => mail.headers['x-itsm-kind'] === kind).map((mail) => mail.to[0].address).sort();
  // Both members hear of the new incident, each in their own language; the response warning reaches the group
  // while nobody is assigned, and the lead is alerted that nobody has taken it.
  expect(to('new-incident')).toEqual(members);
  expect(mails.find((mail) => mail.to[0].address === second.email && mail.headers['x-itsm-kind'] === 'new-incident')!.subject).toContain('您的处理组有新的 P1 事件');
  expect(to('warning')).toEqual(members);
  expect(to('unassigned')).toEqual([lead.email]);

  // The catalogue from nothing: an item the requester's manager approves, the manager set on the person.
  await admin('PATCH', `/api/users/${requester.id}`, { managerId: lead.id });
  const leadToken = (await admin('POST', '/api/tokens', { label: 'desk', userId: lead.id })).token as string;
  const item = await call('POST', '/api/catalog-items', leadToken, {
    code: 'PAYSLIP-COPY',
    serviceId: service.id,
    name: 'Payslip copy',
    form: { type: 'object', required: ['month'], properties: { month: { type: 'string', title: 'Month', format: 'date' } } },
    approval: { kind: 'manager' },
    fulfilment: { mode: 'ordered', tasks: [{ name: 'Print and send', groupId: group.id, olaSeconds: 3_600 }] },
    calendarId: calendar.id,
    responseTargetSeconds: 600,
    fulfilmentTargetSeconds: 3_600,
  });
  const request = await call('POST', '/api/requests', requesterToken, { itemId: item.id, answers: { month: '2026-11-01' } });
  expect(request.state).toBe('approval');
  const approved = await call('POST', `/api/requests/${request.id}/approve`, leadToken, { comment: '' });
  expect(approved.tasks[0]).toMatchObject({ groupId: group.id, state: 'open' });
  return [adminToken, requesterToken, leadToken];
}

import { renderChangeMail } from '../../records/mail/change-mail';
import { renderMail } from '../../records/mail/templates';
import { renderProblemMail } from '../../records/mail/problem-mail';
import { formatInstant, localiseInstants } from '../../records/mail/reader-time';

const AT = '2026-12-03T10:00:00.000Z';

describe('instants in the reader’s own time zone', () => {
  it('reads one instant as each reader’s wall-clock time, with the zone written out', () => {
    expect(formatInstant(AT, { locale: 'zh-CN', timeZone: 'Asia/Shanghai' })).toBe('2026年12月3日 18:00 UTC+8 (Asia/Shanghai)');
    expect(formatInstant(AT, { locale: 'en', timeZone: 'Asia/Shanghai' })).toBe('3 Dec 2026, 18:00 UTC+8 (Asia/Shanghai)');
    expect(formatInstant(AT, { locale: 'en', timeZone: 'Europe/London' })).toBe('3 Dec 2026, 10:00 UTC (Europe/London)');
    expect(formatInstant(AT, { locale: 'en', timeZone: 'Europe/Berlin' })).toBe('3 Dec 2026, 11:00 UTC+1 (Europe/Berlin)');
    expect(formatInstant(AT, { locale: 'en', timeZone: 'UTC' })).toBe('3 Dec 2026, 10:00 UTC');
    expect(formatInstant(Date.parse(AT), { locale: 'en', timeZone: 'Etc/UTC' })).toBe('3 Dec 2026, 10:00 UTC');
  });

  it('follows summer time and half-hour zones', () => {
    const july = new Date('2026-07-01T10:00:00Z');
    expect(formatInstant(july, { locale: 'en', timeZone: 'Europe/London' })).toBe('1 Jul 2026, 11:00 UTC+1 (Europe/London)');
    expect(formatInstant(july, { locale: 'en', timeZone: 'Asia/Kolkata' })).toBe('1 Jul 2026, 15:30 UTC+5:30 (Asia/Kolkata)');
    expect(formatInstant(july, { locale: 'en', timeZone: 'America/New_York' })).toBe('1 Jul 2026, 06:00 UTC-4 (America/New_York)');
  });

  it('falls back to UTC, said as such, for a zone it does not know', () => {
    expect(formatInstant(AT, { locale: 'en', timeZone: 'Mars/Olympus_Mons' })).toBe('3 Dec 2026, 10:00 UTC');
    expect(formatInstant(AT, { locale: 'zh-CN', timeZone: '' })).toBe('2026年12月3日 10:00 UTC');
  });

  it('rewrites the ISO instants a workflow wrote into a text, and nothing else', () => {
    const shanghai = { locale: 'en', timeZone: 'Asia/Shanghai' };
    expect(localiseInstants(`Corrective action "Fix backups" is due ${AT}.`, shanghai)).toBe('Corrective action "Fix backups" is due 3 Dec 2026, 18:00 UTC+8 (Asia/Shanghai).');
    expect(localiseInstants('window 2026-12-03T10:00:00Z – 2026-12-03T12:30:00Z; contract ends 2026-12-31', shanghai)).toBe(
      'window 3 Dec 2026, 18:00 UTC+8 (Asia/Shanghai) – 3 Dec 2026, 20:30 UTC+8 (Asia/Shanghai); contract ends 2026-12-31',
    );
    expect(localiseInstants('', shanghai)).toBe('');
  });

  it('puts the reader’s time into incident, change and problem mail', () => {
    const meiChen = { locale: 'zh-CN', timeZone: 'Asia/Shanghai' };
    const incident = renderMail('warning', meiChen, { reference: 'INC-000001', title: 'VPN down', priority: 'P2', state: 'assigned', serviceName: 'VPN', link: 'http://x', clock: 'response', fraction: 0.5, dueAt: AT });
    expect(incident.text).toContain('截止时间 2026年12月3日 18:00 UTC+8 (Asia/Shanghai)。');
    const change = renderChangeMail('approval-reminder', { locale: 'en', timeZone: 'Europe/Berlin' }, { reference: 'CHG-000001', title: 'Upgrade', type: 'normal', risk: 'low', window: '', services: '', requester: '', board: 'CAB', deadline: AT, decisions: '-', recordUrl: 'http://x' });
    expect(change.subject).toBe('[CHG-000001] reminder: your decision is due 3 Dec 2026, 11:00 UTC+1 (Europe/Berlin)');
    const problem = renderProblemMail('rca-reminder', meiChen, { reference: 'PRB-000001', title: 'Disk', priority: 'P2', link: 'http://x', deadline: AT });
    expect(problem.subject).toBe('[PRB-000001] 根本原因须在 2026年12月3日 18:00 UTC+8 (Asia/Shanghai) 前查明');
  });
});

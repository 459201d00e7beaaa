import { automatedReason, bareAddress, incidentNumberInSubject, referencedMessageIds, replyText } from '../../domain/inbound-mail';

const headers = (entries: Record<string, string>) => new Map(Object.entries(entries));

describe('inbound mail rules', () => {
  it('ignores auto-replies, bounces, lists and our own mail, and nothing a person wrote', () => {
    const own = 'itsm@example.org';
    expect(automatedReason(headers({ 'auto-submitted': 'auto-replied' }), 'a@b.test', own)).toBe('Auto-Submitted: auto-replied');
    expect(automatedReason(headers({ 'auto-submitted': 'no' }), 'a@b.test', own)).toBeNull();
    expect(automatedReason(headers({ precedence: 'bulk' }), 'a@b.test', own)).toBe('Precedence: bulk');
    expect(automatedReason(headers({ 'x-itsm-kind': 'note' }), 'a@b.test', own)).toBe('our own mail (x-itsm-kind)');
    expect(automatedReason(headers({ 'x-autoreply': 'yes' }), 'a@b.test', own)).toBe('automatic mail (x-autoreply)');
    expect(automatedReason(headers({}), '', own)).toBe('bounce (null reverse path)');
    expect(automatedReason(headers({ 'content-type': 'multipart/report; report-type=delivery-status' }), undefined, own)).toBe('delivery or read report');
    expect(automatedReason(headers({ from: 'Mail Delivery System <MAILER-DAEMON@mx.test>' }), undefined, own)).toBe('bounce (mailer daemon)');
    expect(automatedReason(headers({ from: `ITSM <${own}>` }), undefined, own)).toBe('our own address as sender');
    expect(automatedReason(headers({ from: 'Riley <riley@example.org>', precedence: 'normal' }), 'riley@example.org', own)).toBeNull();
  });

  it('finds the incident reference in a subject and the Message-IDs a reply answers', () => {
    expect(incidentNumberInSubject('Re: [INC-000123] resolved')).toBe(123);
    expect(incidentNumberInSubject('AW: [inc-42] x')).toBe(42);
    expect(incidentNumberInSubject('INC-000123 without brackets')).toBeNull();
    expect(incidentNumberInSubject('[INC-99999999999] too large')).toBeNull();
    expect(referencedMessageIds('<b@x>', ['<a@x>', '<b@x>'])).toEqual(['<b@x>', '<a@x>']);
    expect(referencedMessageIds(undefined, '<a@x> <c@x>')).toEqual(['<a@x>', '<c@x>']);
    expect(referencedMessageIds('no brackets', undefined)).toEqual([]);
  });

  it('reads addresses and keeps only what the sender wrote above the quote', () => {
    expect(bareAddress('Riley R <Riley@Example.ORG>')).toBe('riley@example.org');
    expect(bareAddress('not an address')).toBeNull();
    expect(replyText('Works now, thanks.\n\nOn Mon, 1 Dec 2026, ITSM wrote:\n> your mail was logged\n> as INC-1')).toBe('Works now, thanks.');
    expect(replyText('> only a quote')).toBe('> only a quote');
    expect(replyText('好了，谢谢。\n\n2026年12月1日 ITSM 写道：\n> 已收到')).toBe('好了，谢谢。');
  });
});

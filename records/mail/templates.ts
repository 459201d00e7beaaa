// Notification texts in the recipient's language (en, zh-CN) and time zone. Plain text: it is read on phones and
// in ticket-by-mail gateways alike.

import { formatInstant, localiseInstants, type Reader } from './reader-time';

export interface MailContext {
  reference: string;
  title: string;
  priority: string;
  state: string;
  serviceName: string;
  link: string;
  [key: string]: unknown;
}

type Template = (c: MailContext) => { subject: string; body: string };
type Locale = 'en' | 'zh-CN';

const pct = (c: MailContext) => `${Math.round(Number(c.fraction ?? 0) * 100)}%`;

const en: Record<string, Template> = {
  'new-incident': (c) =>
    c.groupName
      ? { subject: `[${c.reference}] new ${c.priority} incident for your group: ${c.title}`, body: `${c.reference} (${c.priority}, ${c.serviceName}) was raised and routed to ${c.groupName}. ${c.assigneeName ? `${c.assigneeName} has it.` : 'Nobody has taken it yet.'}` }
      : { subject: `[${c.reference}] new ${c.priority} incident with no group: ${c.title}`, body: `${c.reference} (${c.priority}, ${c.serviceName}) was raised, and no assignment rule or default group takes it. Please assign it.` },
  unassigned: (c) => ({ subject: `[${c.reference}] still unassigned: ${c.title}`, body: `${c.reference} (${c.priority}, ${c.serviceName}) has waited for an assignee since it was raised. Please hand it to someone.` }),
  assigned: (c) => ({ subject: `[${c.reference}] assigned to you: ${c.title}`, body: `${c.reference} (${c.priority}, ${c.serviceName}) is now yours.` }),
  warning: (c) => ({ subject: `[${c.reference}] ${pct(c)} of the ${c.clock} target used`, body: `The ${c.clock} SLA of ${c.reference} is ${pct(c)} used; it is due at ${c.dueAt}.` }),
  breach: (c) => ({ subject: `[${c.reference}] ${c.clock} SLA breached`, body: `The ${c.clock} target of ${c.reference} (${c.priority}) was missed at ${c.dueAt}.` }),
  escalation: (c) => ({ subject: `[${c.reference}] escalation level ${c.level}`, body: `${c.reference} (${c.priority}, ${c.serviceName}) reached escalation level ${c.level}.${c.reassignedToGroupId ? ' It has been handed to another group.' : ''}` }),
  progress: (c) => ({ subject: `[${c.reference}] progress update`, body: `Your incident "${c.title}" is still being worked on (state: ${c.state}).` }),
  'at-risk': (c) => ({ subject: `[${c.reference}] resolution will be late`, body: `We expect to miss the resolution target for "${c.title}" (due ${c.dueAt}). We are still working on it and will keep you informed.` }),
  note: (c) => ({ subject: `[${c.reference}] new message`, body: String(c.body ?? '') }),
  'customer-reply': (c) => ({ subject: `[${c.reference}] customer replied`, body: String(c.body ?? '') }),
  resolved: (c) => ({ subject: `[${c.reference}] resolved`, body: `"${c.title}" has been resolved: ${c.summary ?? ''}\nIf the problem is back, reply within the reopen window.` }),
  reopened: (c) => ({ subject: `[${c.reference}] reopened`, body: `${c.reference} was reopened: ${c.reason ?? ''}` }),
  closed: (c) => ({ subject: `[${c.reference}] closed`, body: `"${c.title}" is closed.` }),
  major: (c) => ({ subject: `[${c.reference}] MAJOR INCIDENT: ${c.title}`, body: `${c.reference} on ${c.serviceName} was declared a major incident: ${c.reason ?? ''}` }),
  'mail-received': (c) => ({
    subject: `[${c.reference}] received: ${c.title}`,
    body: `Thank you: your mail was logged as ${c.reference} for ${c.serviceName} (${c.priority}).${c.refusedAttachments ? ` These attachments were too large to keep: ${c.refusedAttachments}.` : ''}\nReply to this mail to add to it; keep ${c.reference} in the subject.`,
  }),
};

const zh: Record<string, Template> = {
  'new-incident': (c) =>
    c.groupName
      ? { subject: `[${c.reference}] 您的处理组有新的 ${c.priority} 事件：${c.title}`, body: `${c.reference}（${c.priority}，${c.serviceName}）已提交并分派到 ${c.groupName}。${c.assigneeName ? `由 ${c.assigneeName} 处理。` : '目前尚无人接手。'}` }
      : { subject: `[${c.reference}] 新的 ${c.priority} 事件尚无处理组：${c.title}`, body: `${c.reference}（${c.priority}，${c.serviceName}）已提交，但没有分派规则或默认处理组接收它，请尽快分派。` },
  unassigned: (c) => ({ subject: `[${c.reference}] 仍无人处理：${c.title}`, body: `${c.reference}（${c.priority}，${c.serviceName}）自提交以来一直无人接手，请尽快分派。` }),
  assigned: (c) => ({ subject: `[${c.reference}] 已分派给您：${c.title}`, body: `${c.reference}（${c.priority}，${c.serviceName}）现由您处理。` }),
  warning: (c) => ({ subject: `[${c.reference}] ${c.clock === 'response' ? '响应' : '解决'}时限已用 ${pct(c)}`, body: `${c.reference} 的${c.clock === 'response' ? '响应' : '解决'} SLA 已用 ${pct(c)}，截止时间 ${c.dueAt}。` }),
  breach: (c) => ({ subject: `[${c.reference}] ${c.clock === 'response' ? '响应' : '解决'} SLA 已违约`, body: `${c.reference}（${c.priority}）已于 ${c.dueAt} 超出${c.clock === 'response' ? '响应' : '解决'}时限。` }),
  escalation: (c) => ({ subject: `[${c.reference}] 升级至第 ${c.level} 级`, body: `${c.reference}（${c.priority}，${c.serviceName}）已升级至第 ${c.level} 级。${c.reassignedToGroupId ? '已转交其他处理组。' : ''}` }),
  progress: (c) => ({ subject: `[${c.reference}] 进展通知`, body: `您的事件"${c.title}"正在处理中（状态：${c.state}）。` }),
  'at-risk': (c) => ({ subject: `[${c.reference}] 预计无法按时解决`, body: `事件"${c.title}"预计无法在 ${c.dueAt} 前解决。我们仍在处理，并将持续通知您。` }),
  note: (c) => ({ subject: `[${c.reference}] 新消息`, body: String(c.body ?? '') }),
  'customer-reply': (c) => ({ subject: `[${c.reference}] 客户已回复`, body: String(c.body ?? '') }),
  resolved: (c) => ({ subject: `[${c.reference}] 已解决`, body: `"${c.title}"已解决：${c.summary ?? ''}\n如问题再次出现，请在重新打开期限内回复。` }),
  reopened: (c) => ({ subject: `[${c.reference}] 已重新打开`, body: `${c.reference} 已重新打开：${c.reason ?? ''}` }),
  closed: (c) => ({ subject: `[${c.reference}] 已关闭`, body: `"${c.title}"已关闭。` }),
  major: (c) => ({ subject: `[${c.reference}] 重大事件：${c.title}`, body: `${c.serviceName} 上的 ${c.reference} 已被宣布为重大事件：${c.reason ?? ''}` }),
  'mail-received': (c) => ({
    subject: `[${c.reference}] 已收到：${c.title}`,
    body: `感谢来信：您的邮件已登记为 ${c.serviceName} 的事件 ${c.reference}（${c.priority}）。${c.refusedAttachments ? `以下附件过大，未能保存：${c.refusedAttachments}。` : ''}\n如需补充，请直接回复本邮件，并保留主题中的 ${c.reference}。`,
  }),
};

/**
 * The answer to mail from someone the service desk does not serve. Their language is unknown, so it is in both;
 * it is a reply, never a bounce: it goes to the From address with Auto-Submitted, so no responder answers it.
 */
export function unknownSenderReply(subject: string) {
  return {
    subject: `Re: ${subject}`.slice(0, 250),
    text:
      'Thank you for your mail. This service desk takes requests only from its registered users, so your mail was not logged. ' +
      'Please contact your IT department to be registered, or use the address your organisation gave you.\n\n' +
      '感谢来信。本服务台只受理已登记用户的请求，因此您的邮件未被登记。请联系您的 IT 部门进行登记，或使用贵单位提供的地址。\n',
  };
}

export function renderMail(kind: string, reader: Reader, context: MailContext) {
  const templates = (reader.locale as Locale) === 'zh-CN' ? zh : en;
  const template = templates[kind];
  if (!template) throw new Error(`no mail template for "${kind}"`);
  // The workflow gives the deadline as an ISO instant in UTC; the reader gets it in their own zone.
  const { subject, body } = template({ ...context, dueAt: localiseInstants(String(context.dueAt ?? ''), reader) });
  return { subject, text: `${body}\n\n${context.link}\n` };
}

/** The line that carries a person's own action link (domain/action-links.ts) in any mail that offers a step. */
export function offeredStepLine(reader: Reader, url: string, expiresAt: number): string {
  const until = formatInstant(expiresAt, reader);
  return reader.locale === 'zh-CN' ? `在此页面办理（链接仅限您本人使用一次，有效期至 ${until}）：${url}` : `Take this step on its page (the link works once, only for you, until ${until}): ${url}`;
}

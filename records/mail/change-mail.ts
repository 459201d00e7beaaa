// Change notifications in the recipient's language (en, zh-CN) and time zone, as a text part and an HTML part
// with the same content. Links to decide go to the confirmation page, never straight to an action.

import { formatInstant, localiseInstants, type Reader } from './reader-time';

export interface ChangeMailContext {
  reference: string;
  title: string;
  type: string;
  risk: string;
  window: string;
  services: string;
  requester: string;
  board?: string;
  /** ISO 8601 instant. */
  deadline?: string;
  reason?: string;
  decisions?: string;
  /** The person's own action link (approval requests, reminders). */
  actionUrl?: string;
  recordUrl: string;
}

interface MailContent {
  subject: string;
  lines: string[];
  /** Buttons in HTML, plain links in text. */
  actions?: { label: string; url: string }[];
}

type Template = (c: ChangeMailContext) => MailContent;

const decide = (c: ChangeMailContext, approve: string, reject: string) =>
  c.actionUrl ? [{ label: approve, url: `${c.actionUrl}?choice=approve` }, { label: reject, url: `${c.actionUrl}?choice=reject` }] : [];

const en: Record<string, Template> = {
  'approval-request': (c) => ({
    subject: `[${c.reference}] approval requested: ${c.title}`,
    lines: [`${c.requester} asks the ${c.board} to approve a ${c.type} change (risk ${c.risk}).`, `Window: ${c.window}`, `Services: ${c.services}`, `Decide by ${c.deadline}. The link opens a page where you confirm; it works once and only for you.`],
    actions: decide(c, 'Approve…', 'Reject…'),
  }),
  'approval-reminder': (c) => ({
    subject: `[${c.reference}] reminder: your decision is due ${c.deadline}`,
    lines: [`The ${c.board} still needs your decision on "${c.title}" (risk ${c.risk}).`, `Decisions so far: ${c.decisions}`],
    actions: decide(c, 'Approve…', 'Reject…'),
  }),
  'approval-escalation': (c) => ({
    subject: `[${c.reference}] escalated: ${c.board} decision due ${c.deadline}`,
    lines: [`As chair of the ${c.board}: "${c.title}" has not reached its quorum and expires at ${c.deadline}.`, `Decisions so far: ${c.decisions}`],
  }),
  'approval-expired': (c) => ({
    subject: `[${c.reference}] rejected: approval expired`,
    lines: [`"${c.title}" was not approved by the ${c.board} before ${c.deadline} and is rejected as expired.`, `Decisions: ${c.decisions}`],
  }),
  approved: (c) => ({ subject: `[${c.reference}] approved: ${c.title}`, lines: [`Your change is approved (${c.decisions}). Schedule it for its window: ${c.window}.`] }),
  rejected: (c) => ({ subject: `[${c.reference}] rejected: ${c.title}`, lines: [`The ${c.board} rejected your change: ${c.reason ?? ''}`, `Decisions: ${c.decisions}`] }),
  scheduled: (c) => ({ subject: `[${c.reference}] scheduled: ${c.window}`, lines: [`"${c.title}" is scheduled for ${c.window}.`] }),
  'review-request': (c) => ({ subject: `[${c.reference}] post-implementation review due ${c.deadline}`, lines: [`"${c.title}" was implemented (${c.reason ?? 'successful'}). Record its review by ${c.deadline}.`] }),
  'review-reminder': (c) => ({ subject: `[${c.reference}] reminder: review due ${c.deadline}`, lines: [`The post-implementation review of "${c.title}" is due ${c.deadline}.`] }),
  'review-overdue': (c) => ({ subject: `[${c.reference}] review overdue`, lines: [`The post-implementation review of "${c.title}" was due ${c.deadline} and has not been recorded.`] }),
};

const zh: Record<string, Template> = {
  'approval-request': (c) => ({
    subject: `[${c.reference}] 请审批：${c.title}`,
    lines: [`${c.requester} 请求 ${c.board} 审批一项${typeZh(c.type)}变更（风险：${riskZh(c.risk)}）。`, `时间窗口：${c.window}`, `涉及服务：${c.services}`, `请在 ${c.deadline} 前决定。链接打开确认页面，仅限本人使用一次。`],
    actions: decide(c, '批准…', '拒绝…'),
  }),
  'approval-reminder': (c) => ({
    subject: `[${c.reference}] 提醒：请在 ${c.deadline} 前审批`,
    lines: [`${c.board} 仍在等待您对"${c.title}"的决定（风险：${riskZh(c.risk)}）。`, `目前的决定：${c.decisions}`],
    actions: decide(c, '批准…', '拒绝…'),
  }),
  'approval-escalation': (c) => ({
    subject: `[${c.reference}] 已升级：${c.board} 审批将于 ${c.deadline} 到期`,
    lines: [`作为 ${c.board} 主席：变更"${c.title}"尚未达到法定人数，将于 ${c.deadline} 过期。`, `目前的决定：${c.decisions}`],
  }),
  'approval-expired': (c) => ({
    subject: `[${c.reference}] 已拒绝：审批过期`,
    lines: [`"${c.title}"未在 ${c.deadline} 前获得 ${c.board} 批准，已按过期拒绝。`, `决定：${c.decisions}`],
  }),
  approved: (c) => ({ subject: `[${c.reference}] 已批准：${c.title}`, lines: [`您的变更已获批准（${c.decisions}）。请为其安排时间窗口：${c.window}。`] }),
  rejected: (c) => ({ subject: `[${c.reference}] 已拒绝：${c.title}`, lines: [`${c.board} 拒绝了您的变更：${c.reason ?? ''}`, `决定：${c.decisions}`] }),
  scheduled: (c) => ({ subject: `[${c.reference}] 已排期：${c.window}`, lines: [`"${c.title}"已排期于 ${c.window}。`] }),
  'review-request': (c) => ({ subject: `[${c.reference}] 实施后评审将于 ${c.deadline} 到期`, lines: [`"${c.title}"已实施（${c.reason ?? 'successful'}）。请在 ${c.deadline} 前完成评审。`] }),
  'review-reminder': (c) => ({ subject: `[${c.reference}] 提醒：评审将于 ${c.deadline} 到期`, lines: [`"${c.title}"的实施后评审将于 ${c.deadline} 到期。`] }),
  'review-overdue': (c) => ({ subject: `[${c.reference}] 评审已逾期`, lines: [`"${c.title}"的实施后评审已于 ${c.deadline} 到期，尚未记录。`] }),
};

export function typeZh(type: string): string {
  return ({ standard: '标准', normal: '常规', emergency: '紧急' } as Record<string, string>)[type] ?? type;
}

export function riskZh(risk: string): string {
  return ({ low: '低', medium: '中', high: '高', critical: '严重' } as Record<string, string>)[risk] ?? risk;
}

/** A change's window: the scheduled one once there is one, else the planned one. */
export function formatChangeWindow(change: { plannedStart: Date; plannedEnd: Date; scheduledStart: Date | null; scheduledEnd: Date | null }, reader: Reader): string {
  return `${formatInstant(change.scheduledStart ?? change.plannedStart, reader)} – ${formatInstant(change.scheduledEnd ?? change.plannedEnd, reader)}`;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}

export function renderChangeMail(kind: string, reader: Reader, context: ChangeMailContext) {
  const { locale } = reader;
  const template = (locale === 'zh-CN' ? zh : en)[kind];
  if (!template) throw new Error(`no change mail template for "${kind}"`);
  // The workflow gives the deadline as an ISO instant in UTC; the reader gets it in their own zone.
  const { subject, lines, actions = [] } = template({ ...context, deadline: localiseInstants(context.deadline ?? '', reader) });
  const text = [...lines, '', ...actions.map((a) => `${a.label} ${a.url}`), context.recordUrl, ''].join('\n');
  const buttons = actions
    .map((a) => `<a href="${escapeHtml(a.url)}" style="display:inline-block;padding:10px 18px;margin-right:8px;border-radius:6px;background:#1f4e8c;color:#fff;text-decoration:none">${escapeHtml(a.label)}</a>`)
    .join('');
  const html = `<!doctype html><html lang="${locale === 'zh-CN' ? 'zh-CN' : 'en'}"><body style="font-family:system-ui,sans-serif;line-height:1.5">${lines
    .map((line) => `<p>${escapeHtml(line)}</p>`)
    .join('')}${buttons ? `<p>${buttons}</p>` : ''}<p style="color:#666;font-size:12px">${escapeHtml(context.recordUrl)}</p></body></html>`;
  return { subject, text, html };
}

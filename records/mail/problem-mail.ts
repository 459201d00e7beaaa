// Problem notifications in the recipient's language (en, zh-CN) and time zone; plain text, like the incident ones.

import { localiseInstants, type Reader } from './reader-time';

export interface ProblemMailContext {
  reference: string;
  title: string;
  priority: string;
  link: string;
  /** ISO 8601 instant. */
  deadline?: string;
  reason?: string;
  incidents?: string;
}

type Template = (c: ProblemMailContext) => { subject: string; body: string };

const en: Record<string, Template> = {
  'problem-opened': (c) => ({ subject: `[${c.reference}] new problem: ${c.title}`, body: `A ${c.priority} problem was opened. Its root cause is due by ${c.deadline}; assign an owner to investigate it.` }),
  'problem-assigned': (c) => ({ subject: `[${c.reference}] problem assigned to you: ${c.title}`, body: `Find the root cause of "${c.title}" by ${c.deadline}.` }),
  'rca-reminder': (c) => ({ subject: `[${c.reference}] root cause due ${c.deadline}`, body: `The root cause of "${c.title}" (${c.priority}) is due by ${c.deadline}.` }),
  'rca-escalation': (c) => ({ subject: `[${c.reference}] ESCALATED: root cause overdue`, body: `The root-cause deadline of "${c.title}" (${c.priority}) passed at ${c.deadline} without a known error.` }),
  'problem-fix-failed': (c) => ({ subject: `[${c.reference}] the fix did not go through`, body: `The change raised to fix "${c.title}" ended without success: ${c.reason}. The known error stays open; raise another fix.` }),
  'problem-recurred': (c) => ({ subject: `[${c.reference}] recurred after its fix`, body: `${c.incidents} new incident(s) were linked to "${c.title}" during its effectiveness review. It is back under investigation.` }),
  'problem-closed': (c) => ({ subject: `[${c.reference}] closed`, body: `"${c.title}" is closed: ${c.reason}.` }),
};

const zh: Record<string, Template> = {
  'problem-opened': (c) => ({ subject: `[${c.reference}] 新问题：${c.title}`, body: `已创建 ${c.priority} 问题，根本原因须在 ${c.deadline} 前查明；请指定负责人。` }),
  'problem-assigned': (c) => ({ subject: `[${c.reference}] 问题已分派给您：${c.title}`, body: `请在 ${c.deadline} 前查明"${c.title}"的根本原因。` }),
  'rca-reminder': (c) => ({ subject: `[${c.reference}] 根本原因须在 ${c.deadline} 前查明`, body: `"${c.title}"（${c.priority}）的根本原因分析截止时间为 ${c.deadline}。` }),
  'rca-escalation': (c) => ({ subject: `[${c.reference}] 已升级：根本原因分析逾期`, body: `"${c.title}"（${c.priority}）的根本原因分析已于 ${c.deadline} 逾期，仍未形成已知错误。` }),
  'problem-fix-failed': (c) => ({ subject: `[${c.reference}] 修复变更未成功`, body: `为修复"${c.title}"提出的变更未成功结束：${c.reason}。已知错误仍然有效，请另行提出修复。` }),
  'problem-recurred': (c) => ({ subject: `[${c.reference}] 修复后再次发生`, body: `在有效性评审期间，有 ${c.incidents} 个新事件关联到"${c.title}"，问题已重新进入调查。` }),
  'problem-closed': (c) => ({ subject: `[${c.reference}] 已关闭`, body: `"${c.title}"已关闭：${c.reason}。` }),
};

export function renderProblemMail(kind: string, reader: Reader, context: ProblemMailContext) {
  const template = (reader.locale === 'zh-CN' ? zh : en)[kind];
  if (!template) throw new Error(`no problem mail template for "${kind}"`);
  const { subject, body } = template({ ...context, deadline: localiseInstants(context.deadline ?? '', reader) });
  return { subject, text: `${body}\n\n${context.link}\n` };
}

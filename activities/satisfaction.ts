import { createHash } from 'node:crypto';
import { incidentReference } from '../domain/incident';
import { requestReference } from '../domain/request';
import { SCORE_LABELS, SURVEY_SCORES, SURVEY_VALID_SECONDS } from '../domain/satisfaction';
import type { Db } from '../prisma/database';
import type { User } from '../prisma/generated/client';
import { cappedExpiry, signActionToken, type ActionLinkKey } from '../records/mail/action-tokens';
import { escapeHtml } from '../records/mail/change-mail';
import type { Mailer } from '../records/mail/mailer';
import { deliverOnce } from '../records/mail/deliveries';
import { formatInstant } from '../records/mail/reader-time';

export interface SatisfactionActivityDeps {
  prisma: Db;
  mailer: Mailer;
  publicUrl: string;
  actionSecret: ActionLinkKey;
}

const SURVEY_TEXT = {
  en: {
    subject: (reference: string) => `[${reference}] how did we do?`,
    ask: (reference: string, title: string) => `Your incident ${reference} "${title}" is closed. How satisfied are you with how it was handled? Choose a score; you can add a comment on the next page.`,
    askRequest: (reference: string, title: string) => `Your request ${reference} for ${title} is closed. How satisfied are you with how it was fulfilled? Choose a score; you can add a comment on the next page.`,
    until: (date: string) => `The links work once, only for you, until ${date}.`,
  },
  'zh-CN': {
    subject: (reference: string) => `[${reference}] 请评价我们的服务`,
    ask: (reference: string, title: string) => `您的事件 ${reference}"${title}"已关闭。您对处理过程的满意度如何？请选择一个分数，下一页可以填写意见。`,
    askRequest: (reference: string, title: string) => `您的申请 ${reference}（${title}）已关闭。您对处理过程的满意度如何？请选择一个分数，下一页可以填写意见。`,
    until: (date: string) => `链接仅限您本人使用一次，有效期至 ${date}。`,
  },
};

type SurveyKey = { incidentId: string } | { requestId: string };

export function createSatisfactionActivities({ prisma, mailer, publicUrl, actionSecret }: SatisfactionActivityDeps) {
  /**
   * One survey per closed record, mailed to its requester with a link per score: a retry (or a record reopened
   * and closed again) finds it and mails nothing new.
   */
  async function mailSurvey(key: SurveyKey, closed: { closedAt: Date | null; requester: User; reference: string; ask: (t: (typeof SURVEY_TEXT)['en']) => string; headers: Record<string, string> }) {
    const closedAt = closed.closedAt ?? new Date();
    const { requester } = closed;
    const survey = await prisma.satisfactionSurvey.upsert({
      where: 'incidentId' in key ? { incidentId: key.incidentId } : { requestId: key.requestId },
      update: {},
      // The survey closes when its link expires: no later than links may live.
      create: { ...key, requesterId: requester.id, sentAt: closedAt, expiresAt: new Date(cappedExpiry(actionSecret, closedAt.getTime() + SURVEY_VALID_SECONDS * 1000)) },
    });
    const locale = requester.locale === 'zh-CN' ? 'zh-CN' : 'en';
    const t = SURVEY_TEXT[locale];
    // One token for the survey, derived from its id, so a retried activity mails the same links.
    const token = await signActionToken(actionSecret, {
      act: 'satisfaction-survey',
      approverId: requester.id,
      surveyId: survey.id,
      jti: createHash('sha256').update(`survey:${survey.id}`).digest('base64url').slice(0, 32),
      expiresAt: survey.expiresAt.getTime(),
    });
    const links = SURVEY_SCORES.map((score, index) => ({ label: SCORE_LABELS[locale][index], url: `${publicUrl}/actions/${token}?score=${score}` }));
    const until = t.until(formatInstant(survey.expiresAt, requester));
    const ask = closed.ask(t);
    await deliverOnce(prisma, mailer, {
      idempotencyKey: `survey:${survey.id}:${requester.email}`,
      recipient: requester,
      kind: 'satisfaction-survey',
      subject: t.subject(closed.reference),
      text: [ask, '', ...links.map((link) => `${link.label}: ${link.url}`), '', until, ''].join('\n'),
      html: `<p>${escapeHtml(ask)}</p><p>${links.map((link) => `<a href="${escapeHtml(link.url)}">${escapeHtml(link.label)}</a>`).join(' &middot; ')}</p><p>${escapeHtml(until)}</p>`,
      headers: { 'X-Itsm-Survey-Id': survey.id, ...closed.headers },
    });
    return { surveyId: survey.id };
  }

  return {
    async sendSatisfactionSurvey({ incidentId }: { incidentId: string }): Promise<{ surveyId: string }> {
      const incident = await prisma.incident.findUniqueOrThrow({ where: { id: incidentId }, include: { requester: true } });
      const reference = incidentReference(incident.number);
      return mailSurvey({ incidentId }, { closedAt: incident.closedAt, requester: incident.requester, reference, ask: (t) => t.ask(reference, incident.title), headers: { 'X-Itsm-Survey-Incident': reference, 'X-Itsm-Survey-Incident-Id': incident.id } });
    },

    async sendRequestSurvey({ requestId }: { requestId: string }): Promise<{ surveyId: string }> {
      const request = await prisma.serviceRequest.findUniqueOrThrow({ where: { id: requestId }, include: { requester: true, item: true } });
      const reference = requestReference(request.number);
      return mailSurvey({ requestId }, { closedAt: request.closedAt, requester: request.requester, reference, ask: (t) => t.askRequest(reference, request.item.name), headers: { 'X-Itsm-Survey-Request': reference, 'X-Itsm-Survey-Request-Id': request.id } });
    },
  };
}

export type SatisfactionActivities = ReturnType<typeof createSatisfactionActivities>;

import type { Response } from 'express';
import type { SatisfactionSurveyClaims } from '../records/mail/action-tokens';
import { formatInstant } from '../records/mail/reader-time';
import { incidentReference } from '../domain/incident';
import { requestReference } from '../domain/request';
import { isSurveyScore } from '../domain/satisfaction';
import { messagePage, pageTexts, surveyPage, type PageLocale, type PageReader } from './action-pages';
import type { ApiDeps } from './deps';

class AlreadyAnswered extends Error {}

/**
 * The survey side of `/actions/:token`: the page asks for a score (the one the mail link chose is
 * preselected) and a comment; the POST records the answer once, on the survey and in the incident's or request's history.
 */
export function surveyLinks(deps: ApiDeps) {
  const { prisma } = deps;
  const load = (claims: SatisfactionSurveyClaims) => prisma.satisfactionSurvey.findUnique({ where: { id: claims.surveyId }, include: { incident: true, request: { include: { item: true } } } });
  type Loaded = NonNullable<Awaited<ReturnType<typeof load>>>;
  /** What the survey asks about: a closed incident or a closed service request. */
  const subject = (survey: Loaded) =>
    survey.incident
      ? { reference: incidentReference(survey.incident.number), title: survey.incident.title, kind: 'incident' as const }
      : { reference: requestReference(survey.request!.number), title: survey.request!.item.name, kind: 'request' as const };

  function show(res: Response, reader: PageReader, survey: Loaded, form: { score: number | null; comment?: string; error?: string; status?: number }) {
    res.status(form.status ?? 200).type('html').send(
      surveyPage(reader.locale, { ...subject(survey), deadline: formatInstant(survey.expiresAt, reader), ...form }),
    );
  }

  /** Finds the survey, or answers for it: 400 when unknown, 409 when already answered. */
  async function open(res: Response, claims: SatisfactionSurveyClaims, locale: PageLocale): Promise<Loaded | null> {
    const t = pageTexts(locale);
    const refuse = (status: number, heading: string, message: string) => {
      res.status(status).type('html').send(messagePage(locale, heading, message, 'refused'));
      return null;
    };
    const survey = await load(claims);
    if (!survey || survey.requesterId !== claims.approverId) return refuse(400, t.invalidTitle, t.invalid);
    if (survey.respondedAt) return refuse(409, t.usedTitle, t.surveyClosed);
    return survey;
  }

  return {
    async render(res: Response, claims: SatisfactionSurveyClaims, reader: PageReader, chosen: unknown) {
      const survey = await open(res, claims, reader.locale);
      const score = Number(chosen);
      if (survey) show(res, reader, survey, { score: isSurveyScore(score) ? score : null });
    },

    async answer(res: Response, claims: SatisfactionSurveyClaims, reader: PageReader, body: { score?: unknown; comment?: unknown }) {
      const { locale } = reader;
      const t = pageTexts(locale);
      const survey = await open(res, claims, locale);
      if (!survey) return;
      const score = Number(body.score);
      const comment = typeof body.comment === 'string' ? body.comment.trim().slice(0, 2_000) : '';
      if (!isSurveyScore(score)) return show(res, reader, survey, { score: null, comment, error: t.needScore, status: 400 });
      const respondedAt = new Date();
      // The link's single use and the answer are one write: of two simultaneous posts, one is recorded.
      const recorded = await prisma
        .$transaction(async (tx) => {
          await tx.actionTokenUse.create({ data: { jti: claims.jti, surveyId: survey.id, userId: claims.approverId } });
          const { count } = await tx.satisfactionSurvey.updateMany({ where: { id: survey.id, respondedAt: null }, data: { score, comment, respondedAt } });
          if (count !== 1) throw new AlreadyAnswered();
          if (survey.incident) {
            await tx.incidentEvent.create({
              data: { eventKey: `${survey.incident.id}:survey:${survey.id}`, incidentId: survey.incident.id, type: 'satisfaction-survey', actorId: claims.approverId, at: respondedAt, fromState: survey.incident.state, toState: survey.incident.state, data: { score, comment } },
            });
          } else {
            const { request } = survey;
            await tx.requestEvent.create({ data: { id: `${request!.id}:survey:${survey.id}`, requestId: request!.id, type: 'satisfaction-survey', actorId: claims.approverId, at: respondedAt, fromState: request!.state, toState: request!.state, data: { score, comment } } });
          }
          return true;
        })
        .catch((error: unknown) => {
          // The link's use is already claimed (P2002) or another post answered first; anything else is a fault.
          if (error instanceof AlreadyAnswered || (error as { code?: string }).code === 'P2002') return false;
          throw error;
        });
      if (!recorded) return void res.status(409).type('html').send(messagePage(locale, t.usedTitle, t.surveyClosed, 'refused'));
      res.status(200).type('html').send(messagePage(locale, t.surveyAnsweredTitle, t.surveyAnswered(score, subject(survey).reference), 'done'));
    },
  };
}

import express, { type Request, type Response, type Router } from 'express';
import type { User } from '../../prisma/generated/client';
import { verifyActionToken, type ActionClaims, type ChangeDecisionClaims } from '../../records/mail/action-tokens';
import { formatChangeWindow } from '../../records/mail/change-mail';
import { formatInstant, localiseInstants } from '../../records/mail/reader-time';
import { changeReference, type ApprovalPlan } from '../../domain/change';
import { changeStatusQuery, decideChangeUpdate, type ChangeStatus } from '../../workflows/change.messages';
import { signedInUser } from '../auth';
import { decisionPage, messagePage, pageTexts, type PageLocale, type PageReader } from '../action-pages';
import { sendChangeUpdate } from '../change-updates';
import type { ApiDeps } from '../deps';
import { stillEntitled } from '../link-holders';
import { HttpError } from '../problem-details';
import { releaseLinks } from '../release-links';
import { stepLinks } from '../step-links';
import { surveyLinks } from '../survey-links';

/**
 * `/actions/:token`: GET shows what the link would decide and changes nothing (mail scanners follow links);
 * POST acts: a change decision, a release authorisation or any step a process offered in its mail through the
 * record's workflow, a survey answer on its record. The token is checked for signature, expiry (and a lifetime within
 * ITSM_LINK_MAX_DAYS), addressee (against whoever is signed in), the addressee's role now, and single use before
 * anything else happens.
 */
export function actionRoutes(router: Router, deps: ApiDeps) {
  const form = express.urlencoded({ extended: false, limit: '16kb' });
  const releases = releaseLinks(deps);
  const surveys = surveyLinks(deps);
  const steps = stepLinks(deps);

  async function load(req: Request, res: Response): Promise<{ claims: ActionClaims; reader: PageReader; approver: User } | null> {
    const verified = await verifyActionToken(deps.actionSecret, String(req.params.token));
    const owner = verified.claims ? await deps.prisma.user.findUnique({ where: { id: verified.claims.approverId } }) : null;
    const asked = req.query.lang === 'zh-CN' || req.query.lang === 'en' ? (req.query.lang as PageLocale) : null;
    const locale: PageLocale = asked ?? (owner?.locale === 'zh-CN' ? 'zh-CN' : 'en');
    const t = pageTexts(locale);
    const refuse = (status: number, heading: string, message: string) => {
      res.status(status).type('html').send(messagePage(locale, heading, message, 'refused'));
      return null;
    };
    if (!verified.ok) return verified.reason === 'expired' ? refuse(410, t.expiredTitle, t.expired) : refuse(400, t.invalidTitle, t.invalid);
    // A deactivated person's links stop working with their tokens: nobody acts in their name any more.
    if (!owner || owner.deactivatedAt) return refuse(400, t.invalidTitle, t.invalid);
    const you = await signedInUser(deps, req, res);
    if (you && you.id !== owner.id) return refuse(403, t.wrongPersonTitle, t.wrongPerson(owner.name, you.name));
    if (!(await stillEntitled(deps.prisma, verified.claims, owner))) return refuse(403, t.roleLostTitle, t.roleLost);
    if (await deps.prisma.actionTokenUse.findUnique({ where: { jti: verified.claims.jti } })) return refuse(409, t.usedTitle, t.used);
    return { claims: verified.claims, reader: { locale, timeZone: owner.timeZone }, approver: owner };
  }

  async function liveStatus(workflowId: string): Promise<ChangeStatus | null> {
    try {
      return await deps.temporal.workflow.getHandle(workflowId).query(changeStatusQuery);
    } catch {
      return null;
    }
  }

  async function renderDecision(res: Response, claims: ChangeDecisionClaims, reader: PageReader, extra: { choice: 'approve' | 'reject' | null; error?: string; comment?: string; status?: number }) {
    const { locale } = reader;
    const t = pageTexts(locale);
    const change = await deps.prisma.changeRequest.findUnique({
      where: { id: claims.changeId },
      include: { requester: true, services: { include: { service: true } }, approvals: { include: { approver: true }, orderBy: { decidedAt: 'asc' } } },
    });
    if (!change) return void res.status(400).type('html').send(messagePage(locale, t.invalidTitle, t.invalid, 'refused'));
    const live = await liveStatus(change.workflowId);
    const awaiting = live?.state === 'approval' && live.stage?.level === claims.level && !live.stage.decisions.some((d) => d.approverId === claims.approverId);
    if (!awaiting) return void res.status(409).type('html').send(messagePage(locale, t.closedTitle, t.closed(live?.state ?? change.state), 'refused'));
    const stage = (change.approvalPlan as unknown as ApprovalPlan).stages.find((s) => s.level === claims.level);
    res.status(extra.status ?? 200).type('html').send(
      decisionPage(locale, {
        reference: changeReference(change.number),
        title: change.title,
        type: change.type,
        risk: change.riskLevel ?? '-',
        window: formatChangeWindow(change, reader),
        services: change.services.map((s) => s.service.name).join(', '),
        requester: change.requester.name,
        justification: change.justification,
        board: `${stage?.boardName ?? ''} (${live!.stage!.quorum})`,
        deadline: formatInstant(claims.expiresAt, reader),
        decisions: change.approvals.filter((a) => a.level === claims.level).map((a) => ({ name: a.approver.name, decision: a.decision, comment: a.comment })),
        choice: extra.choice,
        error: extra.error,
        comment: extra.comment,
      }),
    );
  }

  router.get('/actions/:token', async (req, res) => {
    const loaded = await load(req, res);
    if (!loaded) return;
    if (loaded.claims.act === 'release-authorisation') return releases.render(res, loaded.claims, loaded.reader);
    if (loaded.claims.act === 'satisfaction-survey') return surveys.render(res, loaded.claims, loaded.reader, req.query.score);
    if (loaded.claims.act === 'process-step') return steps.render(res, loaded.claims, loaded.reader);
    const choice = req.query.choice === 'approve' || req.query.choice === 'reject' ? req.query.choice : null;
    await renderDecision(res, loaded.claims, loaded.reader, { choice });
  });

  router.post('/actions/:token', form, async (req, res) => {
    const loaded = await load(req, res);
    if (!loaded) return;
    if (loaded.claims.act === 'release-authorisation') return releases.authorise(res, loaded.claims, loaded.reader);
    if (loaded.claims.act === 'satisfaction-survey') return surveys.answer(res, loaded.claims, loaded.reader, req.body ?? {});
    if (loaded.claims.act === 'process-step') return steps.take(res, loaded.claims, loaded.reader, loaded.approver, req.body ?? {});
    const { claims, reader } = loaded as { claims: ChangeDecisionClaims; reader: PageReader };
    const { locale } = reader;
    const t = pageTexts(locale);
    const decision = req.body?.decision;
    const comment = typeof req.body?.comment === 'string' ? req.body.comment.trim().slice(0, 2_000) : '';
    if (decision !== 'approve' && decision !== 'reject') return renderDecision(res, claims, reader, { choice: null, comment, status: 400 });
    if (decision === 'reject' && comment.length < 3) return renderDecision(res, claims, reader, { choice: 'reject', comment, error: t.needComment, status: 400 });
    const change = await deps.prisma.changeRequest.findUnique({ where: { id: claims.changeId } });
    if (!change) return void res.status(400).type('html').send(messagePage(locale, t.invalidTitle, t.invalid, 'refused'));
    // Claimed before the decision is sent: of two simultaneous posts of one link, only one gets this far.
    try {
      await deps.prisma.actionTokenUse.create({ data: { jti: claims.jti, changeId: claims.changeId, userId: claims.approverId } });
    } catch {
      return void res.status(409).type('html').send(messagePage(locale, t.usedTitle, t.used, 'refused'));
    }
    try {
      const status = await sendChangeUpdate(deps, change, decideChangeUpdate, { actorId: claims.approverId, decision, comment, via: 'link', level: claims.level });
      const reference = changeReference(change.number);
      res.status(200).type('html').send(messagePage(locale, t.doneTitle, `${t.done(decision === 'approve' ? t.approved : t.rejected, reference)} ${t.stateNow}: ${status.state}.`, 'done'));
    } catch (error) {
      // Nothing was decided, so the link stays usable for as long as the decision is still open.
      await deps.prisma.actionTokenUse.delete({ where: { jti: claims.jti } });
      if (!(error instanceof HttpError)) throw error;
      res.status(error.status).type('html').send(messagePage(locale, t.refusedTitle, localiseInstants(error.detail, reader), 'refused'));
    }
  });
}

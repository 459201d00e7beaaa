import type { Response } from 'express';
import type { ReleaseAuthorisationClaims } from '../records/mail/action-tokens';
import { formatInstant, localiseInstants } from '../records/mail/reader-time';
import { linkedChangeStates } from '../activities/release';
import { productionBlockers, releaseReference, type ReleaseState } from '../domain/release';
import { authoriseReleaseUpdate, releaseStatusQuery } from '../workflows/release.messages';
import { authorisationPage, messagePage, pageTexts, type PageReader } from './action-pages';
import type { ApiDeps } from './deps';
import { HttpError } from './problem-details';
import { recordUpdater } from './workflow-updates';

const AUTHORISABLE: readonly ReleaseState[] = ['building', 'testing', 'deploying', 'awaiting_authorisation', 'verifying'];

/**
 * The release side of `/actions/:token`: the page shows the release, the production environment waiting for
 * the authorisation, its linked changes and what would block production now; the POST authorises through the
 * release's workflow, under the same rules as the API (not the requester, at least one linked change, every one
 * approved and scheduled around now). A link names the production environment it was mailed for and
 * authorises no other.
 */
export function releaseLinks(deps: ApiDeps) {
  const sendToRelease = recordUpdater(deps.temporal, 'release', (id) => deps.prisma.release.findUnique({ where: { id }, select: { state: true } }));
  async function load(claims: ReleaseAuthorisationClaims) {
    const release = await deps.prisma.release.findUnique({ where: { id: claims.releaseId }, include: { requester: true } });
    if (!release) return null;
    const live = await deps.temporal.workflow.getHandle(release.workflowId).query(releaseStatusQuery).catch(() => null);
    const changes = await linkedChangeStates(deps.prisma, release.id);
    // Without the workflow's word, the record says whether an authorisation is still missing.
    const awaiting = live ? live.awaitingAuthorisationFor : release.authorisedById ? null : (release.productionEnvironments[0] ?? null);
    return { release, state: (live?.state ?? release.state) as ReleaseState, awaiting, changes, blockers: productionBlockers(changes, release.productionEnd?.getTime() ?? null, Date.now()) };
  }

  type Loaded = NonNullable<Awaited<ReturnType<typeof load>>>;
  const waiting = (loaded: Loaded) => AUTHORISABLE.includes(loaded.state) && loaded.awaiting !== null;
  const forAnother = (claims: ReleaseAuthorisationClaims, loaded: Loaded) => claims.environment !== undefined && claims.environment !== loaded.awaiting;

  /** Why this link cannot authorise now, as a page status and message; null when it can. */
  function refusal(reader: PageReader, claims: ReleaseAuthorisationClaims, loaded: Loaded): [number, string, string] | null {
    const t = pageTexts(reader.locale);
    if (!waiting(loaded)) return [409, t.closedTitle, t.releaseNotWaiting(loaded.state)];
    if (forAnother(claims, loaded)) return [409, t.closedTitle, t.otherEnvironment(claims.environment!, loaded.awaiting)];
    if (loaded.release.requesterId === claims.approverId) return [403, t.refusedTitle, `${releaseReference(loaded.release.number)}: segregation of duties`];
    if (loaded.blockers.length > 0) return [409, t.refusedTitle, localiseInstants(loaded.blockers.join('; '), reader)];
    return null;
  }

  return {
    async render(res: Response, claims: ReleaseAuthorisationClaims, reader: PageReader) {
      const { locale } = reader;
      const t = pageTexts(locale);
      const loaded = await load(claims);
      if (!loaded) return void res.status(400).type('html').send(messagePage(locale, t.invalidTitle, t.invalid, 'refused'));
      if (!waiting(loaded)) return void res.status(409).type('html').send(messagePage(locale, t.closedTitle, t.releaseNotWaiting(loaded.state), 'refused'));
      if (forAnother(claims, loaded)) return void res.status(409).type('html').send(messagePage(locale, t.closedTitle, t.otherEnvironment(claims.environment!, loaded.awaiting), 'refused'));
      const { release } = loaded;
      res.status(200).type('html').send(
        authorisationPage(locale, {
          reference: releaseReference(release.number),
          title: release.title,
          version: release.version,
          requester: release.requester.name,
          environments: release.environments.join(' → '),
          production: loaded.awaiting!,
          changes: loaded.changes.map((c) => `${c.reference}: ${c.state}`),
          blockers: loaded.blockers.map((blocker) => localiseInstants(blocker, reader)),
          deadline: formatInstant(claims.expiresAt, reader),
        }),
      );
    },

    /** Checks, claims the link, authorises; a refused authorisation gives the link back. */
    async authorise(res: Response, claims: ReleaseAuthorisationClaims, reader: PageReader) {
      const { locale } = reader;
      const t = pageTexts(locale);
      const loaded = await load(claims);
      if (!loaded) return void res.status(400).type('html').send(messagePage(locale, t.invalidTitle, t.invalid, 'refused'));
      const refused = refusal(reader, claims, loaded);
      if (refused) return void res.status(refused[0]).type('html').send(messagePage(locale, refused[1], refused[2], 'refused'));
      try {
        await deps.prisma.actionTokenUse.create({ data: { jti: claims.jti, releaseId: claims.releaseId, userId: claims.approverId } });
      } catch {
        return void res.status(409).type('html').send(messagePage(locale, t.usedTitle, t.used, 'refused'));
      }
      try {
        const status = await sendToRelease(loaded.release, authoriseReleaseUpdate, { actorId: claims.approverId, environment: claims.environment });
        res.status(200).type('html').send(messagePage(locale, t.doneTitle, `${t.authorised(releaseReference(loaded.release.number), status.authorisedFor ?? loaded.awaiting!)} ${t.releaseNow}: ${status.state}.`, 'done'));
      } catch (error) {
        // Nothing was authorised, so the link stays usable.
        await deps.prisma.actionTokenUse.delete({ where: { jti: claims.jti } });
        if (!(error instanceof HttpError)) throw error;
        res.status(error.status).type('html').send(messagePage(locale, t.refusedTitle, localiseInstants(error.detail, reader), 'refused'));
      }
    },
  };
}

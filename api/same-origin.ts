import type { RequestHandler } from 'express';
import { httpErrors } from './problem-details';

function originOf(url: string | undefined): string | null {
  try {
    const origin = new URL(url ?? '').origin;
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}

/**
 * Refuses a form post that a browser sent from another site: signing a victim in as the attacker (login CSRF),
 * signing them out, or posting a decision from a page they were lured to. Browsers name the posting page in
 * Origin (older ones at least in Referer); a client that sends neither is not a browser carrying someone's
 * cookies, so it passes. The SameSite=Lax session cookie already stays home on cross-site posts; this also covers
 * /login, where the attacker brings their own token and no cookie is needed.
 */
export function sameOriginPosts(publicUrl: string | undefined): RequestHandler {
  const published = originOf(publicUrl);
  return (req, _res, next) => {
    const claimed = req.get('origin') ?? req.get('referer');
    if (claimed === undefined) return next();
    const origin = originOf(claimed);
    if (origin && (origin === published || origin === `${req.protocol}://${req.get('host')}`)) return next();
    throw httpErrors.forbidden("this form accepts posts from this site's own pages only");
  };
}

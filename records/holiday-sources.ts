import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { Db } from '../prisma/database';
import type { BusinessCalendar } from '../prisma/generated/client';
import { parseIcsDays, type SourceDays } from './ics-holidays';
import { assertPublicLiteral, bareHost, PrivateTargetError, publicOnlyLookup } from './public-address';

export type SourceKind = 'chinese-days' | 'feed' | 'ics' | 'explicit';

const FEED_TIMEOUT_MS = 15_000;
const FEED_MAX_BYTES = 2_000_000;

/**
 * China's official holidays and make-up working days for every year the installed chinese-days package knows.
 * Read from its data file at each call, not through the module cache, so an upgraded package is seen at the next
 * refresh without a restart.
 */
export function readChineseDays(): SourceDays {
  const data = JSON.parse(readFileSync(require.resolve('chinese-days/dist/chinese-days.json'), 'utf8')) as { holidays: Record<string, string>; workdays: Record<string, string> };
  return { holidays: Object.keys(data.holidays).sort(), workingDays: Object.keys(data.workdays).sort() };
}

/** What an error or the API may show of a feed address: scheme and host; its path or query may hold a secret. */
export function feedOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'an invalid address';
  }
}

/** A failure readFeed describes itself, so its message may be shown. */
class FeedError extends Error {}

/**
 * Which feed hosts may be inside the organisation's network (CALENDAR_FEED_INTERNAL_HOSTS, e.g. an intranet
 * calendar server); any other host must be public, or a manager could make the API and worker read the cloud's
 * metadata service or an internal admin page.
 */
export interface FeedAccess {
  internalHosts: string[];
}

const MAX_REDIRECTS = 5;

/** One GET on a connection of its own, so the address it connects to is the one the lookup checked. */
function getOnce(url: URL, internal: boolean, signal: AbortSignal): Promise<{ status: number; location?: string; text?: string }> {
  return new Promise((resolve, reject) => {
    const options = { headers: { accept: 'text/calendar', 'user-agent': 'itsm-orchestrator holiday refresh' }, signal, agent: false as const, lookup: internal ? undefined : publicOnlyLookup };
    const request = (url.protocol === 'https:' ? https : http).get(url, options, (response) => {
      const status = response.statusCode!;
      // Only a 2xx body is read: a redirect's or an error page's would be downloaded for nothing, unbounded.
      if (status < 200 || status >= 300) {
        response.destroy();
        return resolve({ status, location: response.headers.location });
      }
      if (Number(response.headers['content-length'] ?? 0) > FEED_MAX_BYTES) {
        response.destroy();
        return reject(new FeedError(`is larger than ${FEED_MAX_BYTES} bytes`));
      }
      const chunks: Buffer[] = [];
      let bytes = 0;
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > FEED_MAX_BYTES) return response.destroy(new FeedError(`is larger than ${FEED_MAX_BYTES} bytes`));
        chunks.push(chunk);
      });
      response.once('error', reject);
      response.once('end', () => resolve({ status, text: Buffer.concat(chunks).toString('utf8') }));
    });
    request.once('error', reject);
  });
}

/** The feed's text, following up to five redirects, each checked like the first address. */
async function fetchFeed(start: string, access: FeedAccess): Promise<string> {
  const signal = AbortSignal.timeout(FEED_TIMEOUT_MS);
  let url = new URL(start);
  try {
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new FeedError('redirected to an address that is not http(s)');
      const internal = access.internalHosts.includes(bareHost(url.hostname));
      if (!internal) assertPublicLiteral(url.hostname);
      const answer = await getOnce(url, internal, signal);
      if (answer.text !== undefined) return answer.text;
      if (answer.status < 300 || answer.status >= 400 || !answer.location) throw new FeedError(`answered HTTP ${answer.status}`);
      url = new URL(answer.location, url);
    }
  } catch (error) {
    if (signal.aborted) throw new FeedError(`did not answer within ${FEED_TIMEOUT_MS / 1000} s`);
    throw error;
  }
  throw new FeedError(`redirected more than ${MAX_REDIRECTS} times`);
}

/** Fetches and parses a feed; the error names the feed by its origin only. */
export async function readFeed(url: string, fromYear: number, access: FeedAccess): Promise<SourceDays> {
  const origin = feedOrigin(url);
  let text: string;
  try {
    text = await fetchFeed(url, access);
  } catch (error) {
    // Only our own words and the error's code: a network error's message can quote the URL, credentials included,
    // and a refused host is not told which internal address its name has.
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      error instanceof FeedError
        ? error.message
        : error instanceof PrivateTargetError
          ? 'was not read: its host is not a public address (an administrator lists internal feed hosts in CALENDAR_FEED_INTERNAL_HOSTS)'
          : `could not be read${code ? ` (${code})` : ''}`;
    throw new Error(`feed at ${origin} ${why}`);
  }
  try {
    return await parseIcsDays(text, fromYear);
  } catch (error) {
    // The parser quotes the line it failed on, and everyone who reads calendars sees this error: a feed pointed at
    // another service must not show that service's answer.
    const message = (error as Error).message;
    throw new Error(`feed at ${origin}: ${message.startsWith('not an iCalendar file') ? 'not an iCalendar file' : message}`);
  }
}

const NO_DAYS: SourceDays = { holidays: [], workingDays: [] };

const diff = (before: string[], after: string[]) => ({ added: after.filter((d) => !before.includes(d)), removed: before.filter((d) => !after.includes(d)) });

/** One history row per day a source added or removed, as a holiday or as a working day. */
export function dayChanges(source: SourceKind, before: SourceDays, after: SourceDays) {
  const rows: { source: SourceKind; date: string; dayKind: string; change: string }[] = [];
  for (const [dayKind, key] of [['holiday', 'holidays'], ['working day', 'workingDays']] as const) {
    const { added, removed } = diff(before[key], after[key]);
    for (const date of added) rows.push({ source, date, dayKind, change: 'added' });
    for (const date of removed) rows.push({ source, date, dayKind, change: 'removed' });
  }
  return rows.sort((a, b) => a.date.localeCompare(b.date));
}

/**
 * Stores a source's new data as its last good data (null: the source was taken off the calendar), records each
 * changed day in the calendar's history and brings the calendar's merged source days up to date, in one
 * transaction. Returns how many days changed.
 */
export async function applySourceDays(prisma: Db, calendarId: string, kind: Exclude<SourceKind, 'explicit'>, days: SourceDays | null, at: Date): Promise<number> {
  return prisma.$transaction(async (tx) => {
    const previous = await tx.calendarSource.findUnique({ where: { calendarId_kind: { calendarId, kind } } });
    const changes = dayChanges(kind, previous ?? NO_DAYS, days ?? NO_DAYS);
    if (days) {
      await tx.calendarSource.upsert({
        where: { calendarId_kind: { calendarId, kind } },
        create: { calendarId, kind, ...days, refreshedAt: at },
        update: { ...days, refreshedAt: at, lastError: null, lastErrorAt: null },
      });
    } else {
      await tx.calendarSource.deleteMany({ where: { calendarId, kind } });
    }
    if (changes.length) await tx.calendarChange.createMany({ data: changes.map((change) => ({ calendarId, ...change, recordedAt: at })) });
    const sources = await tx.calendarSource.findMany({ where: { calendarId } });
    const merged = (key: keyof SourceDays) => [...new Set(sources.flatMap((s) => s[key]))].sort();
    await tx.businessCalendar.update({ where: { id: calendarId }, data: { sourceHolidays: merged('holidays'), sourceWorkingDays: merged('workingDays') } });
    return changes.length;
  });
}

/** A failed read keeps the source's last good data; only the error is recorded beside it. */
export async function recordSourceError(prisma: Db, calendarId: string, kind: Exclude<SourceKind, 'explicit'>, message: string, at: Date) {
  await prisma.calendarSource.upsert({
    where: { calendarId_kind: { calendarId, kind } },
    create: { calendarId, kind, holidays: [], workingDays: [], lastError: message, lastErrorAt: at },
    update: { lastError: message, lastErrorAt: at },
  });
}

export interface RefreshOutcome {
  calendar: string;
  source: SourceKind;
  changedDays: number;
  error?: string;
}

/** Re-reads a calendar's package and feed sources (an uploaded file does not change by itself). */
export async function refreshCalendarSources(prisma: Db, calendar: Pick<BusinessCalendar, 'id' | 'name' | 'chineseDays' | 'feedUrl'>, at: Date, access: FeedAccess): Promise<RefreshOutcome[]> {
  const reads: [Exclude<SourceKind, 'explicit'>, () => Promise<SourceDays>][] = [];
  if (calendar.chineseDays) reads.push(['chinese-days', async () => readChineseDays()]);
  if (calendar.feedUrl) reads.push(['feed', () => readFeed(calendar.feedUrl!, at.getUTCFullYear(), access)]);
  const outcomes: RefreshOutcome[] = [];
  for (const [source, read] of reads) {
    try {
      outcomes.push({ calendar: calendar.name, source, changedDays: await applySourceDays(prisma, calendar.id, source, await read(), at) });
    } catch (error) {
      const message = (error as Error).message;
      await recordSourceError(prisma, calendar.id, source, message, at);
      outcomes.push({ calendar: calendar.name, source, changedDays: 0, error: message });
    }
  }
  return outcomes;
}

/** The daily refresh: every calendar with a package or feed source. */
export async function refreshHolidaySources(prisma: Db, at: Date, access: FeedAccess): Promise<RefreshOutcome[]> {
  const calendars = await prisma.businessCalendar.findMany({ where: { OR: [{ chineseDays: true }, { feedUrl: { not: null } }] }, orderBy: { name: 'asc' } });
  const outcomes: RefreshOutcome[] = [];
  for (const calendar of calendars) outcomes.push(...(await refreshCalendarSources(prisma, calendar, at, access)));
  return outcomes;
}

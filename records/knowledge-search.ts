import { HIGHLIGHT_START, HIGHLIGHT_STOP, highlightHtml, searchQueryText } from '../domain/knowledge';
import type { Db } from '../prisma/database';
import { articleReference } from './knowledge';

interface Row {
  id: string;
  number: number;
  title: string;
  language: string;
  tags: string[];
  status: 'draft' | 'published' | 'retired';
  rank: number;
  titleHeadline: string;
  bodyHeadline: string;
}

const MARKS = `StartSel=${HIGHLIGHT_START}, StopSel=${HIGHLIGHT_STOP}`;
// The whole title; up to two fragments of the body.
const TITLE_HEADLINE = `${MARKS}, HighlightAll=true`;
const BODY_HEADLINE = `${MARKS}, MaxWords=40, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "`;

/**
 * Ranked full-text search over the articles' stored search vectors (title weighs most, then tags, then body),
 * with the matches highlighted in both title and body.
 */
export async function searchArticles(prisma: Db, query: string, filter: { statuses: string[]; language?: string; tag?: string; limit: number }) {
  const rows = await prisma.$queryRaw<Row[]>`
    SELECT a.id, a.number, a.title, a.language, a.tags, a.status::text AS status,
           ts_rank(a.search, q)::float8 AS rank,
           ts_headline('english', itsm_cjk_split(a.title), q, ${TITLE_HEADLINE}) AS "titleHeadline",
           ts_headline('english', itsm_cjk_split(a.body), q, ${BODY_HEADLINE}) AS "bodyHeadline"
      FROM "Article" a, websearch_to_tsquery('english', ${searchQueryText(query)}) AS q
     WHERE a.search @@ q
       AND a.status::text = ANY(${filter.statuses})
       AND (${filter.language ?? null}::text IS NULL OR a.language = ${filter.language ?? null})
       AND (${filter.tag ?? null}::text IS NULL OR ${filter.tag ?? null} = ANY(a.tags))
     ORDER BY rank DESC, a.number DESC
     LIMIT ${filter.limit}`;
  return rows.map((row) => ({
    id: row.id,
    reference: articleReference(row.number),
    title: row.title,
    language: row.language,
    tags: row.tags,
    status: row.status,
    rank: row.rank,
    highlight: { title: highlightHtml(row.titleHeadline), body: highlightHtml(row.bodyHeadline) },
  }));
}

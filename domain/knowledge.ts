// Knowledge search over PostgreSQL text search. Its parsers do not segment Chinese, so Chinese (and other CJK)
// text is indexed one character per token (the database's itsm_cjk_split does that for stored articles) and a
// Chinese search term becomes a phrase of adjacent characters: 数据库 matches 数据库, not 数…据…库.

const CJK = '\\u3040-\\u30ff\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff';
const CJK_RUN = new RegExp(`[${CJK}]+`, 'g');

/** A user's query in websearch_to_tsquery syntax, with each run of CJK characters as a quoted phrase. */
export function searchQueryText(query: string): string {
  return query.replace(CJK_RUN, (run) => ` "${[...run].join(' ')}" `).replace(/\s+/g, ' ').trim();
}

export const HIGHLIGHT_START = '\u0001';
export const HIGHLIGHT_STOP = '\u0002';

const SPLIT_CHAR = new RegExp(` ?(${HIGHLIGHT_START}?)([${CJK}])(${HIGHLIGHT_STOP}?) ?`, 'g');
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * ts_headline's fragment, made readable: the spaces itsm_cjk_split put around each CJK character are taken out,
 * neighbouring highlights merge, the text is HTML-escaped and the matches are wrapped in <mark>.
 */
export function highlightHtml(headline: string): string {
  const joined = headline
    .replace(SPLIT_CHAR, '$1$2$3')
    .replaceAll(`${HIGHLIGHT_STOP}${HIGHLIGHT_START}`, '')
    .replace(/\s+/g, ' ')
    .trim();
  return escapeHtml(joined).replaceAll(HIGHLIGHT_START, '<mark>').replaceAll(HIGHLIGHT_STOP, '</mark>');
}

// What a manager reads about a record in the Temporal UI: the one-line summary in the workflow list, the
// Markdown details beside it, and the summaries on timers and activities that make the timeline read as the
// record's story. Pure, so workflows (current details, timer summaries), the API (start metadata) and tests
// build the same text.

/** The UI and the server refuse a static summary over 200 bytes and static details over 20 KB. */
export const SUMMARY_MAX_BYTES = 200;
export const DETAILS_MAX_BYTES = 20_000;

const SEPARATOR = ' · ';

/** Cuts `text` to at most `maxBytes` of UTF-8 on a character boundary, marking the cut with an ellipsis. */
export function fitBytes(text: string, maxBytes: number): string {
  if (utf8Length(text) <= maxBytes) return text;
  const room = maxBytes - utf8Length('…');
  let out = '';
  let used = 0;
  for (const char of text) {
    const size = utf8Length(char);
    if (used + size > room) break;
    out += char;
    used += size;
  }
  return `${out}…`;
}

// TextEncoder is not in every workflow sandbox's globals; the UTF-8 length follows from the code points.
function utf8Length(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** `INC-000042 · P1 · E-mail · Outlook cannot connect`: the parts that are known, on one line, within 200 bytes. */
export function summaryLine(parts: (string | number | null | undefined | false)[]): string {
  const line = parts
    .filter((part): part is string | number => part !== null && part !== undefined && part !== false && String(part).trim() !== '')
    .map((part) => String(part).replace(/\s+/g, ' ').trim())
    .join(SEPARATOR);
  return fitBytes(line, SUMMARY_MAX_BYTES);
}

export type Fact = [label: string, value: string | number | null | undefined];

export interface DetailsSection {
  heading?: string;
  facts: Fact[];
}

/** Markdown cell text: a pipe or a line break would break the table the UI renders. */
const cell = (value: string) => value.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

/**
 * Key facts as Markdown tables under a title, then links (`[label](url)`), within the 20 KB the UI shows.
 * Facts without a value are left out rather than shown empty.
 */
export function detailsMarkdown(title: string, sections: DetailsSection[], links: { label: string; url: string }[] = []): string {
  const blocks = [`**${cell(title)}**`];
  for (const section of sections) {
    const rows = section.facts.filter(([, value]) => value !== null && value !== undefined && String(value) !== '');
    if (rows.length === 0) continue;
    const table = ['| | |', '|---|---|', ...rows.map(([label, value]) => `| ${cell(label)} | ${cell(String(value))} |`)].join('\n');
    blocks.push(section.heading ? `**${cell(section.heading)}**\n\n${table}` : table);
  }
  if (links.length) blocks.push(links.map((link) => `[${link.label}](${link.url})`).join(SEPARATOR));
  return fitBytes(blocks.join('\n\n'), DETAILS_MAX_BYTES);
}

/** `2 h 05 min`, `45 s`, `3 d 4 h`: a clock's elapsed or remaining time as a person reads it. */
export function humanDuration(ms: number): string {
  const negative = ms < 0;
  let seconds = Math.round(Math.abs(ms) / 1000);
  const days = Math.floor(seconds / 86_400);
  seconds -= days * 86_400;
  const hours = Math.floor(seconds / 3_600);
  seconds -= hours * 3_600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  const text = days
    ? `${days} d${hours ? ` ${hours} h` : ''}`
    : hours
      ? `${hours} h ${String(minutes).padStart(2, '0')} min`
      : minutes
        ? `${minutes} min${seconds ? ` ${seconds} s` : ''}`
        : `${seconds} s`;
  return negative ? `-${text}` : text;
}

/** `mail: assigned → assignee`: a mail activity as every process's timeline names it. */
export function mailLabel(kind: string, audience: string): string {
  return `mail: ${kind} → ${audience}`;
}

/** An instant as the details show it: UTC, to the second, so every reader sees the same text. */
export function utcInstant(ms: number | null | undefined): string | null {
  if (ms === null || ms === undefined) return null;
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** Where a record's workflow is in the Temporal UI. */
export function temporalUiWorkflowUrl(uiBaseUrl: string, namespace: string, workflowId: string): string {
  return `${uiBaseUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

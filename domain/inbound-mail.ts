// What an inbound mail is, decided from its headers alone: pure, so the rules are unit-tested on real headers.

/** Header values by lower-case name, as a parser hands them over (structured values already flattened to text). */
export type MailHeaders = ReadonlyMap<string, string>;

/** What became of a received mail; every received mail is stored with one. */
export const INBOUND_OUTCOMES = [
  'processing',
  'incident-opened',
  'note-added',
  'duplicate',
  'ignored-automated',
  'unknown-sender',
  'no-service',
  'refused',
  'unreadable',
  'failed',
] as const;
export type InboundOutcome = (typeof INBOUND_OUTCOMES)[number];

const PRECEDENCE_AUTOMATED = new Set(['bulk', 'junk', 'list', 'auto_reply', 'auto-reply']);
// Vendor headers that out-of-office responders set instead of (or besides) RFC 3834's Auto-Submitted.
const AUTORESPONDER_HEADERS = ['x-autoreply', 'x-autorespond', 'x-failed-recipients', 'list-id'];

/**
 * Why a mail must not open or touch an incident, or null for mail a person wrote. Answering an auto-reply, a
 * bounce or our own notification would start a mail loop (RFC 3834 section 2), and a mailing list is no one's
 * request; `X-Itsm-*` marks every mail this product sends.
 */
export function automatedReason(headers: MailHeaders, envelopeFrom: string | null | undefined, ownAddress: string): string | null {
  const autoSubmitted = headers.get('auto-submitted')?.trim().toLowerCase();
  if (autoSubmitted && autoSubmitted !== 'no') return `Auto-Submitted: ${autoSubmitted}`;
  const precedence = headers.get('precedence')?.trim().toLowerCase();
  if (precedence && PRECEDENCE_AUTOMATED.has(precedence)) return `Precedence: ${precedence}`;
  for (const name of headers.keys()) {
    if (name.startsWith('x-itsm-')) return `our own mail (${name})`;
  }
  const responder = AUTORESPONDER_HEADERS.find((name) => headers.has(name));
  if (responder) return `automatic mail (${responder})`;
  // A bounce is sent with the null reverse path (RFC 5321 section 4.5.5) and a delivery-status report.
  if (envelopeFrom === '') return 'bounce (null reverse path)';
  if (/multipart\/report/i.test(headers.get('content-type') ?? '')) return 'delivery or read report';
  const from = headers.get('from')?.toLowerCase() ?? '';
  if (/\b(mailer-daemon|postmaster)@/.test(from)) return 'bounce (mailer daemon)';
  if (ownAddress && from.includes(ownAddress.toLowerCase())) return 'our own address as sender';
  return null;
}

/** The incident a subject names as `[INC-000123]`, as the product's own subjects carry it; null if none. */
export function incidentNumberInSubject(subject: string): number | null {
  const match = /\[INC-(\d{1,12})\]/i.exec(subject);
  if (!match) return null;
  const number = Number(match[1]);
  return Number.isSafeInteger(number) && number > 0 && number <= 2_147_483_647 ? number : null;
}

/** The Message-IDs a reply refers to (In-Reply-To first, then References, newest first), angle brackets kept. */
export function referencedMessageIds(inReplyTo: string | undefined, references: string | string[] | undefined): string[] {
  const text = [inReplyTo ?? '', ...(Array.isArray(references) ? references : [references ?? '']).reverse()].join(' ');
  return [...new Set(text.match(/<[^<>\s]{1,500}>/g) ?? [])].slice(0, 50);
}

/** The address part of `Name <a@b>` or `a@b`, in lower case; null when it is not an address. */
export function bareAddress(value: string | null | undefined): string | null {
  const text = (value ?? '').trim();
  const inner = /<([^<>]*)>\s*$/.exec(text)?.[1] ?? text;
  const address = inner.trim().toLowerCase();
  return /^[^\s@<>]{1,200}@[^\s@<>]{1,200}$/.test(address) ? address : null;
}

/** The domain of an address, for the allowed-domain rule. */
export const addressDomain = (address: string) => address.slice(address.lastIndexOf('@') + 1);

/**
 * What the sender wrote in a reply, without the quoted mail below it (lines starting with `>` and the
 * "On … wrote:" line that introduces them): the note shows the customer's words, not our own text again.
 */
export function replyText(text: string): string {
  const lines = text.split(/\r?\n/);
  const quoted = lines.findIndex((line) => line.startsWith('>'));
  let end = quoted === -1 ? lines.length : quoted;
  while (end > 0 && (lines[end - 1].trim() === '' || /wrote:\s*$|写道：\s*$/.test(lines[end - 1]))) end--;
  const own = lines.slice(0, end).join('\n').trim();
  return own || text.trim();
}

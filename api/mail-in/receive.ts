import { createHash, randomUUID } from 'node:crypto';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { incidentReference } from '../../domain/incident';
import { addressDomain, automatedReason, bareAddress, incidentNumberInSubject, referencedMessageIds, replyText, type InboundOutcome, type MailHeaders } from '../../domain/inbound-mail';
import { operatorLog } from '../../config/logger';
import type { Incident, Service, User } from '../../prisma/generated/client';
import { deliverOnce, type Recipient } from '../../records/mail/deliveries';
import type { Mailer } from '../../records/mail/mailer';
import { renderMail, unknownSenderReply } from '../../records/mail/templates';
import { addNoteUpdate } from '../../workflows/incident.messages';
import { hasAnyRole, STAFF } from '../auth';
import type { ApiDeps } from '../deps';
import { sendIncidentUpdate } from '../incident-actions';
import { openIncident } from '../intake';
import { HttpError } from '../problem-details';
import { CreateIncidentBody, NoteBody } from '../schemas/incident';
import { recordApiUrl } from '../workflow-links';

export interface InboundMailSettings {
  /** Domains whose people may open incidents by mail before they are users (they become requesters). */
  allowedDomains: string[];
  /** What a sender who is neither a user nor in an allowed domain gets. */
  unknownSenders: 'reply' | 'ignore';
  maxAttachmentBytes: number;
  /** The address the product sends from: mail from it is our own, come back. */
  ownAddress: string;
}

export interface InboundMailDeps extends Pick<ApiDeps, 'prisma' | 'temporal' | 'taskQueue' | 'publicUrl'> {
  mailer: Mailer;
  settings: InboundMailSettings;
}

/** How the mail arrived: the SMTP envelope names recipients the headers may not (Bcc, a forwarding MTA). */
export interface MailArrival {
  source: 'smtp' | 'imap';
  /** The SMTP reverse path; '' for a bounce's null path, undefined when unknown (IMAP). */
  mailFrom?: string;
  recipients: string[];
}

export interface Received {
  id: string;
  outcome: InboundOutcome;
  incidentId: string | null;
}

/** Nothing could be decided (the database or Temporal is unreachable) and nothing was written: deliver it again later. */
export class RetryLater extends Error {}

interface Decision {
  outcome: InboundOutcome;
  detail?: string;
  incidentId?: string;
}

interface Mail {
  id: string;
  messageId: string | null;
  parsed: ParsedMail;
  headers: MailHeaders;
  from: string | null;
  recipients: string[];
  arrival: MailArrival;
}

const KEPT_TEXT = 100_000;
const PARSE_OPTIONS = { skipHtmlToText: false, skipTextToHtml: true, skipImageLinks: true, skipTextLinks: true, maxHtmlLengthToParse: 2_000_000 };
// Agents set the real priority at triage; mail carries no impact or urgency, so it starts in the middle.
const MAIL_IMPACT = 'medium';
const MAIL_URGENCY = 'medium';

/** Text PostgreSQL can store: no NUL, no lone surrogate (from broken encodings), at most `limit` characters. */
function storable(text: string, limit: number): string {
  return text
    .slice(0, limit)
    .replace(/\u0000/g, '')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

function headerMap(parsed: ParsedMail): MailHeaders {
  const headers = new Map<string, string>();
  for (const { key, line } of parsed.headerLines ?? []) {
    if (!headers.has(key)) headers.set(key.toLowerCase(), line.slice(line.indexOf(':') + 1).trim());
  }
  return headers;
}

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  return (Array.isArray(field) ? field : field ? [field] : []).flatMap((group) => group.value.flatMap((entry) => [entry.address, ...(entry.group ?? []).map((member) => member.address)]).map(bareAddress)).filter((a): a is string => a !== null);
}

const brief = (error: unknown) => storable(error instanceof Error ? error.message : String(error), 500);

/**
 * Takes one received mail from either way in. The copy is stored (with its text) before anything is decided,
 * under its Message-ID, so a second copy is stored as a duplicate and changes nothing. A new mail to a
 * service's address opens an incident through the API's own intake; a reply adds a note through the
 * incident's Update, so routing, validation and the workflow are the API's. Throws RetryLater only when
 * nothing was done and the sender should deliver again.
 */
export async function receiveMail(deps: InboundMailDeps, raw: Buffer, arrival: MailArrival): Promise<Received> {
  const { prisma } = deps;
  const parsed = await simpleParser(raw, PARSE_OPTIONS).catch(() => null);
  const messageId = parsed?.messageId ? storable(parsed.messageId, 500) : null;
  const dedupKey = messageId ? `message-id:${messageId.toLowerCase()}` : `sha256:${createHash('sha256').update(raw).digest('hex')}`;
  const from = bareAddress(parsed ? addresses(parsed.from)[0] : null);
  const headers = parsed ? headerMap(parsed) : new Map<string, string>();
  const headerRecipients = parsed ? [...addresses(parsed.to), ...addresses(parsed.cc), ...['delivered-to', 'x-original-to'].map((name) => bareAddress(headers.get(name)))] : [];
  const recipients = [...new Set([...arrival.recipients.map(bareAddress), ...headerRecipients].filter((a): a is string => a !== null))].slice(0, 100);
  const stored = {
    messageId,
    source: arrival.source,
    fromAddress: from,
    recipients,
    subject: storable(parsed?.subject ?? '', 998),
    text: storable(parsed ? (parsed.text ?? '') : raw.subarray(0, KEPT_TEXT).toString('utf8'), KEPT_TEXT),
    sizeBytes: raw.length,
  };
  const id = randomUUID();
  const insert = () => prisma.inboundMail.createMany({ data: [{ id, dedupKey, ...stored }], skipDuplicates: true });
  let { count } = await insert();
  if (count === 0 && (await releaseAbandoned(prisma, dedupKey))) ({ count } = await insert());
  if (count === 0) {
    await prisma.inboundMail.create({ data: { id, ...stored, outcome: 'duplicate', detail: `already received (${storable(dedupKey, 500)})`, processedAt: new Date() } });
    return done(id, { outcome: 'duplicate' });
  }
  try {
    const decision = parsed ? await decide(deps, { id, messageId, parsed, headers, from, recipients, arrival }) : { outcome: 'unreadable' as const, detail: 'not a MIME message' };
    await prisma.inboundMail.update({ where: { id }, data: { outcome: decision.outcome, detail: decision.detail && storable(decision.detail, 2_000), incidentId: decision.incidentId, processedAt: new Date() } });
    return done(id, decision);
  } catch (error) {
    // Once an incident was opened or noted (the row names it), the mail is done whatever failed after; before,
    // nothing was written, so the Message-ID is freed and the sender's retry is processed as new.
    const row = await prisma.inboundMail.findUnique({ where: { id }, select: { incidentId: true, outcome: true } }).catch(() => null);
    if (row?.incidentId) {
      await prisma.inboundMail.update({ where: { id }, data: { detail: `after ${row.outcome}: ${brief(error)}`, processedAt: new Date() } });
      return done(id, { outcome: row.outcome as InboundOutcome, incidentId: row.incidentId });
    }
    await prisma.inboundMail.update({ where: { id }, data: { outcome: 'failed', dedupKey: null, detail: brief(error), processedAt: new Date() } }).catch(() => undefined);
    operatorLog().warn({ inboundMailId: id }, `inbound mail ${id} failed; the sender may deliver it again`);
    throw new RetryLater(`inbound mail ${id} could not be processed: ${brief(error)}`);
  }
}

// Far longer than any mail takes to decide (an intake, an Update, a 64 MB parse), and shorter than the sender's
// retries keep coming: an MTA retries for days, and an IMAP mail stays unseen until one pass finishes it.
const ABANDONED_AFTER_MS = 10 * 60_000;

/**
 * A copy still `processing` long after it arrived was taken by a process that ended before deciding it; the sender
 * got no 250 (or the IMAP mail stayed unseen), so it delivers again, and without this the new copy would be
 * stored as a duplicate and the mail lost. The stale copy gives up its Message-ID and the new copy is processed.
 */
async function releaseAbandoned(prisma: InboundMailDeps['prisma'], dedupKey: string): Promise<boolean> {
  const { count } = await prisma.inboundMail.updateMany({
    where: { dedupKey, outcome: 'processing', receivedAt: { lt: new Date(Date.now() - ABANDONED_AFTER_MS) } },
    data: { outcome: 'failed', dedupKey: null, detail: 'processing stopped before an outcome (the process ended); a later copy of the mail took it over', processedAt: new Date() },
  });
  if (count > 0) operatorLog().warn({ dedupKeyKind: dedupKey.split(':')[0] }, 'inbound mail: a copy abandoned while processing was taken over by a new delivery');
  return count > 0;
}

function done(id: string, { outcome, incidentId }: Decision): Received {
  // The mail's id and outcome only: its sender and subject name a person.
  operatorLog().info({ inboundMailId: id, outcome }, `inbound mail ${id}: ${outcome}`);
  return { id, outcome, incidentId: incidentId ?? null };
}

async function decide(deps: InboundMailDeps, mail: Mail): Promise<Decision> {
  const automated = automatedReason(mail.headers, mail.arrival.mailFrom, deps.settings.ownAddress);
  if (automated) return { outcome: 'ignored-automated', detail: automated };
  if (!mail.from) return { outcome: 'unknown-sender', detail: 'the mail names no sender address' };
  const user = await deps.prisma.user.findUnique({ where: { email: mail.from } });
  const newcomer = !user && deps.settings.allowedDomains.includes(addressDomain(mail.from));
  if (user?.deactivatedAt || (!user && !newcomer)) {
    if (deps.settings.unknownSenders === 'ignore') return { outcome: 'unknown-sender', detail: `${mail.from} is not an active user or in an allowed domain; ignored` };
    await answerUnknownSender(deps, mail, mail.from);
    return { outcome: 'unknown-sender', detail: `${mail.from} is not an active user or in an allowed domain; answered` };
  }
  const incident = await referencedIncident(deps, mail.parsed);
  if (incident) return user ? addReply(deps, mail, user, incident) : notTheirs(mail, incident);
  const service = mail.recipients.length ? await deps.prisma.service.findFirst({ where: { mailAddress: { in: mail.recipients } }, orderBy: { code: 'asc' } }) : null;
  if (!service) return { outcome: 'no-service', detail: `no service has the address ${mail.recipients.join(', ') || '(none)'}` };
  // A newcomer from an allowed domain becomes a requester only now, writing to a service (whose intake may still
  // refuse, e.g. when it is retired), not for a stray mail or someone else's incident.
  return openFromMail(deps, mail, user ?? (await newRequester(deps, mail.from, mail.parsed)), service);
}

/** Someone from an allowed domain writing for the first time. */
async function newRequester({ prisma }: InboundMailDeps, address: string, parsed: ParsedMail): Promise<User> {
  const name = storable(parsed.from?.value[0]?.name?.trim() || address, 200);
  // Two mails from a new person at once: the second insert is skipped and both read the same row.
  await prisma.user.createMany({ data: [{ email: address, name, roles: ['requester'] }], skipDuplicates: true });
  return prisma.user.findUniqueOrThrow({ where: { email: address } });
}

// As in the API: a requester writes only on their own incidents.
const notTheirs = (mail: Mail, incident: Incident): Decision => ({ outcome: 'refused', detail: `${incidentReference(incident.number)} is not ${mail.from}'s incident` });

/** The incident a reply belongs to: one of our Message-IDs it answers, else the reference in its subject. */
async function referencedIncident({ prisma }: InboundMailDeps, parsed: ParsedMail): Promise<Incident | null> {
  const ids = referencedMessageIds(parsed.inReplyTo, parsed.references);
  if (ids.length > 0) {
    const sent = await prisma.notification.findFirst({ where: { messageId: { in: ids }, incidentId: { not: null } }, select: { incident: true } });
    if (sent?.incident) return sent.incident;
  }
  const number = incidentNumberInSubject(parsed.subject ?? '');
  return number === null ? null : prisma.incident.findUnique({ where: { number } });
}

/** A refusal the incident gives (409 closed, 403, 400) is the mail's outcome; an unreachable engine is not. */
async function unlessRefused<T>(work: Promise<T>): Promise<T | HttpError> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof HttpError && error.status < 500) return error;
    throw error;
  }
}

async function addReply(deps: InboundMailDeps, mail: Mail, sender: User, incident: Incident): Promise<Decision> {
  const reference = incidentReference(incident.number);
  const staff = hasAnyRole(sender, STAFF);
  if (!staff && incident.requesterId !== sender.id) return notTheirs(mail, incident);
  const { body } = NoteBody.parse({ body: storable(replyText(mail.parsed.text ?? ''), 20_000).trim() || '(no text; see the attachments)' });
  const noted = await unlessRefused(
    sendIncidentUpdate(deps, incident, addNoteUpdate, { actorId: sender.id, body, visibility: 'public', author: staff ? 'agent' : 'customer' }),
  );
  if (noted instanceof HttpError) return { outcome: 'refused', incidentId: incident.id, detail: `${reference}: ${noted.detail}` };
  await deps.prisma.inboundMail.update({ where: { id: mail.id }, data: { outcome: 'note-added', incidentId: incident.id } });
  await keepAttachments(deps, mail, incident.id);
  return { outcome: 'note-added', incidentId: incident.id, detail: `public note on ${reference}` };
}

async function openFromMail(deps: InboundMailDeps, mail: Mail, sender: User, service: Service): Promise<Decision> {
  const subject = storable(mail.parsed.subject ?? '', 200).replace(/\s+/g, ' ').trim();
  const body = CreateIncidentBody.parse({
    title: subject.length >= 3 ? subject : '(no subject)',
    description: storable(mail.parsed.text ?? '', 20_000),
    impact: MAIL_IMPACT,
    urgency: MAIL_URGENCY,
    serviceId: service.id,
    channel: 'email',
  });
  const { channel, requesterId: _requester, ...intake } = body;
  const incident = await unlessRefused(openIncident(deps, intake, { requesterId: sender.id, loggedById: null, channel }));
  if (incident instanceof HttpError) return { outcome: 'refused', detail: incident.detail };
  await deps.prisma.inboundMail.update({ where: { id: mail.id }, data: { outcome: 'incident-opened', incidentId: incident.id } });
  const refused = await keepAttachments(deps, mail, incident.id);
  await acknowledge(deps, mail, sender, incident, service, refused);
  return { outcome: 'incident-opened', incidentId: incident.id, detail: `${incidentReference(incident.number)} on ${service.code}` };
}

/** Stores the mail's attachments on the incident; one over the limit is listed as refused, without its content. */
async function keepAttachments({ prisma, settings }: InboundMailDeps, mail: Mail, incidentId: string): Promise<string[]> {
  const limitMb = Math.round((settings.maxAttachmentBytes / 1_048_576) * 10) / 10;
  const rows = mail.parsed.attachments.map((attachment, index) => {
    const sizeBytes = attachment.size ?? attachment.content.length;
    const tooLarge = sizeBytes > settings.maxAttachmentBytes;
    return {
      inboundMailId: mail.id,
      incidentId,
      filename: storable(attachment.filename ?? `attachment-${index + 1}`, 255),
      contentType: storable(attachment.contentType ?? 'application/octet-stream', 255),
      sizeBytes,
      content: tooLarge ? null : new Uint8Array(attachment.content),
      refusedReason: tooLarge ? `larger than the ${limitMb} MB limit` : null,
    };
  });
  // One statement for the mail's attachments, not one round trip each.
  if (rows.length > 0) await prisma.mailAttachment.createMany({ data: rows });
  return rows.filter((row) => row.refusedReason).map((row) => row.filename);
}

const replyHeaders = (messageId: string | null): Record<string, string> => ({
  // RFC 3834: an automatic answer, so the sender's own responder does not answer it in turn.
  'Auto-Submitted': 'auto-replied',
  ...(messageId ? { 'In-Reply-To': messageId, References: messageId } : {}),
});

/** The acknowledgement: the reference to reply to, and which attachments were not kept. Its Message-ID is recorded, so a reply finds the incident. */
async function acknowledge(deps: InboundMailDeps, mail: Mail, sender: User, incident: Incident, service: Service, refusedAttachments: string[]) {
  const reader: Recipient = { email: sender.email, locale: sender.locale, timeZone: sender.timeZone };
  const { subject, text } = renderMail('mail-received', reader, {
    reference: incidentReference(incident.number),
    title: incident.title,
    priority: incident.priority,
    state: incident.state,
    serviceName: service.name,
    link: recordApiUrl(deps, `/api/incidents/${incident.id}`),
    refusedAttachments: refusedAttachments.join(', '),
  });
  await deliverOnce(deps.prisma, deps.mailer, {
    idempotencyKey: `mail-in:${mail.id}:received`,
    recipient: reader,
    kind: 'mail-received',
    subject,
    text,
    headers: { ...replyHeaders(mail.messageId), 'X-Itsm-Incident-Id': incident.id },
    incidentId: incident.id,
  });
}

async function answerUnknownSender(deps: InboundMailDeps, mail: Mail, address: string) {
  const { subject, text } = unknownSenderReply(storable(mail.parsed.subject ?? '', 200));
  await deliverOnce(deps.prisma, deps.mailer, {
    idempotencyKey: `mail-in:${mail.id}:unknown-sender`,
    recipient: { email: address, locale: 'en', timeZone: 'UTC' },
    kind: 'mail-unknown-sender',
    subject,
    text,
    headers: replyHeaders(mail.messageId),
  });
}

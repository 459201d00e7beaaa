// Instants as one person reads them: in their language and their own time zone, with the zone written out, so
// a CAB member in Shanghai and one in London read the same deadline each in their own hours and neither has to
// convert. API bodies keep ISO 8601 in UTC; this is for mail and pages only.

/** Whoever reads a mail or a page: a user, or a mailbox with a language but no zone of its own (then UTC). */
export interface Reader {
  locale: string;
  timeZone: string;
}

interface ZoneFormat {
  wallClock: Intl.DateTimeFormat;
  offset: Intl.DateTimeFormat;
  /** How the zone is named after the offset; null for UTC itself, where the offset says it all. */
  label: string | null;
}

const formats = new Map<string, ZoneFormat>();

function zoneFormat(reader: Reader): ZoneFormat {
  const key = `${reader.locale}|${reader.timeZone}`;
  let format = formats.get(key);
  if (!format) {
    const language = reader.locale === 'zh-CN' ? 'zh-CN' : 'en-GB';
    const make = (timeZone: string): ZoneFormat => {
      const wallClock = new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short', timeZone });
      const offset = new Intl.DateTimeFormat('en-GB', { timeZone, timeZoneName: 'shortOffset' });
      // The name as the user gave it (ICU would print Asia/Kolkata as Asia/Calcutta); UTC and its aliases need none.
      return { wallClock, offset, label: wallClock.resolvedOptions().timeZone === 'UTC' ? null : timeZone };
    };
    try {
      format = make(reader.timeZone.trim());
    } catch {
      // An unknown zone (a typo stored before zones were checked): UTC, said as such, rather than no mail at all.
      format = make('UTC');
    }
    formats.set(key, format);
  }
  return format;
}

/** "3 Dec 2026, 18:00 UTC+8 (Asia/Shanghai)", "2026年12月3日 18:00 UTC+8 (Asia/Shanghai)", "3 Dec 2026, 10:00 UTC". */
export function formatInstant(at: Date | number | string, reader: Reader): string {
  const date = new Date(at);
  const { wallClock, offset, label } = zoneFormat(reader);
  const gmt = offset.formatToParts(date).find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
  const utcOffset = gmt.replace(/^GMT(?:\+0$)?/, 'UTC');
  return `${wallClock.format(date)} ${utcOffset}${label ? ` (${label})` : ''}`;
}

const ISO_INSTANT = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?Z/g;

/**
 * Rewrites the UTC instants (ISO 8601, as workflows write them) in a text for its reader. Workflows compose some
 * texts themselves (they are part of the replayed history and know no reader); the reader is known only when
 * the mail or page is made.
 */
export function localiseInstants(text: string, reader: Reader): string {
  return text.replace(ISO_INSTANT, (instant) => formatInstant(instant, reader));
}

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, describeEnv, loadEnv } from '../../config/env';
import { readFeed } from '../../records/holiday-sources';

const SECRET = 'feed-secret-3f9a';
const ICS = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//itsm test//EN', 'BEGIN:VEVENT', 'UID:x@test', 'DTSTAMP:20260101T000000Z', 'DTSTART;VALUE=DATE:20271225', 'SUMMARY:Closed', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
const NOT_PUBLIC = /its host is not a public address \(an administrator lists internal feed hosts in CALENDAR_FEED_INTERNAL_HOSTS\)/;

interface FeedServer {
  server: Server;
  port: number;
  requests: string[];
}

/** A feed server on loopback, standing for one inside the organisation's network; `answer` decides each reply. */
async function feedServer(answer: (path: string) => { status: number; location?: string; body?: string }): Promise<FeedServer> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url!);
    const { status, location, body } = answer(req.url!);
    res.writeHead(status, { 'content-type': 'text/calendar', ...(location ? { location } : {}) }).end(body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, requests };
}

describe('holiday feeds reach only public hosts, or internal hosts an administrator listed', () => {
  let calendarServer: FeedServer;
  let adminPage: FeedServer;
  beforeAll(async () => {
    adminPage = await feedServer(() => ({ status: 200, body: 'internal admin page' }));
    calendarServer = await feedServer((path) => {
      if (path === `/${SECRET}/moved.ics`) return { status: 302, location: `/${SECRET}/basic.ics` };
      if (path === '/to-admin-page') return { status: 302, location: `http://localhost:${adminPage.port}/` };
      if (path === '/loop') return { status: 301, location: '/loop' };
      if (path === '/to-file') return { status: 302, location: 'file:///etc/passwd' };
      if (path === '/missing') return { status: 404, body: 'no such calendar' };
      if (path === '/huge') return { status: 200, body: 'X'.repeat(2_000_001) };
      return { status: 200, body: ICS };
    });
  });
  afterAll(async () => {
    for (const { server } of [calendarServer, adminPage]) await new Promise((resolve) => server.close(resolve));
  });

  it('reads a listed internal host, following its redirects', async () => {
    const days = await readFeed(`http://127.0.0.1:${calendarServer.port}/${SECRET}/moved.ics`, 2027, { internalHosts: ['127.0.0.1'] });
    expect(days.holidays).toEqual(['2027-12-25']);
    expect(calendarServer.requests.slice(-2)).toEqual([`/${SECRET}/moved.ics`, `/${SECRET}/basic.ics`]);
  });

  it('refuses loopback, a name that resolves to it, and the metadata address without sending a request, naming only the origin', async () => {
    const before = calendarServer.requests.length;
    const literal = readFeed(`http://127.0.0.1:${calendarServer.port}/${SECRET}/basic.ics`, 2027, { internalHosts: [] });
    await expect(literal).rejects.toThrow(NOT_PUBLIC);
    await expect(literal).rejects.toThrow(`feed at http://127.0.0.1:${calendarServer.port} was not read`);
    await expect(literal).rejects.not.toThrow(SECRET);
    await expect(readFeed(`http://localhost:${calendarServer.port}/${SECRET}/basic.ics`, 2027, { internalHosts: ['127.0.0.1'] })).rejects.toThrow(NOT_PUBLIC);
    await expect(readFeed('http://169.254.169.254/latest/meta-data/', 2027, { internalHosts: [] })).rejects.toThrow(NOT_PUBLIC);
    await expect(readFeed('http://[::ffff:7f00:1]/x.ics', 2027, { internalHosts: [] })).rejects.toThrow(NOT_PUBLIC);
    expect(calendarServer.requests.length).toBe(before);
  });

  it('checks every redirect: a listed host cannot send the reader on to an unlisted internal one', async () => {
    await expect(readFeed(`http://127.0.0.1:${calendarServer.port}/to-admin-page`, 2027, { internalHosts: ['127.0.0.1'] })).rejects.toThrow(NOT_PUBLIC);
    expect(adminPage.requests).toEqual([]);
    await expect(readFeed(`http://127.0.0.1:${calendarServer.port}/loop`, 2027, { internalHosts: ['127.0.0.1'] })).rejects.toThrow('redirected more than 5 times');
    await expect(readFeed(`http://127.0.0.1:${calendarServer.port}/to-file`, 2027, { internalHosts: ['127.0.0.1'] })).rejects.toThrow('redirected to an address that is not http(s)');
  });

  it('reports an error status or an oversized feed in its own words', async () => {
    const internal = { internalHosts: ['127.0.0.1'] };
    await expect(readFeed(`http://127.0.0.1:${calendarServer.port}/missing`, 2027, internal)).rejects.toThrow(`feed at http://127.0.0.1:${calendarServer.port} answered HTTP 404`);
    await expect(readFeed(`http://127.0.0.1:${calendarServer.port}/huge`, 2027, internal)).rejects.toThrow('is larger than 2000000 bytes');
  });
});

describe('CALENDAR_FEED_INTERNAL_HOSTS', () => {
  it('keeps each host as a feed URL spells it, and shows the list at start-up', () => {
    const env = loadEnv({ CALENDAR_FEED_INTERNAL_HOSTS: ' Calendar.Intranet.Example, [FD00:0::1],10.1.2.3,' });
    expect(env.CALENDAR_FEED_INTERNAL_HOSTS).toEqual(['calendar.intranet.example', 'fd00::1', '10.1.2.3']);
    expect(describeEnv(env)).toContain('feeds      holiday feeds from public hosts and the internal calendar.intranet.example, fd00::1, 10.1.2.3');
    expect(describeEnv(loadEnv({}))).toContain('feeds      holiday feeds from public hosts only');
  });

  it.each(['calendar.intranet.example:8443', 'http://calendar.intranet.example', 'calendar.intranet.example/feeds', 'user@calendar.intranet.example'])('refuses %s, naming the setting', (entry) => {
    expect(() => loadEnv({ CALENDAR_FEED_INTERNAL_HOSTS: entry })).toThrow(ConfigError);
    expect(() => loadEnv({ CALENDAR_FEED_INTERNAL_HOSTS: entry })).toThrow(/CALENDAR_FEED_INTERNAL_HOSTS.*without scheme, port or path/);
  });
});

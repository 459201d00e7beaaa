import { databaseKinds } from '../support/databases';
import { startHarness, type Harness } from '../support/harness';

describe.each(databaseKinds())('knowledge search on %s', (kind) => {
  let h: Harness;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    h = await startHarness(kind);
    const articles = {
      passing: { title: 'Printer shows offline', body: 'Check the cable and the network first. If jobs stay queued, the spooler may need a restart.', tags: ['printing'], status: 'published' },
      best: { title: 'Restart the print spooler', body: 'When the spooler hangs, stop the spooler service, clear the queue folder and start it again.', tags: ['printing', 'spooler'], status: 'published' },
      draft: { title: 'Spooler crash analysis (draft)', body: 'Notes on the spooler crashes seen last week.', tags: [], status: 'draft' },
      chinese: { title: '数据库连接失败', body: '应用报告无法连接数据库时，请先检查连接池是否已满，然后重启应用服务。', language: 'zh-CN', tags: ['数据库'], status: 'published' },
    };
    for (const [key, article] of Object.entries(articles)) {
      const response = await h.http.post('/api/articles').set(h.as('agent')).send(article);
      if (response.status !== 201) throw new Error(`${key}: ${response.status} ${JSON.stringify(response.body)}`);
      ids[key] = response.body.id;
    }
  });
  afterAll(() => h?.close());

  const search = (q: string, role: 'requester' | 'agent' = 'requester') => h.http.get('/api/articles').query({ q }).set(h.as(role));

  it('finds articles by words in the title or the body, the better match first, with the matches highlighted', async () => {
    const response = await search('spooler');
    expect(response.status).toBe(200);
    expect(response.body.items.map((hit: { id: string }) => hit.id)).toEqual([ids.best, ids.passing]);
    const [best, passing] = response.body.items;
    expect(best.rank).toBeGreaterThan(passing.rank);
    expect(best.highlight.title).toBe('Restart the print <mark>spooler</mark>');
    expect(passing.highlight.body).toContain('the <mark>spooler</mark> may need');
    // English stemming: "restarting" finds "Restart" and "restart".
    expect((await search('restarting spoolers')).body.items.map((hit: { id: string }) => hit.id)).toEqual([ids.best, ids.passing]);
    expect((await search('plotter')).body.items).toEqual([]);
  });

  it('finds Chinese words as runs of adjacent characters, in the title and in the body', async () => {
    const inBody = await search('连接池');
    expect(inBody.body.items.map((hit: { id: string }) => hit.id)).toEqual([ids.chinese]);
    // ts_headline marks every query lexeme it sees, so "连接" elsewhere is marked too; the word itself is one mark.
    expect(inBody.body.items[0].highlight.body).toContain('请先检查<mark>连接池</mark>');
    const inTitle = await search('数据库');
    expect(inTitle.body.items[0].highlight.title).toBe('<mark>数据库</mark>连接失败');
    // The same characters, not next to each other, are not the word.
    expect((await search('连池')).body.items).toEqual([]);
  });

  it('shows drafts to staff and never to requesters, in searches and by id', async () => {
    expect((await search('spooler', 'agent')).body.items.map((hit: { id: string }) => hit.id)).toContain(ids.draft);
    expect((await search('crash analysis')).body.items).toEqual([]);
    expect((await h.http.get(`/api/articles/${ids.draft}`).set(h.as('requester'))).status).toBe(404);
    const listed = await h.http.get('/api/articles').set(h.as('requester'));
    expect(listed.body.items.map((a: { status: string }) => a.status)).not.toContain('draft');
    expect((await h.http.get('/api/articles').query({ status: 'draft' }).set(h.as('requester'))).body.items).toEqual([]);
  });

  it('keeps every version; publishing a draft makes it findable by requesters', async () => {
    const published = await h.http.patch(`/api/articles/${ids.draft}`).set(h.as('agent2')).send({ title: 'Spooler crash analysis', status: 'published' });
    expect(published.status).toBe(200);
    expect(published.body).toMatchObject({ version: 2, status: 'published' });
    expect((await search('crash analysis')).body.items.map((hit: { id: string }) => hit.id)).toEqual([ids.draft]);
    const again = await h.http.patch(`/api/articles/${ids.draft}`).set(h.as('agent2')).send({ status: 'published' });
    expect(again.body.version).toBe(2);
    const detail = await h.http.get(`/api/articles/${ids.draft}`).set(h.as('agent'));
    expect(detail.body.versions.map((v: { version: number; status: string }) => `${v.version}:${v.status}`)).toEqual(['1:draft', '2:published']);
    expect((await h.http.patch(`/api/articles/${ids.draft}`).set(h.as('requester')).send({ status: 'retired' })).status).toBe(403);
  });

  it('refuses an empty search with a 400 naming q', async () => {
    const response = await h.http.get('/api/articles').query({ q: '  ' }).set(h.as('requester'));
    expect(response.status).toBe(400);
    expect(response.body.errors[0].field).toBe('q');
  });
});

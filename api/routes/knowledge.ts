import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import { z } from 'zod';
import { createArticle, articleReference, saveArticleVersion } from '../../records/knowledge';
import { searchArticles } from '../../records/knowledge-search';
import { problemReference } from '../../domain/problem';
import { isoOrNull } from '../../domain/instants';
import type { Article, Prisma } from '../../prisma/generated/client';
import { EVERYONE, hasAnyRole, STAFF, type Principal } from '../auth';
import { resolveCis } from '../ci-references';
import type { ApiDeps } from '../deps';
import { httpErrors } from '../problem-details';
import { defineRoute } from '../route';
import { ArticleIdParams, ArticleSchema, CreateArticleBody, ListArticlesQuery, SearchHitSchema, UpdateArticleBody } from '../schemas/knowledge';
import { KnownErrorSchema } from '../schemas/problem';


function articleView(article: Article) {
  return {
    id: article.id,
    number: article.number,
    reference: articleReference(article.number),
    title: article.title,
    body: article.body,
    language: article.language,
    tags: article.tags,
    status: article.status,
    version: article.version,
    knownErrorId: article.knownErrorId,
    publishedAt: isoOrNull(article.publishedAt),
    updatedAt: article.updatedAt.toISOString(),
  };
}

/** Requesters read published articles only; staff read drafts and retired ones too. */
const readable = (principal: Principal): string[] => (hasAnyRole(principal, STAFF) ? ['draft', 'published', 'retired'] : ['published']);

/** What a list shows: the status asked for if the caller may read it, else everything current the caller may read. */
const listed = (principal: Principal, wanted?: string) => (wanted ? readable(principal).filter((s) => s === wanted) : readable(principal).filter((s) => s !== 'retired'));

export function knowledgeRoutes(router: Router, registry: OpenAPIRegistry, deps: ApiDeps) {
  const { prisma } = deps;
  const findArticle = async (id: string, principal: Principal) => {
    const article = await prisma.article.findUnique({ where: { id } });
    if (!article || !readable(principal).includes(article.status)) throw httpErrors.notFound(`no article ${id}`);
    return article;
  };

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/articles',
    summary: 'Knowledge articles; with q, a ranked full-text search (English and Chinese) with highlighted matches',
    tags: ['knowledge'],
    roles: EVERYONE,
    query: ListArticlesQuery,
    responses: { 200: { description: 'Articles, or search hits best first', schema: z.object({ items: z.array(z.union([ArticleSchema, SearchHitSchema])) }) } },
    async handler({ query, principal }) {
      const statuses = listed(principal, query.status);
      if (query.q) return { status: 200, body: { items: await searchArticles(prisma, query.q, { statuses, language: query.language, tag: query.tag, limit: query.limit }) } };
      const where: Prisma.ArticleWhereInput = { status: { in: statuses as Article['status'][] }, language: query.language, tags: query.tag ? { has: query.tag } : undefined };
      const rows = await prisma.article.findMany({ where, orderBy: { updatedAt: 'desc' }, take: query.limit });
      return { status: 200, body: { items: rows.map(articleView) } };
    },
  });

  defineRoute(router, registry, {
    method: 'post',
    path: '/api/articles',
    summary: 'Write an article (a draft unless published at once)',
    tags: ['knowledge'],
    roles: STAFF,
    body: CreateArticleBody,
    responses: { 201: { description: 'Written', schema: ArticleSchema } },
    async handler({ body, principal, res }) {
      const cis = await resolveCis(prisma, body.cis, 'cis');
      const { cis: _named, ...content } = body;
      const article = await createArticle(prisma, { ...content, authorId: principal.id, ciIds: cis.map((ci) => ci.id) });
      res.location(`/api/articles/${article.id}`);
      return { status: 201, body: articleView(article) };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/articles/:id',
    summary: 'One article (staff also see its versions)',
    tags: ['knowledge'],
    roles: EVERYONE,
    params: ArticleIdParams,
    responses: { 200: { description: 'The article', schema: ArticleSchema.extend({ versions: z.array(z.object({ version: z.number().int(), title: z.string(), status: z.string(), editorId: z.uuid().nullable(), at: z.string() })).optional() }) }, 404: { description: 'No such article (or not published)' } },
    async handler({ params, principal }) {
      const article = await findArticle(params.id, principal);
      if (!hasAnyRole(principal, STAFF)) return { status: 200, body: articleView(article) };
      const versions = await prisma.articleVersion.findMany({ where: { articleId: article.id }, orderBy: { version: 'asc' } });
      return { status: 200, body: { ...articleView(article), versions: versions.map(({ version, title, status, editorId, at }) => ({ version, title, status, editorId, at: at.toISOString() })) } };
    },
  });

  defineRoute(router, registry, {
    method: 'patch',
    path: '/api/articles/:id',
    summary: 'Edit, publish or retire an article; each change is a new version',
    tags: ['knowledge'],
    roles: STAFF,
    params: ArticleIdParams,
    body: UpdateArticleBody,
    responses: { 200: { description: 'The article as it is now', schema: ArticleSchema }, 404: { description: 'No such article' } },
    async handler({ params, body, principal }) {
      const article = await findArticle(params.id, principal);
      const content = { title: body.title ?? article.title, body: body.body ?? article.body, tags: body.tags ?? article.tags, status: body.status ?? article.status };
      const saved = await prisma.$transaction((tx) => saveArticleVersion(tx, article.id, content, principal.id));
      return { status: 200, body: articleView(saved) };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/known-errors',
    summary: 'Known errors with their root causes and workarounds',
    tags: ['knowledge'],
    roles: STAFF,
    responses: { 200: { description: 'Known errors', schema: z.object({ items: z.array(KnownErrorSchema) }) } },
    async handler() {
      const rows = await prisma.knownError.findMany({ include: { problem: { select: { number: true } }, article: { select: { id: true } } }, orderBy: { publishedAt: 'desc' } });
      return {
        status: 200,
        body: {
          items: rows.map((ke) => ({
            id: ke.id,
            problemId: ke.problemId,
            problemReference: problemReference(ke.problem.number),
            title: ke.title,
            rootCause: ke.rootCause,
            workaround: ke.workaround,
            status: ke.status,
            articleId: ke.article?.id ?? null,
            publishedAt: ke.publishedAt.toISOString(),
          })),
        },
      };
    },
  });
}

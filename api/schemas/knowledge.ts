import { z } from 'zod';
import '../openapi';

const STATUSES = ['draft', 'published', 'retired'] as const;
const tags = z.array(z.string().trim().toLowerCase().min(1).max(40)).max(20);

export const ArticleIdParams = z.strictObject({ id: z.uuid('must be an article id (UUID)') });

export const ListArticlesQuery = z.strictObject({
  q: z.string().trim().min(1, 'must not be empty').max(200).optional().openapi({ description: 'full-text search over title, tags and body (English and Chinese), best match first' }),
  status: z.enum(STATUSES).optional().openapi({ description: 'staff only; requesters see published articles' }),
  language: z.string().max(10).optional(),
  tag: z.string().trim().toLowerCase().max(40).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const CreateArticleBody = z
  .strictObject({
    title: z.string().trim().min(3, 'must be at least 3 characters').max(200),
    body: z.string().trim().min(1, 'must not be empty').max(100_000).openapi({ description: 'Markdown' }),
    language: z.enum(['en', 'zh-CN']).default('en'),
    tags: tags.default([]),
    status: z.enum(STATUSES).default('draft'),
    cis: z.array(z.string().trim().min(1).max(100)).max(50).default([]).openapi({ description: 'configuration items it concerns, by code or id' }),
  })
  .openapi('CreateArticle');

export const UpdateArticleBody = z
  .strictObject({
    title: z.string().trim().min(3).max(200).optional(),
    body: z.string().trim().min(1).max(100_000).optional(),
    tags: tags.optional(),
    status: z.enum(STATUSES).optional(),
  })
  .openapi('UpdateArticle');

export const ArticleSchema = z
  .object({
    id: z.uuid(),
    number: z.number().int(),
    reference: z.string().openapi({ example: 'KB-000012' }),
    title: z.string(),
    body: z.string(),
    language: z.string(),
    tags: z.array(z.string()),
    status: z.enum(STATUSES),
    version: z.number().int(),
    knownErrorId: z.uuid().nullable(),
    publishedAt: z.string().nullable(),
    updatedAt: z.string(),
  })
  .openapi('Article');

export const SearchHitSchema = z
  .object({
    id: z.uuid(),
    reference: z.string(),
    title: z.string(),
    language: z.string(),
    tags: z.array(z.string()),
    status: z.enum(STATUSES),
    rank: z.number(),
    highlight: z.object({ title: z.string(), body: z.string() }).openapi({ description: 'HTML-escaped fragments with the matches in <mark>' }),
  })
  .openapi('ArticleSearchHit');

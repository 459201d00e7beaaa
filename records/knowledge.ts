import type { Db } from '../prisma/database';
import type { ArticleStatus, Prisma } from '../prisma/generated/client';

export interface ArticleContent {
  title: string;
  body: string;
  tags: string[];
  status: ArticleStatus;
}

export function articleReference(number: number): string {
  return `KB-${String(number).padStart(6, '0')}`;
}

const sameContent = (a: ArticleContent, b: ArticleContent) => a.title === b.title && a.body === b.body && a.status === b.status && a.tags.join('\u0000') === b.tags.join('\u0000');

/**
 * Writes a new version of an article when its content moved (title, body, tags or status), keeping every
 * version; saving the same content again writes nothing, so a retried step adds no version.
 */
export async function saveArticleVersion(tx: Db | Prisma.TransactionClient, articleId: string, content: ArticleContent, editorId: string | null) {
  const current = await tx.article.findUniqueOrThrow({ where: { id: articleId } });
  if (sameContent(current, content)) return current;
  const version = current.version + 1;
  const publishedAt = content.status === 'published' && current.status !== 'published' ? new Date() : undefined;
  await tx.articleVersion.create({ data: { articleId, version, ...content, editorId } });
  return tx.article.update({ where: { id: articleId }, data: { ...content, version, publishedAt } });
}

/** A new article and its first version, together. */
export function createArticle(
  tx: Db | Prisma.TransactionClient,
  fields: ArticleContent & { language: string; authorId: string | null; knownErrorId?: string; ciIds?: string[] },
) {
  const { ciIds = [], authorId, ...content } = fields;
  return tx.article.create({
    data: {
      ...content,
      authorId,
      publishedAt: content.status === 'published' ? new Date() : null,
      versions: { create: { version: 1, title: content.title, body: content.body, tags: content.tags, status: content.status, editorId: authorId } },
      cis: { create: ciIds.map((ciId) => ({ ciId })) },
    },
  });
}

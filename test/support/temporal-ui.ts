import type { FrameLocator, Locator, Page } from 'playwright-core';
import { eventually } from './harness';

// Selectors are the Temporal UI's own test ids and accessible names (checked against UI 2.42.1, the one the
// pinned CLI embeds), so a test reads like the steps a manager takes.

/** The workflow list filtered as a person does it: the query box behind the `</>` toggle, then Enter. */
export async function filterWorkflows(page: Page, uiUrl: string, query: string, namespace = 'default') {
  await page.goto(`${uiUrl}/namespaces/${namespace}/workflows`);
  await page.getByTestId('toggle-manual-query').click();
  const input = page.getByTestId('manual-search-input');
  await input.fill(query);
  await input.press('Enter');
  await page.waitForURL((url) => url.searchParams.get('query') === query);
}

/** The list's columns, changed through the table settings drawer: search attributes in, ids nobody reads out. */
export async function configureColumns(page: Page, change: { add: string[]; remove: string[] }) {
  await page.getByTestId('workflows-summary-table-configuration-button').click();
  for (const column of change.remove) await page.getByRole('button', { name: `Remove ${column} column` }).click();
  for (const column of change.add) await page.getByRole('button', { name: `Add ${column} column` }).click();
  await page.getByRole('button', { name: 'Close Workflows Table configuration' }).click();
}

/** The list's rows, by a text they contain (a workflow id, a type). */
export function workflowRows(page: Page, text: string): Locator {
  return page.locator('tbody tr', { hasText: text });
}

/** What one row shows under each column header. */
export async function rowByColumn(page: Page, row: Locator): Promise<Record<string, string>> {
  const [headers, cells] = await Promise.all([page.locator('thead th').allInnerTexts(), row.locator('td').allInnerTexts()]);
  return Object.fromEntries(headers.map((header, i) => [header.trim(), (cells[i] ?? '').trim()]));
}

/** From a list row to the workflow's own page, then its User Metadata tab (summary, details, current details). */
export async function openUserMetadata(page: Page, row: Locator, workflowId: string) {
  await row.getByRole('link', { name: workflowId, exact: true }).click();
  await page.getByTestId('user-metadata-tab').click();
  await page.waitForURL(/\/user-metadata$/);
}

/** A Markdown section of the workflow page: the UI renders each in an iframe of its own under an h3 heading. */
export function section(page: Page, heading: 'Summary' | 'Details' | 'Current Details'): FrameLocator {
  return page.locator(`xpath=//h3[normalize-space()="${heading}"]/following::iframe[1]`).contentFrame();
}

/**
 * The text of a section once it contains every one of `expected`: current details arrive later than the rest,
 * through a query the worker answers.
 */
export function sectionText(page: Page, heading: Parameters<typeof section>[1], expected: (string | RegExp)[], timeoutMs = 30_000): Promise<string> {
  const body = section(page, heading).locator('body');
  return eventually(async () => {
    const text = await body.innerText({ timeout: 2_000 });
    const missing = expected.filter((part) => (typeof part === 'string' ? !text.includes(part) : !part.test(text)));
    if (missing.length) throw new Error(`${heading} lacks ${missing.join(', ')}; it shows:\n${text}`);
    return text;
  }, timeoutMs);
}

import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { BotStack, startBotStack } from '../support/botStack';
import { parseCsv } from '../support/csv';
import { fileRequest } from '../support/flowSteps';
import { sampleRequest } from '../unit/sampleRequest';
import { launchBrowser } from './playgroundPage';

/**
 * The compliance dashboard tab in headless Chromium outside Teams: signed in through the sandbox
 * sign-in page, as a compliance officer (Chen Wei) and as an employee (Grace Kim). Screenshots go
 * to DSR_SCREENSHOT_DIR (`npm run screenshots` points it at docs/screenshots), else a temp folder.
 */

jest.setTimeout(120_000);

const SCREENSHOTS = process.env.DSR_SCREENSHOT_DIR ?? mkdtempSync(path.join(os.tmpdir(), 'dsr-tab-screens-'));
const DAY = 86_400_000;
/** The instant the seeded dates are counted from; the bot runs on the machine's time, as the sign-in page's tokens do. */
const NOW = Date.now();
const dateOnly = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** Seeded straight into storage before the tab is opened: one overdue, one due in three days. */
const OVERDUE = sampleRequest({ id: 'DSR-2026-9001', kind: 'erase', receivedAt: new Date(NOW - 40 * DAY).toISOString(), dueAt: dateOnly(NOW - 8 * DAY) });
const URGENT = sampleRequest({ id: 'DSR-2026-9002', kind: 'access', receivedAt: new Date(NOW - 27 * DAY).toISOString(), dueAt: dateOnly(NOW + 3 * DAY) });

let stack: BotStack;
let browser: Browser;
let filedId: string;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  stack = await startBotStack('browser-dashboard', { DSR_SERVICES: 'entra,botStore' });
  for (const request of [OVERDUE, URGENT]) await stack.bot.store.create(request);
  filedId = await fileRequest(stack, stack.user('Alex'), 'export my data', { kind: 'export', regime: 'GDPR', services: 'entra,botStore' });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await stack?.stop();
});

/** Opens the tab in a fresh browser context and signs in on the sandbox page as the person with `upn`. */
async function signInAs(upn: string, query = ''): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true, locale: 'en-GB' });
  const page = await context.newPage();
  await page.goto(`${stack.bot.url}/tab/${query}`);
  await page.locator(`button[data-upn="${upn}"]`).click();
  await page.waitForURL((url) => url.pathname === '/tab/' && !url.hash);
  return page;
}

const shoot = (page: Page, name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), type: 'png' });

describe('the compliance dashboard tab', () => {
  it('shows a compliance officer the queue in urgency colours, a request, charts that match the register CSV, and the CSV', async () => {
    const page = await signInAs(stack.user('Chen').upn);
    expect(await page.locator('[data-me]').getAttribute('data-me')).toBe('complianceOfficer');

    // The queue: seeded and newly filed requests, each with its colour class, word and number.
    const row = (id: string) => page.locator(`tr[data-request="${id}"]`);
    await row(filedId).waitFor();
    const badge = (id: string) => row(id).locator('[data-urgency]');
    expect(await badge(OVERDUE.id).getAttribute('data-urgency')).toBe('overdue');
    expect(await badge(OVERDUE.id).textContent()).toMatch(/^Overdue by \d+ days$/);
    expect(await badge(URGENT.id).getAttribute('data-urgency')).toBe('urgent');
    expect(await badge(URGENT.id).textContent()).toMatch(/^Urgent: [34] days left$/);
    expect(await badge(filedId).getAttribute('data-urgency')).toBe('ok');
    expect(await badge(filedId).textContent()).toMatch(/^On track: \d+ days left$/);
    expect(await badge(filedId).evaluate((element) => getComputedStyle(element).backgroundColor)).not.toBe(await badge(OVERDUE.id).evaluate((element) => getComputedStyle(element).backgroundColor));
    // Soonest due first; subjects as pseudonyms, never names.
    const ids = await page.locator('tr[data-request]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-request')));
    expect(ids.indexOf(OVERDUE.id)).toBeLessThan(ids.indexOf(URGENT.id));
    expect(ids.indexOf(URGENT.id)).toBeLessThan(ids.indexOf(filedId));
    const queueText = (await page.locator('table[data-table="queue"]').textContent()) ?? '';
    for (const name of [OVERDUE.subject.displayName, stack.user('Alex').displayName]) expect(queueText).not.toContain(name);
    // Filtering by kind leaves the erasure alone.
    await page.locator('#filter-kind').selectOption('erase');
    await page.locator(`tr[data-request="${filedId}"]`).waitFor({ state: 'detached' });
    await row(OVERDUE.id).waitFor();
    expect(await page.locator('tr[data-request]').count()).toBe(1);
    await page.locator('#filter-kind').selectOption('');
    await row(filedId).waitFor();
    await shoot(page, 'queue-light');

    // One request: its timeline from the audit chain, verified.
    await row(filedId).getByRole('button', { name: filedId }).click();
    await page.locator(`[data-request-page="${filedId}"]`).waitFor();
    expect(await page.locator('[data-chain]').getAttribute('data-chain')).toBe('verified');
    await page.getByRole('table', { name: 'Timeline' }).getByText('Filed').first().waitFor();
    await shoot(page, 'request-light');

    // The register CSV through the page's button.
    await page.getByRole('tab', { name: 'Register' }).click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^dsr-register-\d{4}-\d{2}-\d{2}\.csv$/);
    const [, ...csvRows] = parseCsv(readFileSync((await download.path())!, 'utf8'));
    const registered = csvRows.filter((r) => r.length > 1);
    expect(registered.map((r) => r[0]).sort()).toEqual([OVERDUE.id, URGENT.id, filedId].sort());

    // The chart of requests per week by kind, read from its data table, counts what the CSV lists.
    await page.getByRole('tab', { name: 'Charts' }).click();
    const table = page.locator('table[data-chart="perWeek"]');
    await table.waitFor();
    const cells = await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => Array.from(r.querySelectorAll('td'), (td) => td.textContent ?? '')));
    const kinds = ['access', 'export', 'rectify', 'restrict', 'erase'];
    const charted = Object.fromEntries(kinds.map((kind, index) => [kind, cells.reduce((sum, cellsOfWeek) => sum + Number(cellsOfWeek[index + 1]), 0)]));
    const inCsv = Object.fromEntries(kinds.map((kind) => [kind, registered.filter((r) => r[3] === kind).length]));
    expect(charted).toEqual(inCsv);
    expect(charted).toEqual({ access: 1, export: 1, rectify: 0, restrict: 0, erase: 1 });
    await shoot(page, 'charts-light');
    await page.context().close();
  });

  it('draws the same views in the dark theme', async () => {
    const page = await signInAs(stack.user('Chen').upn, '?theme=dark');
    await page.locator(`tr[data-request="${filedId}"]`).waitFor();
    const background = await page.locator('.fui-FluentProvider').first().evaluate((element) => getComputedStyle(element).backgroundColor);
    expect(background).not.toBe('rgb(255, 255, 255)');
    await shoot(page, 'queue-dark');
    await page.getByRole('tab', { name: 'Charts' }).click();
    await page.locator('table[data-chart="perWeek"]').waitFor();
    await shoot(page, 'charts-dark');
    await page.context().close();
  });

  it('shows an employee the no-access page', async () => {
    const page = await signInAs(stack.user('Grace').upn);
    await page.locator('[data-notice="noAccess"]').waitFor();
    expect(await page.locator('[data-notice="noAccess"]').textContent()).toContain('No access');
    expect(await page.locator('tr[data-request]').count()).toBe(0);
    await page.context().close();
  });
});

import { createHash } from 'node:crypto';
import type { Browser, Locator, Page } from 'playwright-core';
import { BotStack, startBotStack } from '../support/botStack';
import { unzip } from '../support/unzip';
import {
  clickCardAction,
  findCard,
  launchBrowser,
  mentionBotAndSend,
  openPlayground,
  openUrlHrefs,
  saveScreenshot,
  selectConversation,
  sendMessage,
  waitForMessageContaining,
} from './playgroundPage';
import { startPlaygroundAs, UserPlayground } from './playgroundStack';

/**
 * The export flow through the Microsoft 365 Agents Playground in headless Chromium, as people
 * would click it: two Playground instances (the employee Alex and the approver Priya) against one bot.
 */

jest.setTimeout(60_000);

const REQUEST_ID = /DSR-\d{4}-\d{4,}/;
/** Waits on the bot's side (discovery, the export job) and the page's live updates. */
const SLOW = 30_000;

let stack: BotStack | undefined;
let browser: Browser | undefined;
const playgrounds: UserPlayground[] = [];
let alexPage: Page;
let priyaPage: Page;


/** The newest card in the open conversation whose text matches `pattern`. */
async function cardMatching(page: Page, pattern: RegExp, timeout = SLOW): Promise<Locator> {
  const cards = page.locator('.ac-adaptiveCard').filter({ hasText: pattern });
  await cards.first().waitFor({ state: 'visible', timeout });
  return cards.last();
}

/** On failure, what both pages showed: the screenshots say more than a selector timeout. */
async function step<T>(name: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    await Promise.allSettled([
      alexPage && saveScreenshot(alexPage, `failed-${name}-alex`),
      priyaPage && saveScreenshot(priyaPage, `failed-${name}-priya`),
    ]);
    throw error;
  }
}

beforeAll(async () => {
  stack = await startBotStack('browser-export');
  const s = stack;
  const [alex, priya] = await Promise.all([startPlaygroundAs(s, s.user('Alex')), startPlaygroundAs(s, s.user('Priya'))]).then(
    (started) => (playgrounds.push(...started), started),
  );
  browser = await launchBrowser();
  [alexPage, priyaPage] = await Promise.all([openPlayground(browser, alex.url), openPlayground(browser, priya.url)]);

  // Priya registers the channels from her own instance: only there do they exist for the bot.
  await step('register', async () => {
    await selectConversation(priyaPage, 'General');
    await mentionBotAndSend(priyaPage, 'register compliance');
    await waitForMessageContaining(priyaPage, 'This channel now follows data subject requests');
    await selectConversation(priyaPage, 'DSR Approvals');
    await mentionBotAndSend(priyaPage, 'register approvals');
    await waitForMessageContaining(priyaPage, 'This channel now receives approval cards');
  });
}, 60_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await Promise.allSettled(playgrounds.map((p) => p.stop()));
  await stack?.stop();
});

describe('export, clicked through two Agents Playground instances', () => {
  it('files in chat, is approved in the channel, and delivers a ZIP whose manifest verifies', async () => {
    const s = stack!;
    const alex = s.user('Alex');

    // Alex asks in his 1:1 chat and gets the intake card.
    await step('intake', async () => {
      await selectConversation(alexPage, 'Personal Chat');
      await sendMessage(alexPage, 'export my data');
      const intake = await findCard(alexPage, 'Send request');
      await intake.getByText('Export my data').first().waitFor();
      await saveScreenshot(alexPage, '01-employee-intake');
    });

    // Sending it replaces the intake card with the status card, which names the request. (Not
    // waiting for the "Your response was sent" notice: the bot's own updates of the card, once
    // discovery is done, replace it and the notice goes with it.)
    const id = await step('status', async () => {
      await clickCardAction(alexPage, 'Send request', 'Send request');
      const status = await cardMatching(alexPage, REQUEST_ID, 20_000);
      const found = REQUEST_ID.exec((await status.textContent()) ?? '')![0];
      await saveScreenshot(alexPage, '02-status-card');
      return found;
    });
    expect((await s.bot.store.get(id))?.request.subject.aadObjectId).toBe(alex.aadObjectId);

    // After discovery Priya's approvals channel gets the card: ids and counts, no personal data.
    await step('approval', async () => {
      const approval = await findCard(priyaPage, id, SLOW);
      await approval.getByText('1 user profile').first().waitFor();
      const text = (await approval.textContent()) ?? '';
      for (const personal of [alex.displayName, alex.email, alex.upn, alex.aadObjectId]) expect(text).not.toContain(personal);
      await saveScreenshot(priyaPage, '03-approval-card');
      await clickCardAction(priyaPage, 'Approve', id);
      await (await findCard(priyaPage, id)).getByText(/Approved by Priya/).first().waitFor({ timeout: 20_000 });
      await saveScreenshot(priyaPage, '04-approved');
    });

    // Alex's chat gets the download card; its link is the SAS URL of the package.
    const url = await step('download', async () => {
      await findCard(alexPage, `Your data is ready: ${id}`, SLOW);
      await saveScreenshot(alexPage, '05-download-card');
      const links = await openUrlHrefs(alexPage, `Your data is ready: ${id}`);
      const download = links.find((l) => l.title === 'Download your data');
      expect(download?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/.*sig=/);
      return download!.url;
    });

    const response = await fetch(url);
    expect(response.status).toBe(200);
    const files = await unzip(Buffer.from(await response.arrayBuffer()));
    const manifest = JSON.parse(files.get('manifest.json')!.toString()) as { requestId: string; files: { path: string; sha256: string }[] };
    expect(manifest.requestId).toBe(id);
    const profile = manifest.files.find((f) => f.path === 'entra/profile.json');
    expect(profile).toBeDefined();
    expect(createHash('sha256').update(files.get('entra/profile.json')!).digest('hex')).toBe(profile!.sha256);
    expect(JSON.parse(files.get('entra/profile.json')!.toString()).userPrincipalName).toBe(alex.upn);
    for (const entry of manifest.files) expect(createHash('sha256').update(files.get(entry.path)!).digest('hex')).toBe(entry.sha256);

    // Both cards were kept up to date in place: the approvers' one and Alex's status card.
    await step('completed', async () => {
      await (await findCard(priyaPage, id)).getByText('Completed', { exact: false }).first().waitFor({ timeout: 20_000 });
      await saveScreenshot(priyaPage, '06-approval-completed');
      await cardMatching(alexPage, new RegExp(`${id}[\\s\\S]*Completed`), 20_000);
    });
    expect((await s.bot.store.get(id))?.request.state).toBe('completed');
  });
});

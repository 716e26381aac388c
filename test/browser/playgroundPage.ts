import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Browser, chromium, Locator, Page } from 'playwright-core';

/**
 * Playwright helpers for the Microsoft 365 Agents Playground 0.2.28 page. The page has few
 * semantic hooks; the selectors here are the ones that proved stable against it.
 */

const COMPOSER = '[data-lexical-editor="true"][role="textbox"]';
/**
 * What the bot sent: its text (rendered as markdown, whose elements carry a `node` attribute)
 * or its Adaptive Cards. Users' own messages, the left rail previews and the log panel never match.
 */
const BOT_CONTENT = 'div:has(> [node]), .ac-adaptiveCard';
const DEFAULT_TIMEOUT = 15_000;

/** Starts Debian's chromium (`CHROMIUM_PATH` overrides), headless. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * Opens the Playground at `url` in a fresh context and waits until it has connected to the bot.
 * Each page load makes the Playground send `installationUpdate` + `conversationUpdate` for the
 * 1:1 chat again and starts with an empty history; messages the bot sends while no page is open are lost.
 */
export async function openPlayground(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  await page.goto(url);
  await page.getByRole('treeitem', { name: 'Personal Chat', exact: true }).waitFor({ timeout: 30_000 });
  // The log panel says "Connected." once the Playground reached the bot endpoint.
  await page.getByText(/^Connected\.$/).first().waitFor({ timeout: 30_000 });
  return page;
}

/**
 * Switches the conversation: `'Personal Chat'`, the group chat's name, or a channel's name
 * (`'General'`, `'DSR Approvals'`). Opening a team channel the first time makes the Playground
 * send the team's `conversationUpdate` (bot added). Switching re-renders the cards: values typed
 * into a card and not yet submitted are lost.
 */
export async function selectConversation(page: Page, name: string): Promise<void> {
  const exact = page.getByRole('treeitem', { name, exact: true });
  // Channels are labelled "<team> - <channel>".
  const item = (await exact.count()) > 0 ? exact : page.locator(`[role="treeitem"][aria-label$=${JSON.stringify(` - ${name}`)}]`);
  await item.click();
  const isChannel = (await item.getAttribute('aria-label'))?.includes(' - ') ?? false;
  // The rail marks the selection by colour only; a channel shows a "Post" button, a chat does not.
  if (isChannel) await newPostButton(page).waitFor();
  else await newPostButton(page).waitFor({ state: 'detached' });
  await page.locator(COMPOSER).first().waitFor();
}

function newPostButton(page: Page): Locator {
  return page.getByRole('button', { name: 'Post', exact: true });
}

async function inChannel(page: Page): Promise<boolean> {
  return (await newPostButton(page).count()) > 0;
}

/** The box that starts a message: the chat box, or in a channel the "Start a new post" box. */
function composer(page: Page): Locator {
  return page.locator(COMPOSER).first();
}

/**
 * Sends `text` to the open conversation (in a channel: as a new post). In a group chat or
 * channel the bot only receives it if it is mentioned: use {@link mentionBotAndSend} there.
 */
export async function sendMessage(page: Page, text: string): Promise<void> {
  const box = composer(page);
  await box.click();
  // insertText, not typing: a typed "@" would open the mention menu.
  await page.keyboard.insertText(text);
  await page.keyboard.press('Enter');
}

/** Sends `@<bot> text` as Teams does: `<at>DSR Bot</at> text` plus a mention entity. */
export async function mentionBotAndSend(page: Page, text: string, botName = 'DSR Bot'): Promise<void> {
  const box = composer(page);
  await box.click();
  await page.keyboard.type('@');
  // An item's accessible name repeats the name (avatar label + text), so match its text instead.
  await page.locator('#typeahead-menu').getByRole('menuitem').filter({ has: page.getByText(botName, { exact: true }) }).click();
  await page.keyboard.insertText(` ${text}`);
  await page.keyboard.press('Enter');
}

/** Picks the newest of `matches`: the last in a chat, the first in a channel (newest post on top). */
async function newest(page: Page, matches: Locator): Promise<Locator> {
  return (await inChannel(page)) ? matches.first() : matches.last();
}

/**
 * Waits (no sleeping) until a message from the bot in the open conversation contains `text`
 * (case-insensitive, whitespace normalised); returns the newest such message or card.
 */
export async function waitForMessageContaining(page: Page, text: string, timeoutMs = DEFAULT_TIMEOUT): Promise<Locator> {
  const matches = page.locator(BOT_CONTENT).filter({ hasText: text });
  await matches.first().waitFor({ state: 'visible', timeout: timeoutMs });
  return newest(page, matches);
}

/** The newest Adaptive Card in the open conversation whose text contains `cardText`. */
export async function findCard(page: Page, cardText: string, timeoutMs = DEFAULT_TIMEOUT): Promise<Locator> {
  const matches = page.locator('.ac-adaptiveCard').filter({ hasText: cardText });
  await matches.first().waitFor({ state: 'visible', timeout: timeoutMs });
  return newest(page, matches);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The wrapper of one labelled input of `card`. */
function cardField(card: Locator, label: string): Locator {
  // A required input's label ends with " *".
  const labelElement = card.page().locator('label.ac-richTextBlock', { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*\\*?\\s*$`) });
  return card.locator('div:has(> label.ac-richTextBlock)').filter({ has: labelElement });
}

/** Types `value` into the Input.Text (single or multi-line) labelled `label` on the newest card containing `cardText`. */
export async function fillCardInput(page: Page, cardText: string, label: string, value: string): Promise<void> {
  const card = await findCard(page, cardText);
  await cardField(card, label).locator('input, textarea').first().fill(value);
}

/**
 * Chooses `choices` (titles as shown) in the Input.ChoiceSet labelled `label` on the newest card
 * containing `cardText`: compact (a combobox), expanded (radio buttons) or multi-select
 * (checkboxes, or a combobox whose menu holds checkbox items). Multi-select: other choices are left as they are.
 */
export async function chooseCardChoice(page: Page, cardText: string, label: string, choices: string | string[]): Promise<void> {
  const card = await findCard(page, cardText);
  const field = cardField(card, label);
  const titles = Array.isArray(choices) ? choices : [choices];
  const combobox = field.getByRole('combobox');
  if ((await combobox.count()) > 0) {
    for (const title of titles) {
      if ((await combobox.getAttribute('aria-expanded')) !== 'true') await combobox.click();
      // The list is portalled to <body>: single-select shows options, multi-select checkbox items.
      const option = page.getByRole('option', { name: title, exact: true }).or(page.getByRole('menuitemcheckbox', { name: title, exact: true }));
      if ((await option.getAttribute('aria-checked')) !== 'true') await option.click();
    }
    if ((await combobox.getAttribute('aria-expanded')) === 'true') await page.keyboard.press('Escape');
    return;
  }
  for (const title of titles) {
    const radio = field.getByRole('radio', { name: title, exact: true });
    if ((await radio.count()) > 0) await radio.check();
    // A multi-select checkbox is named "<set label> <choice>": find it by its own <label> instead.
    else await field.locator('span').filter({ has: page.locator('label', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }) }).getByRole('checkbox').check();
  }
}

/** Sets the Input.Toggle titled `title` on the newest card containing `cardText`. */
export async function setCardToggle(page: Page, cardText: string, title: string, on = true): Promise<void> {
  const card = await findCard(page, cardText);
  await card.getByRole('checkbox', { name: title, exact: true }).setChecked(on);
}

/**
 * Presses the Action.Execute / Action.Submit button titled `title` on the newest card containing
 * `cardText` (default: the newest card).
 */
export async function clickCardAction(page: Page, title: string, cardText = ''): Promise<void> {
  const card = await findCard(page, cardText);
  await card.getByRole('button', { name: title, exact: true }).click();
}

/**
 * The notice the Playground shows under a card after an Action.Execute: "Your response was sent
 * to the app" when the card was replaced, the text of a `application/vnd.microsoft.activity.message`
 * answer, or the message of an `application/vnd.microsoft.error` answer. Waits for it to contain `text`.
 */
export async function waitForCardNotice(page: Page, text: string, timeoutMs = DEFAULT_TIMEOUT): Promise<void> {
  // The notice sits next to the card inside the message, not inside .ac-adaptiveCard.
  const notices = page.locator('div:has(> .ac-adaptiveCard) ~ div').filter({ hasText: text });
  await notices.first().waitFor({ state: 'visible', timeout: timeoutMs });
}

/**
 * The Action.OpenUrl buttons of the newest card containing `cardText`: their titles and URLs.
 * The page renders them as `role="link"` buttons whose `title` attribute holds the URL; clicking
 * one opens a new window, so tests read the URL instead.
 */
export async function openUrlHrefs(page: Page, cardText = ''): Promise<{ title: string; url: string }[]> {
  const card = await findCard(page, cardText);
  return card.getByRole('link').evaluateAll((links) =>
    links.map((link) => ({ title: link.getAttribute('aria-label') ?? link.textContent ?? '', url: link.getAttribute('title') ?? '' })),
  );
}

/** Saves a full-page screenshot as `test-artifacts/<name>.png` at the repo root; returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  let root = __dirname;
  while (!existsSync(path.join(root, 'package.json')) && path.dirname(root) !== root) root = path.dirname(root);
  const dir = path.join(root, 'test-artifacts');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

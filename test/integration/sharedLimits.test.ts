import { BotStack, startBotStack } from '../support/botStack';
import { cardOf } from '../support/flowSteps';
import { TeamsClient } from '../support/teamsClient';
import { waitFor } from '../support/waitFor';
import { TenantUser } from '../../src/sandbox/tenant';

/**
 * One person's messages and card actions, spread over two bot instances on one Storage account,
 * are limited at the shared limit, through the Bot Framework protocol as Teams drives it.
 */
jest.setTimeout(120_000);

/** Every bot instance of the stack runs on this clock; the test moves it past a window. */
const clock = {
  time: new Date('2026-11-22T09:00:00.000Z'),
  now() {
    return this.time;
  },
};

const PER_MINUTE = 3;
let stack: BotStack;
let instances: TeamsClient[];
let alex: TenantUser, megan: TenantUser;

const text = (value: unknown) => JSON.stringify(value ?? {});
const helpCards = (user: TenantUser) => stack.connector.to(stack.teams.personalConversationId(user)).filter((s) => text(cardOf(s)).includes('dsr.start'));
const slowDowns = (user: TenantUser) => stack.connector.to(stack.teams.personalConversationId(user)).filter((s) => s.activity.text?.includes('faster than I can take them'));

beforeAll(async () => {
  stack = await startBotStack('shared-limits', { DSR_SERVICES: 'entra,botStore', DSR_MESSAGES_PER_MINUTE: String(PER_MINUTE), DSR_INVOKES_PER_MINUTE: String(PER_MINUTE) }, undefined, { clock });
  instances = [stack.teams, (await stack.startAnotherBot()).teams];
  [alex, megan] = ['Alex', 'Megan'].map((n) => stack.user(n));
});

afterAll(async () => {
  await stack?.stop();
});

it('limits one person\'s messages over both instances at the shared limit, answers the burst once, and serves another person meanwhile', async () => {
  for (let i = 0; i < 7; i++) {
    expect(await instances[i % 2].say(alex, 'help')).toBe(200);
    if (i === 4) expect(await instances[1].say(megan, 'help')).toBe(200);
  }
  expect(helpCards(alex)).toHaveLength(PER_MINUTE);
  expect(slowDowns(alex)).toHaveLength(1);
  await waitFor('Megan\'s help card', () => (helpCards(megan).length === 1 ? true : undefined));
  expect(slowDowns(megan)).toEqual([]);
});

it('limits one person\'s card actions over both instances, answering each extra one with 200 and a message', async () => {
  const answers = [];
  for (let i = 0; i < 6; i++) answers.push(await instances[i % 2].click(megan, 'personal', 'dsr.status', {}));
  expect(answers.map((a) => a.status)).toEqual(Array(6).fill(200));
  expect(answers.map((a) => a.body.type)).toEqual([
    ...Array(PER_MINUTE).fill('application/vnd.microsoft.card.adaptive'),
    ...Array(6 - PER_MINUTE).fill('application/vnd.microsoft.activity.message'),
  ]);
  expect(text(answers.at(-1)!.body.value)).toContain('clicking faster than I can take it');
  // Alex's card actions are his own count, whatever his messages did.
  expect((await instances[0].click(alex, 'personal', 'dsr.status', {})).body.type).toBe('application/vnd.microsoft.card.adaptive');
});

it('serves the person again once a minute has passed since their window began', async () => {
  clock.time = new Date(clock.time.getTime() + 60_000);
  expect((await instances[1].click(megan, 'personal', 'dsr.status', {})).body.type).toBe('application/vnd.microsoft.card.adaptive');
  expect(await instances[0].say(alex, 'help')).toBe(200);
  expect(helpCards(alex)).toHaveLength(PER_MINUTE + 1);
});

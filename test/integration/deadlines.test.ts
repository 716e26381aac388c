import { plainText } from '../../src/cards/render';
import { RunningBot } from '../../src/index';
import { TenantUser } from '../../src/sandbox/tenant';
import { BotStack, startBotStack } from '../support/botStack';
import { SentActivity } from '../support/fakeBotConnector';
import { approvalCardFor, cardOf, currentApprovalCard, fileRequest } from '../support/flowSteps';
import { TeamsClient } from '../support/teamsClient';
import { waitFor } from '../support/waitFor';

/**
 * The compliance officer's side, through the Bot Framework protocol as Teams drives it, on a clock
 * the test moves: receipt, extensions on the approvers' card, reminders and escalation with two
 * bot instances sweeping at once, the approvers' queue and the employee's status.
 */
jest.setTimeout(180_000);

/** Every bot instance of the stack runs on this clock; the tests only move it forward. */
const clock = {
  time: new Date('2026-03-02T09:00:00.000Z'),
  now() {
    return new Date(this.time);
  },
};

let stack: BotStack;
let second: { bot: RunningBot; teams: TeamsClient };
let priya: TenantUser, marco: TenantUser, alex: TenantUser, megan: TenantUser, diego: TenantUser, lee: TenantUser;
/** Filed on 2 Mar 2026: GDPR due 2 Apr 2026, CCPA due 16 Apr 2026. */
const ids: Record<string, string> = {};

const text = (value: unknown) => JSON.stringify(value ?? {});
const request = async (id: string) => (await stack.bot.store.get(id))!.request;
const sent = (conversationId: string, what: (s: SentActivity) => boolean) => stack.connector.to(conversationId).filter((s) => s.kind === 'send' && what(s));
const messages = (conversationId: string, ...parts: string[]) => sent(conversationId, (s) => parts.every((p) => (s.activity.text ?? '').includes(p)));
const extendClick = (who: TenantUser, id: string, fields: Record<string, unknown>, activityId?: string) =>
  stack.teams.click(who, stack.teams.channelId, 'dsr.extend', { requestId: id, ...fields }, activityId);

/** Waits until each instance has swept once more with the lease: every reminder it owed is posted by then. */
async function sweptByBothInstances(): Promise<void> {
  for (const bot of [stack.bot, second.bot]) {
    await waitFor('a full reminder sweep', async () => (await bot.reminders.sweep()).swept || undefined);
  }
}

beforeAll(async () => {
  // A short sweep interval: both instances sweep on their own all along, as in production.
  stack = await startBotStack('deadlines', { DSR_SERVICES: 'entra,botStore' }, undefined, { clock, sweepMs: 250 });
  second = await stack.startAnotherBot();
  [priya, marco, alex, megan, diego, lee] = ['Priya', 'Marco', 'Alex', 'Megan', 'Diego', 'Lee'].map((n) => stack.user(n));
  expect(await stack.teams.sayInChannel(priya, stack.teams.channelId, 'register approvals')).toBe(200);
  expect(await stack.teams.sayInChannel(priya, stack.teams.complianceChannelId, 'register compliance')).toBe(200);
});

afterAll(async () => {
  await stack?.stop();
});

describe('receipt', () => {
  it('confirms receipt at once, with the due date', async () => {
    const chat = stack.teams.personalConversationId(lee);
    const before = stack.connector.to(chat).length;
    await stack.teams.say(lee, 'export my data');
    const intake = await waitFor('the intake card', () => stack.connector.to(chat).slice(before).find((s) => text(cardOf(s)).includes('dsr.submit')));
    const answer = await stack.teams.click(lee, 'personal', 'dsr.submit', { kind: 'export', regime: 'GDPR', services: 'entra' }, intake.activityId);
    expect(answer.body.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(text(answer.body.value)).toContain('Received');
    expect(text(answer.body.value)).toContain('{"title":"Due by","value":"2 Apr 2026"}');
    ids.lee = /DSR-2026-\d{4}/.exec(text(answer.body.value))![0];
    expect((await request(ids.lee)).dueAt).toBe('2026-04-02');
  });
});

describe('extensions on the approvers’ card', () => {
  const REASON = 'Waiting on the [IoT team](http://evil.example) for *two* services';

  it('extends a GDPR request month by month up to three months from receipt, tells the requester, and refuses more', async () => {
    ids.alex = await fileRequest(stack, alex, 'export my data', { kind: 'export', regime: 'GDPR', services: 'entra' });
    const approval = await approvalCardFor(stack, ids.alex);

    // The requester (not an approver) cannot, whatever the card data says.
    const byRequester = await stack.teams.click(alex, 'personal', 'dsr.extend', { requestId: ids.alex, reason: 'I am busy', extendMonths: '2' });
    expect(text(byRequester.body.value)).toContain('Only privacy admins');
    expect(text(byRequester.body.value)).not.toContain('AdaptiveCard');

    const noReason = await extendClick(priya, ids.alex, { extendMonths: '1' }, approval.activityId);
    expect(text(noReason.body.value)).toContain('needs a reason');
    expect((await request(ids.alex)).dueAt).toBe('2026-04-02');

    const first = await extendClick(priya, ids.alex, { reason: REASON, extendMonths: '1' }, approval.activityId);
    expect(text(first.body.value)).toContain('{"title":"Due by","value":"2 May 2026 (extended)"}');
    const once = await request(ids.alex);
    expect(once.dueAt).toBe('2026-05-02');
    expect(once.extensions).toEqual([
      { by: { aadObjectId: priya.aadObjectId, displayName: priya.displayName, locale: 'en-US' }, at: '2026-03-02T09:00:00.000Z', reason: REASON, previousDueAt: '2026-04-02', newDueAt: '2026-05-02', months: 1 },
    ]);

    // The requester is told the new date and the reason, in their own chat, the reason escaped.
    const told = await waitFor('the extension message', () => messages(stack.teams.personalConversationId(alex), `your request ${ids.alex}`, '2 May 2026')[0]);
    expect(told.activity.text).toContain(plainText(REASON));
    expect(told.activity.text).not.toContain('[IoT team](http://evil.example)');
    // The channel's card shows it; compliance hears of it by id and date.
    await waitFor('the updated approval card', () => text(currentApprovalCard(stack, approval)).includes('Extended by Priya Raman') || undefined);
    await waitFor('the compliance post', () => sent(stack.teams.complianceChannelId, (s) => text(cardOf(s)).includes(`${ids.alex} deadline extended to 2 May 2026`))[0]);

    const tooFar = await extendClick(marco, ids.alex, { reason: 'More work', extendMonths: '2' }, approval.activityId);
    expect(text(tooFar.body.value)).toContain('cannot be due later than 2 Jun 2026');
    expect((await request(ids.alex)).dueAt).toBe('2026-05-02');

    const last = await extendClick(marco, ids.alex, { reason: 'The manual step needs the vendor', extendMonths: '1' }, approval.activityId);
    expect(text(last.body.value)).toContain('2 Jun 2026 (extended)');
    const beyond = await extendClick(priya, ids.alex, { reason: 'Still more', extendMonths: '1' }, approval.activityId);
    expect(text(beyond.body.value)).toContain('extended by two months already');
    expect(text(beyond.body.value)).not.toContain('dsr.extend');
    expect((await request(ids.alex)).extensions).toHaveLength(2);

    // The audit records each extension by ids and dates, never the reason.
    const audited = (await stack.bot.audit.entries(ids.alex)).filter((e) => e.event === 'extended');
    expect(audited.map((e) => e.detail)).toEqual([
      { approver: priya.aadObjectId, previousDueAt: '2026-04-02', newDueAt: '2026-05-02', months: 1, reasonGiven: true },
      { approver: marco.aadObjectId, previousDueAt: '2026-05-02', newDueAt: '2026-06-02', months: 1, reasonGiven: true },
    ]);
  });

  it('extends a CCPA request once by 45 days and refuses a second extension', async () => {
    ids.megan = await fileRequest(stack, megan, 'I want to see my data', { kind: 'access', regime: 'CCPA', services: 'entra' });
    const approval = await approvalCardFor(stack, ids.megan);
    expect((await request(ids.megan)).dueAt).toBe('2026-04-16');
    const extended = await extendClick(priya, ids.megan, { reason: 'Large volume of records' }, approval.activityId);
    expect(text(extended.body.value)).toContain('31 May 2026 (extended)');
    expect((await request(ids.megan)).extensions).toMatchObject([{ previousDueAt: '2026-04-16', newDueAt: '2026-05-31', days: 45 }]);
    await waitFor('the extension message', () => messages(stack.teams.personalConversationId(megan), `your request ${ids.megan}`, '31 May 2026')[0]);

    const again = await extendClick(marco, ids.megan, { reason: 'Even more records' }, approval.activityId);
    expect(text(again.body.value)).toContain('CCPA allows one extension of 45 days');
    expect((await request(ids.megan)).dueAt).toBe('2026-05-31');
  });
});

describe('reminders and escalation, with two bot instances', () => {
  it('reminds approvers 7 days and 1 day before the due date and escalates once overdue, each exactly once', async () => {
    ids.diego = await fileRequest(stack, diego, 'export my data', { kind: 'export', regime: 'GDPR', services: 'entra' });
    await approvalCardFor(stack, ids.diego);
    const approvals = stack.teams.channelId;
    const compliance = stack.teams.complianceChannelId;
    const aboutDiego = (channel: string) => messages(channel, ids.diego);

    clock.time = new Date('2026-03-20T09:00:00.000Z');
    await sweptByBothInstances();
    expect(aboutDiego(approvals)).toEqual([]);

    clock.time = new Date('2026-03-26T09:00:00.000Z');
    await waitFor('the 7-day reminder', () => messages(approvals, ids.diego, 'due in 7 days')[0]);
    await sweptByBothInstances();
    await sweptByBothInstances();
    expect(messages(approvals, ids.diego, 'due in 7 days')).toHaveLength(1);

    clock.time = new Date('2026-04-01T09:00:00.000Z');
    await waitFor('the 1-day reminder', () => messages(approvals, ids.diego, 'due tomorrow')[0]);
    await sweptByBothInstances();
    await sweptByBothInstances();
    expect(messages(approvals, ids.diego, 'due tomorrow')).toHaveLength(1);

    clock.time = new Date('2026-04-03T09:00:00.000Z');
    await waitFor('the escalation', () => messages(compliance, `Overdue: ${ids.diego}`)[0]);
    await sweptByBothInstances();
    await sweptByBothInstances();
    expect(messages(compliance, `Overdue: ${ids.diego}`)).toHaveLength(1);
    expect(aboutDiego(approvals).map((s) => s.activity.text)).toEqual([
      `Reminder: ${ids.diego} (export, GDPR) is due in 7 days, 2 Apr 2026, and is still open (awaiting approval).`,
      `Reminder: ${ids.diego} (export, GDPR) is due tomorrow, 2 Apr 2026, and is still open (awaiting approval).`,
    ]);
    expect(messages(compliance, `Overdue: ${ids.diego}`)[0].activity.text).toBe(
      `Overdue: ${ids.diego} (export, GDPR) was due on 2 Apr 2026 and is still open (awaiting approval), 1 day late.`,
    );

    // Claimed on the request, audited by stage and date; extended requests are not due yet.
    expect((await request(ids.diego)).reminders?.map((r) => r.stage)).toEqual(['dueIn7Days', 'dueIn1Day', 'overdue']);
    const events = (await stack.bot.audit.entries(ids.diego)).map((e) => e.event);
    expect(events.filter((e) => e === 'reminded')).toHaveLength(2);
    expect(events.filter((e) => e === 'escalated')).toHaveLength(1);
    expect(messages(approvals, ids.alex)).toEqual([]);
    expect(messages(compliance, `Overdue: ${ids.megan}`)).toEqual([]);
  });

  it('refuses an extension once the first month is over', async () => {
    const approval = await approvalCardFor(stack, ids.diego);
    const late = await extendClick(priya, ids.diego, { reason: 'Too late now', extendMonths: '1' }, approval.activityId);
    expect(text(late.body.value)).toContain('within one month of receipt, which ended on 2 Apr 2026');
    expect((await request(ids.diego)).dueAt).toBe('2026-04-02');
  });
});

describe('commands', () => {
  it('lists the open requests to an approver, overdue first, then by due date, by id, kind and dates', async () => {
    const chat = stack.teams.personalConversationId(priya);
    const before = stack.connector.to(chat).length;
    await stack.teams.say(priya, 'queue');
    const queue = await waitFor('the queue', () => stack.connector.to(chat).slice(before).find((s) => text(cardOf(s)).includes('Open requests')));
    const rows = (cardOf(queue).body as { type: string; facts?: { title: string; value: string }[] }[]).find((b) => b.type === 'FactSet')!.facts!;
    expect(rows.map((r) => r.title)).toEqual([ids.lee, ids.diego, ids.megan, ids.alex]);
    expect(rows[1].value).toBe('export (GDPR), awaiting approval, due 2 Apr 2026: OVERDUE by 1 day');
    expect(rows[3].value).toBe('export (GDPR), awaiting approval, due 2 Jun 2026 (extended): due in 60 days');
    for (const person of [alex, megan, diego, lee]) {
      expect(text(cardOf(queue))).not.toContain(person.displayName);
      expect(text(cardOf(queue))).not.toContain(person.email);
    }
  });

  it('gives the queue in the approvals channel too, not in other channels, and refuses it to an employee', async () => {
    const repliesIn = (channel: string, from: number) => stack.connector.sent.slice(from).filter((s) => s.conversationId.startsWith(channel));
    let before = stack.connector.sent.length;
    expect(await stack.teams.sayInChannel(marco, stack.teams.channelId, 'queue')).toBe(200);
    await waitFor('the queue in the channel', () => repliesIn(stack.teams.channelId, before).find((s) => text(cardOf(s)).includes('Open requests')));
    before = stack.connector.sent.length;
    expect(await stack.teams.sayInChannel(marco, stack.teams.complianceChannelId, 'queue')).toBe(200);
    const elsewhere = await waitFor('the answer in the compliance channel', () => repliesIn(stack.teams.complianceChannelId, before)[0]);
    expect(elsewhere.activity.text).toContain('registered approvals channel');
    expect(elsewhere.activity.attachments ?? []).toEqual([]);
    const chat = stack.teams.personalConversationId(lee);
    await stack.teams.say(lee, 'queue');
    await waitFor('the refusal', () => messages(chat, 'Only privacy admins can see the queue')[0]);
    expect(stack.connector.latestCard(chat, 'Open requests')).toBeUndefined();
  });

  it('shows an employee their requests with the extended due date', async () => {
    const chat = stack.teams.personalConversationId(alex);
    const before = stack.connector.to(chat).length;
    await stack.teams.say(alex, 'status');
    const list = await waitFor('the status list', () => stack.connector.to(chat).slice(before).find((s) => text(cardOf(s)).includes('Your requests')));
    expect(text(cardOf(list))).toContain(`{"title":"${ids.alex}","value":"Export my data, awaiting approval, due 2 Jun 2026 (extended)"}`);
  });

  it('wrote no reason, name or e-mail address to the logs', () => {
    const logs = stack.logLines.join('\n');
    expect(logs).toContain(ids.diego);
    for (const secret of ['IoT team', 'Large volume', diego.email, diego.displayName, alex.email, megan.email]) expect(logs).not.toContain(secret);
  });
});

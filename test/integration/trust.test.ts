import { BotStack, startBotStack } from '../support/botStack';
import { wordsFor } from '../../src/i18n';
import { registerWording } from '../../src/storage/registerWording';
import { SandboxProbe } from '../support/sandboxProbe';
import { approvalCardFor, approveBy, cardOf, fileRequest, stateOf } from '../support/flowSteps';
import { waitFor } from '../support/waitFor';
import { startAzurite } from '../../src/sandbox/azurite';
import { TenantUser } from '../../src/sandbox/tenant';
import { registerCsv, registerRow } from '../../src/dsr';
import { parseCsv } from '../support/csv';

/**
 * Who may do what, that nothing happens twice, the limits on one person, and a storage outage
 * at the worst moment, each through the Bot Framework protocol as Teams drives it.
 */
jest.setTimeout(120_000);

let stack: BotStack;
let priya: TenantUser, marco: TenantUser, alex: TenantUser, megan: TenantUser, diego: TenantUser, lee: TenantUser, grace: TenantUser;

const text = (value: unknown) => JSON.stringify(value ?? {});
const requestsAbout = async (user: TenantUser) => (await stack.bot.store.listForPerson(user.aadObjectId)).filter((r) => r.subject.aadObjectId === user.aadObjectId);
const auditEvents = async (id: string) => (await stack.bot.audit.entries(id)).map((e) => e.event);
/** The request's `delivered_to` in the register's CSV, as `register:export` and the report write it. */
const deliveredTo = async (id: string) => {
  const [header, row] = parseCsv(registerCsv([registerRow((await stack.bot.store.get(id))!.request, { pseudonymKey: 'trust-test-key', now: new Date(0) })], registerWording(wordsFor('en'))));
  return row[header.indexOf('delivered_to')];
};

beforeAll(async () => {
  stack = await startBotStack('trust', { DSR_MAX_OPEN_REQUESTS: '2', DSR_MESSAGES_PER_MINUTE: '8', DSR_SERVICES: 'entra,botStore' });
  [priya, marco, alex, megan, diego, lee, grace] = ['Priya', 'Marco', 'Alex', 'Megan', 'Diego', 'Lee', 'Grace'].map((n) => stack.user(n));
  expect(await stack.teams.sayInChannel(priya, stack.teams.channelId, 'register approvals')).toBe(200);
});

afterAll(async () => {
  await stack?.stop();
});

describe('who may do what', () => {
  it('files an employee\'s request about themselves, whoever a copied card names', async () => {
    const answer = await stack.teams.click(alex, 'personal', 'dsr.submit', { kind: 'access', regime: 'GDPR', services: 'entra', onBehalfOf: megan.aadObjectId });
    expect(text(answer.body.value)).toContain('Only privacy admins can file a request for someone else');
    expect(await requestsAbout(megan)).toEqual([]);
    expect(await requestsAbout(alex)).toEqual([]);
  });

  it('lets an approver file for someone without Teams access: looked up in Entra, the link goes to the approver', async () => {
    const chat = stack.teams.personalConversationId(priya);
    await stack.teams.say(priya, `please export the data for ${megan.email}`);
    const intake = await waitFor('the intake card', () => stack.connector.latestCard(chat, 'On behalf of Megan Bowen'));
    const data = (cardOf(intake).actions as { data: Record<string, unknown> }[])[0].data;
    expect(data).toEqual({ kind: 'export', onBehalfOf: megan.aadObjectId });
    const answer = await stack.teams.click(priya, 'personal', 'dsr.submit', { ...data, regime: 'GDPR', services: 'entra,botStore' }, intake.activityId);
    const id = /DSR-\d{4}-\d{4}/.exec(text(answer.body.value))![0];
    const request = (await stack.bot.store.get(id))!.request;
    expect(request.subject.aadObjectId).toBe(megan.aadObjectId);
    expect(request.requester.aadObjectId).toBe(priya.aadObjectId);

    // The filing approver cannot decide it; another one can.
    const approval = await approvalCardFor(stack, id);
    const own = await stack.teams.click(priya, stack.teams.channelId, 'dsr.approve', { requestId: id }, approval.activityId);
    expect(text(own.body.value)).toContain('You filed this request');
    await stack.teams.click(marco, stack.teams.channelId, 'dsr.approve', { requestId: id }, approval.activityId);
    await waitFor('the download card in the approver\'s chat', () => stack.connector.latestCard(chat, 'Download your data'));
    expect(stack.connector.latestCard(stack.teams.personalConversationId(megan), 'Download your data')).toBeUndefined();
    // 'delivered' is audited as the link goes out; to whom is written on the request just after.
    await waitFor('the delivery recorded', async () => (await auditEvents(id)).includes('delivered') && (await deliveredTo(id)) !== '');
    expect(await deliveredTo(id)).toBe('requester');
  });

  it('tells a subject who uses Teams, in their own chat, that an approver filed a request about them, and sends the link to them', async () => {
    expect(await stack.teams.say(alex, 'help')).toBe(200);
    const subjectChat = stack.teams.personalConversationId(alex);
    const approverChat = stack.teams.personalConversationId(priya);
    const linksToApprover = stack.connector.to(approverChat).filter((s) => text(cardOf(s)).includes('Download your data')).length;
    await stack.teams.say(priya, `please export the data for ${alex.email}`);
    const intake = await waitFor('the intake card', () => stack.connector.latestCard(approverChat, 'On behalf of Alex Wilber'));
    const data = (cardOf(intake).actions as { data: Record<string, unknown> }[])[0].data;
    const answer = await stack.teams.click(priya, 'personal', 'dsr.submit', { ...data, regime: 'GDPR', services: 'entra,botStore' }, intake.activityId);
    const id = /DSR-\d{4}-\d{4}/.exec(text(answer.body.value))![0];

    const told = await waitFor('the notice to the subject', () => stack.connector.to(subjectChat).find((s) => s.activity.text?.includes(id)));
    expect(told.activity.text).toContain('Priya Raman');
    expect(told.activity.text).toContain('Export my data');

    await approveBy(stack, id, [marco]);
    await waitFor('the download card in the subject\'s chat', () => stack.connector.latestCard(subjectChat, 'Download your data'));
    await waitFor('the delivery recorded', async () => (await auditEvents(id)).includes('delivered') && (await deliveredTo(id)) !== '');
    expect(stack.connector.to(approverChat).filter((s) => text(cardOf(s)).includes('Download your data'))).toHaveLength(linksToApprover);
    expect(await deliveredTo(id)).toBe('subject');
    // The subject's notice and link went to their own chat only: no channel names them.
    for (const channel of [stack.teams.channelId, stack.teams.complianceChannelId]) {
      expect(text(stack.connector.to(channel).map((s) => s.activity))).not.toContain(alex.displayName);
    }
  });

  it('tells an approver who a request is about in their own chat, and nobody else', async () => {
    const id = await fileRequest(stack, diego, 'I want to see my data', { kind: 'access', regime: 'GDPR', services: 'entra' });
    await stack.teams.say(marco, `details ${id}`);
    const details = await waitFor('the details card', () => stack.connector.latestCard(stack.teams.personalConversationId(marco), 'For privacy admins only'));
    expect(text(cardOf(details))).toContain(diego.aadObjectId);
    await stack.teams.say(grace, `details ${id}`);
    const refused = await waitFor('the refusal', () => stack.connector.to(stack.teams.personalConversationId(grace)).find((s) => s.activity.text?.includes(`no request ${id}`)));
    expect(text(refused.activity)).not.toContain(diego.email);
  });

  it('refuses an approver retrying the failed steps of a request about themselves; another approver may', async () => {
    const id = await fileRequest(stack, priya, 'export my data', { kind: 'export', regime: 'GDPR', services: 'entra' });
    const approval = await approvalCardFor(stack, id);
    const probe = new SandboxProbe(stack.sandbox);
    await probe.inject('graph', { status: 500, count: -1, method: 'GET', pathPrefix: `/v1.0/users/${priya.aadObjectId}` });
    try {
      await stack.teams.click(marco, stack.teams.channelId, 'dsr.approve', { requestId: id }, approval.activityId);
      await waitFor('the partial failure', async () => (await stateOf(stack, id)) === 'failed_partially', 60_000);
    } finally {
      await probe.clearFaults('graph');
    }
    const own = await stack.teams.click(priya, stack.teams.channelId, 'dsr.retry', { requestId: id }, approval.activityId);
    expect(text(own.body.value)).toContain('You cannot retry a request about yourself');
    expect(await stateOf(stack, id)).toBe('failed_partially');
    expect(await auditEvents(id)).not.toContain('retried');
    await stack.teams.click(marco, stack.teams.channelId, 'dsr.retry', { requestId: id }, approval.activityId);
    await waitFor('the retried export', async () => (await stateOf(stack, id)) === 'completed', 60_000);
  });

  it('answers a request id that does not exist, and changes nothing', async () => {
    const answer = await stack.teams.click(priya, stack.teams.channelId, 'dsr.approve', { requestId: 'DSR-2026-9999' });
    expect(answer.status).toBe(200);
    expect(text(answer.body.value)).toContain('There is no request DSR-2026-9999');
    expect(await stack.bot.store.get('DSR-2026-9999')).toBeUndefined();
  });

  it('refuses an approver address lookup to an employee', async () => {
    await stack.teams.say(lee, `delete the data of ${megan.email}`);
    const reply = await waitFor('the refusal', () => stack.connector.to(stack.teams.personalConversationId(lee)).find((s) => s.activity.text?.includes('Only privacy admins')));
    expect(reply.activity.attachments ?? []).toEqual([]);
  });
});

describe('exactly one effect', () => {
  it('takes the same approval delivered twice, on two bot instances at once, once', async () => {
    const second = await stack.startAnotherBot();
    const id = await fileRequest(stack, grace, 'export my data', { kind: 'export', regime: 'GDPR', services: 'entra' });
    const approval = await approvalCardFor(stack, id);
    const answers = await Promise.all([
      stack.teams.click(priya, stack.teams.channelId, 'dsr.approve', { requestId: id }, approval.activityId),
      second.teams.click(priya, stack.teams.channelId, 'dsr.approve', { requestId: id }, approval.activityId),
      second.teams.click(marco, stack.teams.channelId, 'dsr.approve', { requestId: id }, approval.activityId),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    // Cards escape markdown, so the notice reads 'Approved\\. DSR\\-…': match the words only.
    expect(answers.filter((a) => text(a.body.value).includes('is being carried out')).length).toBe(1);
    await waitFor('completion', async () => (await stateOf(stack, id)) === 'completed');
    // The link is sent after the request is marked completed: wait for its delivery to be recorded.
    await waitFor('the delivery', async () => (await auditEvents(id)).includes('delivered'));
    const events = await auditEvents(id);
    expect(events.filter((e) => e === 'delivered')).toHaveLength(1);
    expect(events.filter((e) => e === 'approved')).toHaveLength(1);
    expect(events.filter((e) => e === 'execution started')).toHaveLength(1);
    expect(events.filter((e) => e === 'package written')).toHaveLength(1);
    const links = stack.connector.to(stack.teams.personalConversationId(grace)).filter((s) => text(cardOf(s)).includes('Download your data'));
    expect(links).toHaveLength(1);
  });

  it('points a second identical open request to the first', async () => {
    const first = await fileRequest(stack, lee, 'export my data', { kind: 'export', regime: 'GDPR', services: 'entra' });
    const again = await stack.teams.click(lee, 'personal', 'dsr.submit', { kind: 'export', regime: 'GDPR', services: 'entra' });
    expect(text(again.body.value)).toContain('You already have an open request of this kind');
    expect(text(again.body.value)).toContain(`"text":"${first}: Export my data"`);
    expect((await requestsAbout(lee)).filter((r) => r.kind === 'export')).toHaveLength(1);
  });
});

describe('limits on one person', () => {
  it('refuses a third open request politely', async () => {
    await fileRequest(stack, diego, 'export my data', { kind: 'export', regime: 'GDPR', services: 'entra' });
    // Diego has an access request open from the details test, and now an export: that is the limit of 2.
    const third = await stack.teams.click(diego, 'personal', 'dsr.submit', { kind: 'restrict', regime: 'GDPR', services: 'entra' });
    expect(text(third.body.value)).toContain('You already have 2 requests open');
    expect((await requestsAbout(diego)).map((r) => r.kind).sort()).toEqual(['access', 'export']);
  });

  it('asks someone who floods the chat to slow down, once, and keeps serving others', async () => {
    const chat = stack.teams.personalConversationId(megan);
    const before = stack.connector.to(chat).length;
    for (let i = 0; i < 12; i++) expect(await stack.teams.say(megan, 'help')).toBe(200);
    const replies = stack.connector.to(chat).slice(before);
    expect(replies.filter((s) => s.activity.text?.includes('faster than I can take them'))).toHaveLength(1);
    expect(replies.filter((s) => text(cardOf(s)).includes('dsr.start')).length).toBe(8);
    expect(await stack.teams.say(alex, 'help')).toBe(200);
    await waitFor('an answer to someone else', () => stack.connector.latestCard(stack.teams.personalConversationId(alex), 'dsr.start'));
  });
});

describe('a storage outage', () => {
  it('tells the employee to try again, leaves nothing half-written, and serves again once storage is back', async () => {
    const ports = [...stack.azurite.connectionString.matchAll(/Endpoint=http:\/\/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]));
    await stack.azurite.stop();

    const answer = await stack.teams.click(alex, 'personal', 'dsr.submit', { kind: 'rectify', regime: 'GDPR', services: 'entra', field: 'jobTitle', value: 'Lead Technician' });
    expect(answer.status).toBe(200);
    expect(text(answer.body.value)).toMatch(/try again/i);

    stack.azurite = await startAzurite({ location: `${stack.dataDir}/azurite`, blobPort: ports[0], queuePort: ports[1], tablePort: ports[2] });
    expect((await requestsAbout(alex)).filter((r) => r.kind === 'rectify')).toEqual([]);
    const id = await fileRequest(stack, alex, 'please correct my data', { kind: 'rectify', regime: 'GDPR', services: 'entra', field: 'jobTitle', value: 'Lead Technician' });
    expect(await stateOf(stack, id)).toBeDefined();
  });
});

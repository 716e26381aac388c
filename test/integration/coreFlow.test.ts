import { createHash } from 'node:crypto';
import { BotStack, startBotStack } from '../support/botStack';
import { unzip } from '../support/unzip';
import { waitFor } from '../support/waitFor';
import { contentOf } from '../support/fakeBotConnector';
import { approvalCardFor as approvalCardForRequest, cardOf, fileRequest, stateOf as stateOfRequest } from '../support/flowSteps';
import { TenantUser } from '../../src/sandbox/tenant';

jest.setTimeout(120_000);

let stack: BotStack;
let priya: TenantUser, marco: TenantUser, alex: TenantUser, megan: TenantUser, grace: TenantUser;

const file = (user: TenantUser, sentence: string, submission: Record<string, unknown>) => fileRequest(stack, user, sentence, submission);
const approvalCardFor = (id: string) => approvalCardForRequest(stack, id);
const stateOf = (id: string) => stateOfRequest(stack, id);

beforeAll(async () => {
  stack = await startBotStack('core-flow', { DSR_PURGE_GRACE_DAYS: '0' });
  [priya, marco, alex, megan, grace] = ['Priya', 'Marco', 'Alex', 'Megan', 'Grace'].map((n) => stack.user(n));
  expect(await stack.teams.sayInChannel(priya, stack.teams.channelId, 'register approvals')).toBe(200);
  expect(await stack.teams.sayInChannel(priya, stack.teams.complianceChannelId, 'register compliance')).toBe(200);
});

afterAll(async () => {
  if (process.env.DEBUG_LOGS) console.log(stack.logLines.join(""));
  await stack?.stop();
});

describe('the core flow, driven as Teams drives it', () => {
  it('answers a plain-language question with the export intake card', async () => {
    await stack.teams.say(alex, 'could I get a copy of everything you hold about me?');
    const card = await waitFor('a card', () => stack.connector.latestCard(stack.teams.personalConversationId(alex), 'dsr.submit'));
    expect(JSON.stringify(cardOf(card))).toContain('"kind":"export"');
  });

  it('exports: request in chat, approval in the channel, a link in the chat, a ZIP whose manifest hashes verify', async () => {
    const id = await file(alex, 'export my data', { kind: 'export', regime: 'GDPR', services: 'entra,botStore' });
    const approval = await approvalCardFor(id);
    expect(JSON.stringify(cardOf(approval))).toContain('1 user profile');
    // The approval card's counts include the rest of the Entra record.
    expect(JSON.stringify(cardOf(approval))).toContain('3 group memberships, 1 directory role, 1 manager, 2 app role assignments, 3 authentication methods, 1 licence');

    const decided = await stack.teams.click(priya, stack.teams.channelId, 'dsr.approve', { requestId: id }, approval.activityId);
    expect(JSON.stringify(decided.body.value)).toContain('Approved');

    const chat = stack.teams.personalConversationId(alex);
    const ready = await waitFor('the download card', () => stack.connector.latestCard(chat, 'Download your data'));
    const url = (cardOf(ready).actions as { url: string }[])[0].url;
    const zip = Buffer.from(await (await fetch(url)).arrayBuffer());
    const files = await unzip(zip);
    const manifest = JSON.parse(files.get('manifest.json')!.toString()) as { requestId: string; files: { path: string; sha256: string }[] };
    expect(manifest.requestId).toBe(id);
    expect(manifest.files.map((f) => f.path).sort()).toEqual([
      'README.html', 'dsr-bot/requests.json', 'entra/app-role-assignments.json', 'entra/authentication-methods.json',
      'entra/licenses.json', 'entra/manager-and-reports.json', 'entra/memberships.json', 'entra/profile.json', 'entra/sign-in-activity.json',
    ]);
    expect(JSON.parse(files.get('entra/memberships.json')!.toString())).toHaveLength(4);
    // The package README explains each file of the Entra record.
    expect(files.get('README.html')!.toString()).toContain('entra/authentication-methods.json</code>');
    expect(files.get('README.html')!.toString()).toContain('phone numbers and e-mail addresses registered for your sign-in');
    // What Graph gives no application, said rather than left out silently.
    expect(files.get('README.html')!.toString()).toContain('The devices you own or registered in Entra ID are not included');
    for (const entry of manifest.files) expect(createHash('sha256').update(files.get(entry.path)!).digest('hex')).toBe(entry.sha256);
    expect(JSON.parse(files.get('entra/profile.json')!.toString()).userPrincipalName).toBe(alex.upn);
    expect(await stateOf(id)).toBe('completed');
    expect(stack.connector.to(chat).some((s) => s.activity.text?.includes(`Your request ${id} was approved`))).toBe(true);

    // The approvers' card was replaced in place with the run's progress, then its outcome; the
    // approval's own refresh is left to the run, which makes it moments later.
    const updates = stack.connector.to(stack.teams.channelId).filter((s) => s.kind === 'update' && s.activityId === approval.activityId);
    expect(updates.map((u) => /Being carried out|Completed/.exec(JSON.stringify(cardOf(u)))?.[0])).toEqual(['Being carried out', 'Completed']);
  });

  it('erases after two distinct approvers, soft-deletes the account, sends a receipt, then purges', async () => {
    const id = await file(megan, 'delete my data', { kind: 'erase', regime: 'CCPA', services: 'entra,botStore' });
    const approval = await approvalCardFor(id);

    const first = await stack.teams.click(priya, stack.teams.channelId, 'dsr.approve', { requestId: id }, approval.activityId);
    expect(JSON.stringify(first.body.value)).toContain('needs 1 more');
    const again = await stack.teams.click(priya, stack.teams.channelId, 'dsr.approve', { requestId: id }, approval.activityId);
    expect(JSON.stringify(again.body.value)).toContain('already approved');
    expect(await stateOf(id)).toBe('awaiting_approval');

    await stack.teams.click(marco, stack.teams.channelId, 'dsr.approve', { requestId: id }, approval.activityId);
    await waitFor('the erasure', async () => (await stateOf(id)) === 'soft_deleted');
    const receipt = await waitFor('the receipt', () => stack.connector.latestCard(stack.teams.personalConversationId(megan), 'Erasure receipt'));
    expect(contentOf(receipt)).toContain('soft-deleted');

    const user = await fetch(`${stack.sandbox.graph}/v1.0/users/${megan.aadObjectId}`, { headers: { authorization: 'Bearer t' } });
    expect(user.status).toBe(404);
    expect((await fetch(`${stack.sandbox.graph}/v1.0/directory/deletedItems/${megan.aadObjectId}`, { headers: { authorization: 'Bearer t' } })).status).toBe(200);

    expect(await stack.bot.executor.enqueueDuePurges()).toBeGreaterThanOrEqual(1);
    await waitFor('the purge', async () => (await stateOf(id)) === 'purged');
    expect((await fetch(`${stack.sandbox.graph}/v1.0/directory/deletedItems/${megan.aadObjectId}`, { headers: { authorization: 'Bearer t' } })).status).toBe(404);
  });

  it('refuses a non-approver who sends an Approve with a copied card payload, and changes nothing', async () => {
    const id = await file(grace, 'I want to see my data', { kind: 'access', regime: 'GDPR', services: 'entra' });
    const approval = await approvalCardFor(id);
    const answer = await stack.teams.click(alex, stack.teams.channelId, 'dsr.approve', { requestId: id }, approval.activityId);
    // Someone who may not see the request learns nothing of it, not even that it exists (src/dsr/model/readAccess.ts).
    expect(answer.body.value).toBe(`There is no request ${id} I can show you.`);
    expect(await stateOf(id)).toBe('awaiting_approval');
  });

  it('refuses an approver deciding a request about themselves', async () => {
    const id = await file(priya, 'export my data', { kind: 'export', regime: 'GDPR', services: 'entra' });
    const approval = await approvalCardFor(id);
    const answer = await stack.teams.click(priya, stack.teams.channelId, 'dsr.approve', { requestId: id }, approval.activityId);
    expect(JSON.stringify(answer.body.value)).toContain('about yourself');
    expect(await stateOf(id)).toBe('awaiting_approval');
  });

  it('refuses a non-approver registering a channel', async () => {
    const before = stack.connector.sent.length;
    await stack.teams.sayInChannel(alex, '19:elsewhere@thread.tacv2', 'register approvals');
    const reply = await waitFor('the refusal', () => stack.connector.sent.slice(before).find((s) => s.conversationId.startsWith('19:elsewhere')));
    expect(reply.activity.text).toContain('Only privacy admins');
  });

  it('tells the requester a rejection with its reason, and asks for a reason first', async () => {
    const id = await file(alex, 'please correct my data', { kind: 'rectify', regime: 'GDPR', services: 'entra', field: 'jobTitle', value: 'Senior Technician' });
    const approval = await approvalCardFor(id);
    const noReason = await stack.teams.click(marco, stack.teams.channelId, 'dsr.reject', { requestId: id }, approval.activityId);
    expect(JSON.stringify(noReason.body.value)).toContain('needs a reason');
    await stack.teams.click(marco, stack.teams.channelId, 'dsr.reject', { requestId: id, reason: 'Job titles are set by HR' }, approval.activityId);
    expect(await stateOf(id)).toBe('rejected');
    await waitFor('the rejection message', () => stack.connector.to(stack.teams.personalConversationId(alex)).find((s) => s.activity.text?.includes('Job titles are set by HR')));
  });

  it('answers status, cancel and anything unknown in the chat', async () => {
    const chat = stack.teams.personalConversationId(grace);
    await stack.teams.say(grace, 'status');
    await waitFor('the list', () => stack.connector.latestCard(chat, 'Your requests'));
    const open = (await stack.bot.store.listForPerson(grace.aadObjectId)).find((r) => r.state === 'awaiting_approval')!;
    await stack.teams.say(grace, `cancel ${open.id}`);
    await waitFor('the cancellation', () => stack.connector.to(chat).find((s) => s.activity.text?.includes(`${open.id} is cancelled`)));
    expect(await stateOf(open.id)).toBe('cancelled');
    await stack.teams.say(grace, 'what is the weather like?');
    await waitFor('the friendly fallback', () => stack.connector.to(chat).find((s) => s.activity.text?.includes("I didn't catch that")));
  });

  it('delivers to the requester after a restart, through the stored conversation reference', async () => {
    const diego = stack.user('Diego');
    const id = await file(diego, 'export my data', { kind: 'export', regime: 'CCPA', services: 'entra' });
    const approval = await approvalCardFor(id);
    await stack.restartBot();
    await stack.teams.click(marco, stack.teams.channelId, 'dsr.approve', { requestId: id }, approval.activityId);
    await waitFor('the download card after the restart', () => stack.connector.latestCard(stack.teams.personalConversationId(diego), `Your data is ready: ${id}`));
    expect(await stateOf(id)).toBe('completed');
  });

  it('keeps personal data out of channel posts and log lines', async () => {
    const subjects = [alex, megan, grace];
    const personalValues = (users: TenantUser[]) => users.flatMap((u) => [u.displayName, u.email, u.upn, u.aadObjectId, u.mobilePhone]);
    const channelPosts = stack.connector.sent.filter((s) => s.conversationId.startsWith('19:')).map(contentOf).join('\n');
    const compliancePosts = stack.connector.to(stack.teams.complianceChannelId).map(contentOf).join('\n');
    expect(compliancePosts).toContain('opened');
    for (const value of personalValues(subjects)) expect(channelPosts).not.toContain(value);
    for (const value of personalValues(stack.tenant.users)) expect(compliancePosts).not.toContain(value);
    const logs = stack.logLines.join('\n');
    expect(logs).toContain('request created');
    for (const value of personalValues(stack.tenant.users)) expect(logs.toLowerCase()).not.toContain(value.toLowerCase());
  });
});

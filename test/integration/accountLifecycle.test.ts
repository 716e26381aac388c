import { BotStack, startBotStack } from '../support/botStack';
import { contentOf } from '../support/fakeBotConnector';
import { approvalCardFor, approveBy, cardOf, currentApprovalCard, fileRequest, stateOf } from '../support/flowSteps';
import { waitFor } from '../support/waitFor';
import { TenantUser } from '../../src/sandbox/tenant';

/** Restrict and lift, restore and purge now: an account's life after its request, driven as Teams drives it. */
jest.setTimeout(120_000);

let stack: BotStack;
let priya: TenantUser, priyaAdmin: TenantUser, marco: TenantUser, desk: TenantUser, alex: TenantUser, megan: TenantUser, diego: TenantUser, grace: TenantUser;

const BEARER = { authorization: 'Bearer t' };
const DPS_API = 'api-version=2021-10-01';

async function graphUser(id: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${stack.sandbox.graph}/v1.0/users/${id}?$select=accountEnabled,signInSessionsValidFromDateTime`, { headers: BEARER });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function enrollment(id: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${stack.sandbox.dps}/enrollments/${id}?${DPS_API}`, { headers: BEARER });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The role assignments of `principalId` anywhere in the sandbox subscription, as ARM lists them (every page): id → role definition. */
async function roleAssignmentsOf(principalId: string): Promise<Record<string, string>> {
  const held: Record<string, string> = {};
  let next: string | undefined = `${stack.sandbox.arm}/subscriptions/${stack.tenant.azure.subscriptionId}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter=${encodeURIComponent(`principalId eq '${principalId}'`)}`;
  while (next) {
    const response = await fetch(next, { headers: BEARER });
    expect(response.status).toBe(200);
    const page = (await response.json()) as { value: { id: string; properties: { roleDefinitionId: string } }[]; nextLink?: string };
    for (const assignment of page.value) held[assignment.id] = assignment.properties.roleDefinitionId;
    next = page.nextLink;
  }
  return held;
}

const click = async (who: TenantUser, verb: string, id: string, cardId: string) => {
  const answer = await stack.teams.click(who, stack.teams.channelId, verb, { requestId: id }, cardId);
  expect(answer.status).toBe(200);
  return JSON.stringify(answer.body.value);
};

const compliancePosts = (id: string) => stack.connector.to(stack.teams.complianceChannelId).map(contentOf).filter((text) => text.includes(id));

beforeAll(async () => {
  stack = await startBotStack('account-lifecycle');
  [priya, marco, desk, alex, megan, diego, grace] = ['Priya Raman', 'Marco', 'Privacy Desk', 'Alex', 'Megan', 'Diego', 'Grace'].map((n) => stack.user(n));
  priyaAdmin = stack.tenant.users.find((u) => u.displayName === 'Priya Raman (admin account)')!;
  expect(await stack.teams.sayInChannel(priya, stack.teams.channelId, 'register approvals')).toBe(200);
  expect(await stack.teams.sayInChannel(priya, stack.teams.complianceChannelId, 'register compliance')).toBe(200);
});

afterAll(async () => {
  await stack?.stop();
});

describe('restrict, then lift, end to end', () => {
  let id: string;
  let cardId: string;
  let assignmentsBefore: Record<string, string>;

  it('restricts: sign-in blocked, sessions revoked, the subject\'s DPS enrollments disabled and role assignments removed, a receipt in the chat', async () => {
    assignmentsBefore = await roleAssignmentsOf(megan.aadObjectId);
    expect(Object.keys(assignmentsBefore)).toHaveLength(3);
    // An admin disabled Megan's tracker before any request: lifting must leave it disabled.
    const tracker = await enrollment('reg-tracker-megan');
    const disabled = await fetch(`${stack.sandbox.dps}/enrollments/reg-tracker-megan?${DPS_API}`, {
      method: 'PUT', headers: { ...BEARER, 'content-type': 'application/json' }, body: JSON.stringify({ ...tracker.body, provisioningStatus: 'disabled' }),
    });
    expect(disabled.status).toBe(200);

    id = await fileRequest(stack, megan, 'restrict my data', { kind: 'restrict', regime: 'GDPR', services: 'entra,dps,roleAssignments' });
    cardId = (await approveBy(stack, id, [priya])).activityId;
    // Megan's tracker sits in a hub the bot does not reach: an approver confirms that step by hand.
    await waitFor('the automated steps', async () => (await stateOf(stack, id)) === 'awaiting_manual_steps');
    const step = await stack.teams.click(priya, stack.teams.channelId, 'dsr.manual', { requestId: id, step: 'dps.uncoveredHub.contoso-lab-hub.azure-devices.net', outcome: 'done' }, cardId);
    expect(step.status).toBe(200);
    await waitFor('the restriction', async () => (await stateOf(stack, id)) === 'completed');

    const user = await graphUser(megan.aadObjectId);
    expect(user.body).toMatchObject({ accountEnabled: false, signInSessionsValidFromDateTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect((await enrollment('reg-wearable-megan-01')).body.provisioningStatus).toBe('disabled');
    expect((await enrollment('reg-tracker-megan')).body.provisioningStatus).toBe('disabled');
    expect(await roleAssignmentsOf(megan.aadObjectId)).toEqual({});
    const receipt = await waitFor('the receipt', () => stack.connector.latestCard(stack.teams.personalConversationId(megan), 'Restriction receipt'));
    expect(contentOf(receipt)).toContain('sign-in blocked and sign-in sessions revoked');
    expect(contentOf(receipt)).toContain('disabled 1 individual enrollment of the plan');
    expect(JSON.stringify(currentApprovalCard(stack, await approvalCardFor(stack, id)))).toContain('dsr.lift');
  });

  it('lifts only with two distinct approvers, never the subject, putting back exactly what the restriction changed', async () => {
    expect(await click(priya, 'dsr.lift', id, cardId)).toContain('needs 1 more');
    expect(await click(priya, 'dsr.lift', id, cardId)).toContain('already approved');
    expect(await click(priyaAdmin, 'dsr.lift', id, cardId)).toContain('Another of your accounts has already approved');
    expect(await click(megan, 'dsr.lift', id, cardId)).toContain('Only privacy admins');
    expect((await graphUser(megan.aadObjectId)).body.accountEnabled).toBe(false);
    expect(JSON.stringify(currentApprovalCard(stack, await approvalCardFor(stack, id)))).toContain('1 of 2 approvals');

    expect(await click(marco, 'dsr.lift', id, cardId)).toContain('being lifted');
    await waitFor('the lift', async () => (await stateOf(stack, id)) === 'restriction_lifted');

    const user = await graphUser(megan.aadObjectId);
    expect(user.body.accountEnabled).toBe(true);
    expect(user.body.signInSessionsValidFromDateTime).toEqual(expect.stringMatching(/^\d{4}-/));
    expect((await enrollment('reg-wearable-megan-01')).body.provisioningStatus).toBe('enabled');
    expect((await enrollment('reg-tracker-megan')).body.provisioningStatus).toBe('disabled');
    // Each role assignment is back under its own id, with its own role.
    expect(await roleAssignmentsOf(megan.aadObjectId)).toEqual(assignmentsBefore);
    const request = (await stack.bot.store.get(id))!.request;
    expect(request.lift?.steps).toMatchObject({ entra: { status: 'done', count: 1 }, dps: { status: 'done', count: 1 }, roleAssignments: { status: 'done', count: 3 } });
    await waitFor('the requester told', () => stack.connector.to(stack.teams.personalConversationId(megan)).find((s) => s.activity.text?.includes(`restriction of your request ${id} was lifted`)));
    const posts = await waitFor('the compliance post', () => compliancePosts(id).find((text) => text.includes('restriction lifted')));
    expect(posts).not.toContain(megan.displayName);
    expect(posts).not.toContain(megan.aadObjectId);
    expect(await click(marco, 'dsr.lift', id, cardId)).toContain('Only a completed restriction can be lifted');
  });
});

describe('restore and purge now of a soft-deleted account', () => {
  it('restores the Entra account for an approver only, before the purge; what other services erased stays erased', async () => {
    const id = await fileRequest(stack, alex, 'delete my data', { kind: 'erase', regime: 'GDPR', services: 'entra,dps' });
    const cardId = (await approveBy(stack, id, [priya, marco])).activityId;
    await waitFor('the erasure', async () => (await stateOf(stack, id)) === 'soft_deleted');
    const receipt = await waitFor('the receipt', () => stack.connector.latestCard(stack.teams.personalConversationId(alex), 'Erasure receipt'));
    expect(contentOf(receipt)).toContain('restorable for 14 days, until the purge');
    expect(contentOf(receipt)).toContain('A restore brings back the Entra account only');
    expect(JSON.stringify(currentApprovalCard(stack, await approvalCardFor(stack, id)))).toContain('Restorable until');

    expect(await click(alex, 'dsr.restore', id, cardId)).toContain('Only privacy admins');
    expect(await click(grace, 'dsr.restore', id, cardId)).toBe(JSON.stringify(`There is no request ${id} I can show you.`));
    expect((await graphUser(alex.aadObjectId)).status).toBe(404);

    expect(await click(priya, 'dsr.restore', id, cardId)).toContain('Restored');
    const restored = (await stack.bot.store.get(id))!.request;
    expect(restored).toMatchObject({ state: 'account_restored', restored: { by: { aadObjectId: priya.aadObjectId } } });
    expect(restored.purgeAt).toBeUndefined();
    expect((await graphUser(alex.aadObjectId)).status).toBe(200);
    expect((await enrollment('reg-wearable-alex-01')).status).toBe(404);

    // A purge job that still comes (queued before the restore) leaves the restored account alone.
    await stack.bot.executor.purge(id);
    expect(await stateOf(stack, id)).toBe('account_restored');
    expect((await graphUser(alex.aadObjectId)).status).toBe(200);
    await waitFor('the requester told', () => stack.connector.to(stack.teams.personalConversationId(alex)).find((s) => s.activity.text?.includes('Only the Entra account came back')));
    const post = await waitFor('the compliance post', () => compliancePosts(id).find((text) => text.includes('restored before the purge')));
    expect(post).not.toContain(alex.displayName);
    expect(post).not.toContain(alex.aadObjectId);
  });

  it('purges at once only on two distinct people\'s approvals, after which nothing can be restored', async () => {
    const id = await fileRequest(stack, diego, 'delete my data', { kind: 'erase', regime: 'GDPR', services: 'entra' });
    const cardId = (await approveBy(stack, id, [priya, marco])).activityId;
    await waitFor('the erasure', async () => (await stateOf(stack, id)) === 'soft_deleted');
    const deleted = () => fetch(`${stack.sandbox.graph}/v1.0/directory/deletedItems/${diego.aadObjectId}`, { headers: BEARER });

    expect(await click(priya, 'dsr.purgeNow', id, cardId)).toContain('needs 1 more');
    expect(await click(priyaAdmin, 'dsr.purgeNow', id, cardId)).toContain('Another of your accounts has already approved');
    expect(await click(desk, 'dsr.purgeNow', id, cardId)).toContain('no person key');
    expect(await click(diego, 'dsr.purgeNow', id, cardId)).toContain('Only privacy admins');
    expect(await stateOf(stack, id)).toBe('soft_deleted');
    expect((await deleted()).status).toBe(200);
    expect(JSON.stringify(cardOf(stack.connector.to(stack.teams.channelId).filter((s) => s.activityId === cardId).at(-1)!))).toContain('Purge now');

    expect(await click(marco, 'dsr.purgeNow', id, cardId)).toContain('being purged for good now');
    await waitFor('the purge', async () => (await stateOf(stack, id)) === 'purged');
    expect((await deleted()).status).toBe(404);
    expect(await click(priya, 'dsr.restore', id, cardId)).toContain('waiting for its purge');
  });
});

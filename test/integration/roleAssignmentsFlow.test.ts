import { BotStack, startBotStack } from '../support/botStack';
import { approveBy, approvalCardFor, cardOf, fileRequest, stateOf } from '../support/flowSteps';
import { SandboxProbe } from '../support/sandboxProbe';
import { waitFor } from '../support/waitFor';
import { TenantUser, loadTenant } from '../../src/sandbox/tenant';

/**
 * Azure role assignments end to end: the bot, the sandbox ARM in the sandbox services' own
 * process, and @azure/arm-authorization between them.
 */
jest.setTimeout(120_000);

const ASSIGNMENTS = '/providers/Microsoft.Authorization/roleAssignments';
let stack: BotStack;
let probe: SandboxProbe;
let priya: TenantUser, marco: TenantUser, alex: TenantUser;

beforeAll(async () => {
  stack = await startBotStack('role-assignments-flow');
  probe = new SandboxProbe(stack.sandbox);
  [priya, marco, alex] = ['Priya', 'Marco', 'Alex'].map((n) => stack.user(n));
  expect(await stack.teams.sayInChannel(priya, stack.teams.channelId, 'register approvals')).toBe(200);
});

afterAll(async () => {
  await stack?.stop();
});

/** Every assignment in the subscription, as the sandbox ARM lists it now (following nextLink). */
async function allAssignments(from = probe, on = stack): Promise<{ id: string; properties: { principalId: string; scope: string } }[]> {
  const found: { id: string; properties: { principalId: string; scope: string } }[] = [];
  for (let next: string | undefined = `/subscriptions/${on.tenant.azure.subscriptionId}${ASSIGNMENTS}`; next;) {
    const page = await from.get('arm', next);
    expect(page.status).toBe(200);
    const body = page.body as { value: typeof found; nextLink?: string };
    found.push(...body.value);
    next = body.nextLink;
  }
  return found;
}

describe('an erasure of Azure role assignments', () => {
  it("approved by two admins removes the subject's assignments at every scope, and leaves everyone else's and the bot's", async () => {
    const { botPrincipalId, resources, subscriptionId, resourceGroup } = stack.tenant.azure;
    const before = await allAssignments();
    const alexs = before.filter((a) => a.properties.principalId === alex.aadObjectId);
    const subscription = `/subscriptions/${subscriptionId}`;
    expect(alexs.map((a) => a.properties.scope).sort()).toEqual(
      [resources.digitalTwins, resources.iotHub, resources.dps, resources.iotCentral, `${subscription}/resourceGroups/${resourceGroup}`, subscription].sort(),
    );

    const id = await fileRequest(stack, alex, 'delete my data', { kind: 'erase', regime: 'GDPR', services: 'roleAssignments,botStore' });
    const card = JSON.stringify(cardOf(await approvalCardFor(stack, id)));
    expect(card).toContain('Azure role assignments');
    expect(card).toContain('6 Azure role assignments');
    for (const value of [alex.aadObjectId, ...alexs.map((a) => a.id)]) expect(card).not.toContain(value);

    await approveBy(stack, id, [priya, marco]);
    await waitFor('the completed erasure', async () => (await stateOf(stack, id)) === 'completed', 60_000);

    const request = (await stack.bot.store.get(id))!.request;
    expect(request.steps.roleAssignments).toMatchObject({ status: 'done' });
    const after = await allAssignments();
    expect(after.filter((a) => a.properties.principalId === alex.aadObjectId)).toEqual([]);
    const others = (list: typeof before) => list.filter((a) => a.properties.principalId !== alex.aadObjectId).map((a) => a.id).sort();
    expect(others(after)).toEqual(others(before));
    expect(after.filter((a) => a.properties.principalId === botPrincipalId)).toHaveLength(2);
  });
});

describe('an erasure where the subject holds assignments above the bot\'s scopes', () => {
  let narrow: BotStack;
  let narrowProbe: SandboxProbe;

  beforeAll(async () => {
    const { resources } = loadTenant().azure;
    // Only the four IoT resources: Alex's resource-group and subscription Readers lie above them.
    const scopes = [resources.digitalTwins, resources.iotHub, resources.dps, resources.iotCentral].join(',');
    narrow = await startBotStack('role-assignments-above', { DSR_ROLE_ASSIGNMENT_SCOPES: scopes });
    narrowProbe = new SandboxProbe(narrow.sandbox);
    expect(await narrow.teams.sayInChannel(priya, narrow.teams.channelId, 'register approvals')).toBe(200);
  });

  afterAll(async () => {
    await narrow?.stop();
  });

  it('waits for an approver to remove those by hand, and never touches them itself', async () => {
    const { subscriptionId, resourceGroup } = narrow.tenant.azure;
    const subscription = `/subscriptions/${subscriptionId}`;
    const aboveScopes = [subscription, `${subscription}/resourceGroups/${resourceGroup}`];
    const alexsAbove = async () => (await allAssignments(narrowProbe, narrow)).filter((a) => a.properties.principalId === alex.aadObjectId && aboveScopes.includes(a.properties.scope));
    const before = await alexsAbove();
    expect(before).toHaveLength(2);

    const id = await fileRequest(narrow, alex, 'delete my data', { kind: 'erase', regime: 'GDPR', services: 'roleAssignments,botStore' });
    const card = JSON.stringify(cardOf(await approvalCardFor(narrow, id)));
    expect(card).toContain("6 Azure role assignments, 2 of them above the bot's scopes, to remove by hand");
    expect(card).toContain("Remove 2 Azure role assignments above the bot's scopes");
    for (const value of [alex.aadObjectId, alex.displayName, alex.email, ...before.map((a) => a.id)]) expect(card).not.toContain(value);

    const cardId = (await approveBy(narrow, id, [priya, marco])).activityId;
    await waitFor('the automated steps', async () => (await stateOf(narrow, id)) === 'awaiting_manual_steps', 60_000);
    expect((await narrow.bot.store.get(id))!.request.steps.roleAssignments).toMatchObject({ status: 'done', count: 4 });
    expect(await alexsAbove()).toEqual(before);

    const step = await narrow.teams.click(marco, narrow.teams.channelId, 'dsr.manual', { requestId: id, step: 'roleAssignments.aboveScopes', outcome: 'done' }, cardId);
    expect(step.status).toBe(200);
    await waitFor('the completed erasure', async () => (await stateOf(narrow, id)) === 'completed', 60_000);
    // The bot removed the four within its scopes and left the two above exactly as they were.
    const left = (await allAssignments(narrowProbe, narrow)).filter((a) => a.properties.principalId === alex.aadObjectId);
    expect(left.map((a) => a.id).sort()).toEqual(before.map((a) => a.id).sort());
  });
});

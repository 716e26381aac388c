import { BotStack, startBotStack } from '../support/botStack';
import { approveBy, approvalCardFor, cardOf, fileRequest, stateOf } from '../support/flowSteps';
import { SandboxProbe } from '../support/sandboxProbe';
import { waitFor } from '../support/waitFor';
import { TenantUser } from '../../src/sandbox/tenant';

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
async function allAssignments(): Promise<{ id: string; properties: { principalId: string; scope: string } }[]> {
  const found: { id: string; properties: { principalId: string; scope: string } }[] = [];
  for (let next: string | undefined = `/subscriptions/${stack.tenant.azure.subscriptionId}${ASSIGNMENTS}`; next;) {
    const page = await probe.get('arm', next);
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

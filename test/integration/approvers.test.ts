import { BotStack, startBotStack } from '../support/botStack';
import { approvalCardFor, currentApprovalCard, fileRequest, stateOf } from '../support/flowSteps';
import { waitFor } from '../support/waitFor';
import { TenantUser } from '../../src/sandbox/tenant';

/**
 * An erasure's two approvals come from two people who are approvers when the second one lands,
 * through the Bot Framework protocol as Teams drives it and the sandbox Graph as Entra answers.
 */
jest.setTimeout(120_000);

let stack: BotStack;
let priya: TenantUser, priyaAdmin: TenantUser, desk: TenantUser, marco: TenantUser, alex: TenantUser, megan: TenantUser;

const text = (value: unknown) => JSON.stringify(value ?? {});
/** What a person reads in a card: its text with the markdown escapes taken out. */
const readable = (value: unknown) => text(value).replace(/\\\\/g, '');
const auditEvents = async (id: string) => (await stack.bot.audit.entries(id)).map((e) => e.event);
const approvalsFact = (card: Record<string, unknown>) => /"title":"Approvals","value":"([^"]+)"/.exec(text(card))?.[1];

/** Changes the approvers group the way an Entra admin does, through Graph's member references. */
async function groupMembership(change: 'add' | 'remove', user: TenantUser): Promise<void> {
  const group = `${stack.sandbox.graph}/v1.0/groups/${stack.tenant.approverGroup.id}/members`;
  const response = change === 'remove'
    ? await fetch(`${group}/${user.aadObjectId}/$ref`, { method: 'DELETE', headers: { authorization: 'Bearer t' } })
    : await fetch(`${group}/$ref`, {
      method: 'POST',
      headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
      body: JSON.stringify({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${user.aadObjectId}` }),
    });
  expect(response.status).toBe(204);
}

async function approve(approver: TenantUser, id: string, cardActivityId: string) {
  const answer = await stack.teams.click(approver, stack.teams.channelId, 'dsr.approve', { requestId: id }, cardActivityId);
  expect(answer.status).toBe(200);
  return readable(answer.body.value);
}

beforeAll(async () => {
  stack = await startBotStack('approvers', { DSR_SERVICES: 'entra,botStore', DSR_MESSAGES_PER_MINUTE: '10000', DSR_INVOKES_PER_MINUTE: '10000' });
  [priya, marco, alex, megan, desk] = ['Priya', 'Marco', 'Alex', 'Megan', 'Privacy Desk'].map((n) => stack.user(n));
  priyaAdmin = stack.tenant.users.find((u) => u.upn === 'adm-priya.raman@contoso.test')!;
  expect(priyaAdmin.employeeId).toBe(priya.employeeId);
  expect(await stack.teams.sayInChannel(priya, stack.teams.channelId, 'register approvals')).toBe(200);
});

afterAll(async () => {
  await stack?.stop();
});

it('counts one person once: Priya approving an erasure from her second account is refused, and it waits for another privacy admin', async () => {
  const id = await fileRequest(stack, alex, 'delete my data', { kind: 'erase', regime: 'GDPR', services: 'entra,botStore' });
  const card = await approvalCardFor(stack, id);

  expect(await approve(priya, id, card.activityId)).toContain('Approval recorded');
  const second = await approve(priyaAdmin, id, card.activityId);
  expect(second).toContain('Another of your accounts has already approved this erasure');
  expect(await stateOf(stack, id)).toBe('awaiting_approval');
  expect((await stack.bot.store.get(id))!.request.decisions.map((d) => d.by.aadObjectId)).toEqual([priya.aadObjectId]);

  // A shared account in the approvers group names no person, so it cannot make up the second approval.
  expect(await approve(desk, id, card.activityId)).toContain('no person key');
  expect(await stateOf(stack, id)).toBe('awaiting_approval');

  expect(await approve(marco, id, card.activityId)).toContain(`Approved. ${id} is being carried out.`);
  await waitFor('the erasure to run', async () => ((await stateOf(stack, id)) === 'soft_deleted' ? true : undefined));
});

it('re-checks an earlier approver when the last approval arrives: one removed from the group no longer counts', async () => {
  const id = await fileRequest(stack, megan, 'delete my data', { kind: 'erase', regime: 'GDPR', services: 'entra,botStore' });
  const card = await approvalCardFor(stack, id);
  expect(await approve(marco, id, card.activityId)).toContain('Approval recorded');

  await groupMembership('remove', marco);
  try {
    const completing = await approve(priya, id, card.activityId);
    expect(completing).toContain('1 earlier approval no longer counts');
    expect(completing).toContain('needs 1 more privacy admin');
    expect(await stateOf(stack, id)).toBe('awaiting_approval');
    expect(await auditEvents(id)).toContain('approval voided');
    await waitFor('the channel card to show one valid approval', () => (approvalsFact(currentApprovalCard(stack, card)) === '1 of 2' ? true : undefined));

    // Not her second account either: a valid approval from another person is what it needs.
    expect(await approve(priyaAdmin, id, card.activityId)).toContain('Another of your accounts');
    expect(await stateOf(stack, id)).toBe('awaiting_approval');
  } finally {
    await groupMembership('add', marco);
  }
  expect(await approve(marco, id, card.activityId)).toContain(`Approved. ${id} is being carried out.`);
  await waitFor('the erasure to run', async () => ((await stateOf(stack, id)) === 'soft_deleted' ? true : undefined));
});

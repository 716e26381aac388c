import { BotStack, startBotStack } from '../support/botStack';
import { approvalCardFor, fileRequest, stateOf } from '../support/flowSteps';
import { waitFor } from '../support/waitFor';
import { TenantUser } from '../../src/sandbox/tenant';

jest.setTimeout(120_000);

let stack: BotStack;
let priya: TenantUser, diego: TenantUser;
const AUTH = { authorization: 'Bearer t' };
/** Diego's desk: its link property will hold his e-mail address, as DSR_DIGITAL_TWINS_LINK_HOLDS=email says. */
const DESK = 'desk-milan-0-12';

async function deskOwner(): Promise<unknown> {
  const response = await fetch(`${stack.sandbox.digitalTwins}/digitaltwins/${DESK}?api-version=2023-10-31`, { headers: AUTH });
  expect(response.status).toBe(200);
  return ((await response.json()) as { ownerId?: unknown }).ownerId;
}

async function diegosMail(): Promise<unknown> {
  const response = await fetch(`${stack.sandbox.graph}/v1.0/users/${diego.aadObjectId}?$select=mail`, { headers: AUTH });
  return ((await response.json()) as { mail?: unknown }).mail;
}

beforeAll(async () => {
  stack = await startBotStack('rectify-flow', { DSR_DIGITAL_TWINS_LINK_HOLDS: 'email' });
  [priya, diego] = ['Priya', 'Diego'].map((n) => stack.user(n));
  expect(await stack.teams.sayInChannel(priya, stack.teams.channelId, 'register approvals')).toBe(200);
  const linked = await fetch(`${stack.sandbox.digitalTwins}/digitaltwins/${DESK}?api-version=2023-10-31`, {
    method: 'PATCH',
    headers: { ...AUTH, 'content-type': 'application/json-patch+json' },
    body: JSON.stringify([{ op: 'replace', path: '/ownerId', value: diego.email }]),
  });
  expect(linked.status).toBe(204);
});

afterAll(async () => {
  await stack?.stop();
});

describe('correcting an e-mail address that a Digital Twins link holds', () => {
  it('answers a bad value in the chat and files nothing', async () => {
    const chat = stack.teams.personalConversationId(diego);
    expect(await stack.teams.say(diego, 'please correct my data')).toBe(200);
    const intake = await waitFor('the intake card', () => stack.connector.to(chat).find((s) => JSON.stringify(s.activity).includes('dsr.submit')));

    const answer = await stack.teams.click(diego, 'personal', 'dsr.submit',
      { kind: 'rectify', regime: 'GDPR', services: 'entra,digitalTwins', field: 'mail', value: 'diego at contoso' }, intake.activityId);
    const upn = await stack.teams.click(diego, 'personal', 'dsr.submit',
      { kind: 'rectify', regime: 'GDPR', services: 'entra', field: 'userPrincipalName', value: 'diego@fabrikam.test' }, intake.activityId);

    expect(JSON.stringify(answer.body)).toContain('not an e-mail address');
    expect(JSON.stringify(upn.body)).toContain('has to end in @contoso.test');
    expect(await stack.bot.store.listForPerson(diego.aadObjectId)).toEqual([]);
  });

  it('corrects the address in Entra and patches the twin whose link held the old one', async () => {
    const corrected = 'diego.s@contoso.test';
    const id = await fileRequest(stack, diego, 'please correct my data',
      { kind: 'rectify', regime: 'GDPR', services: 'entra,digitalTwins', field: 'mail', value: corrected });
    const approval = await approvalCardFor(stack, id);
    await stack.teams.click(priya, stack.teams.channelId, 'dsr.approve', { requestId: id }, approval.activityId);
    await waitFor('the correction', async () => (await stateOf(stack, id)) === 'completed');

    expect(await diegosMail()).toBe(corrected);
    expect(await deskOwner()).toBe(corrected);
    const steps = (await stack.bot.store.get(id))!.request.steps;
    expect(steps.digitalTwins?.summary).toEqual({ code: 'digitalTwins.corrected', twins: 1 });
  });
});

import { BotStack, startBotStack } from '../support/botStack';
import { contentOf } from '../support/fakeBotConnector';
import { approvalCardFor, approveBy, cardOf, stateOf } from '../support/flowSteps';
import { waitFor } from '../support/waitFor';
import { TenantUser } from '../../src/sandbox/tenant';

jest.setTimeout(120_000);

const HOME_TENANT_NOTE = "the guest's home tenant is not touched";

let stack: BotStack;
let priya: TenantUser, marco: TenantUser, desk: TenantUser;

beforeAll(async () => {
  stack = await startBotStack('guest-erasure');
  [priya, marco, desk] = ['Priya', 'Marco', 'Privacy Desk'].map((n) => stack.user(n));
  expect(await stack.teams.sayInChannel(priya, stack.teams.channelId, 'register approvals')).toBe(200);
});

afterAll(async () => {
  await stack?.stop();
});

describe('erasing a guest invited from another tenant', () => {
  it('deletes the guest account here, and the approval card and the receipt say the home tenant is not touched', async () => {
    const guest = stack.tenant.entra.guests[0];
    // The privacy desk files for the guest (who has no chat with the bot); Priya and Marco, two other people, approve.
    const chat = stack.teams.personalConversationId(desk);
    const before = stack.connector.to(chat).length;
    expect(await stack.teams.say(desk, `delete the data of ${guest.mail}`)).toBe(200);
    const intake = await waitFor('the intake card on the guest’s behalf', () => stack.connector.to(chat).slice(before).find((s) => contentOf(s).includes('On behalf of')));
    const filed = await stack.teams.click(desk, 'personal', 'dsr.submit', { kind: 'erase', regime: 'GDPR', services: 'entra', onBehalfOf: guest.id }, intake.activityId);
    const id = /DSR-\d{4}-\d{4}/.exec(JSON.stringify(filed.body))![0];

    expect(JSON.stringify(cardOf(await approvalCardFor(stack, id)))).toContain(HOME_TENANT_NOTE);
    expect((await stack.bot.store.get(id))!.request.discovery.entra?.plan).toEqual([{ type: 'user', id: guest.id, reason: 'account:guest' }]);
    await approveBy(stack, id, [priya, marco]);
    await waitFor('the erasure', async () => ['soft_deleted', 'completed', 'purged'].includes((await stateOf(stack, id)) ?? ''));

    const receipt = await waitFor('the receipt', () => stack.connector.to(chat).find((s) => contentOf(s).includes('Erasure receipt')));
    expect(contentOf(receipt)).toContain(HOME_TENANT_NOTE);
    const account = await fetch(`${stack.sandbox.graph}/v1.0/users/${guest.id}`, { headers: { authorization: 'Bearer t' } });
    expect(account.status).toBe(404);
  });
});

import { BotStack, startBotStack } from '../support/botStack';
import { contentOf } from '../support/fakeBotConnector';
import { approvalCardFor, cardOf, fileRequest, stateOf } from '../support/flowSteps';
import { waitFor } from '../support/waitFor';
import { TenantUser } from '../../src/sandbox/tenant';

jest.setTimeout(120_000);

let stack: BotStack;
let priya: TenantUser, marco: TenantUser, grace: TenantUser;

beforeAll(async () => {
  stack = await startBotStack('card-languages');
  [priya, marco, grace] = ['Priya', 'Marco', 'Grace'].map((n) => stack.user(n));
  // Grace's Teams runs in German, Marco's in French; Priya's and the tenant's default are English.
  stack.teams.locales.set(grace.teamsUserId, 'de-DE');
  stack.teams.locales.set(marco.teamsUserId, 'fr-FR');
  expect(await stack.teams.sayInChannel(priya, stack.teams.channelId, 'register approvals')).toBe(200);
  expect(await stack.teams.sayInChannel(priya, stack.teams.complianceChannelId, 'register compliance')).toBe(200);
});

afterAll(async () => {
  await stack?.stop();
});

describe('cards in the reader’s language, through the Bot Framework protocol', () => {
  it('gives a German requester German cards and notices, the channel English, and a French approver a French view', async () => {
    const chat = stack.teams.personalConversationId(grace);
    const id = await fileRequest(stack, grace, 'exportiere meine Daten', { kind: 'export', regime: 'GDPR', services: 'entra,botStore' });
    const intake = stack.connector.to(chat).find((s) => JSON.stringify(cardOf(s) ?? {}).includes('dsr.submit'));
    expect(contentOf(intake!)).toContain('Antrag senden');

    const approval = await approvalCardFor(stack, id);
    expect(contentOf(approval)).toContain('"title":"Approve"');

    const refreshed = await stack.teams.click(marco, stack.teams.channelId, 'dsr.refresh', { requestId: id }, approval.activityId);
    expect(JSON.stringify(refreshed.body.value)).toContain('"title":"Approuver"');
    expect(JSON.stringify(refreshed.body.value)).toContain('En attente de la décision');

    await stack.teams.click(priya, stack.teams.channelId, 'dsr.approve', { requestId: id }, approval.activityId);
    const ready = await waitFor('the German download card', () => stack.connector.latestCard(chat, 'Ihre Daten herunterladen'));
    expect(contentOf(ready)).toContain(`Ihre Daten sind bereit: ${id}`);
    expect(stack.connector.to(chat).map((s) => s.activity.text ?? '')).toContain(
      `Ihr Antrag ${id} wurde genehmigt und wird ausgeführt. Ich sage Ihnen hier Bescheid, wenn er erledigt ist.`,
    );
    // The shared card everyone in the channel sees stays in the tenant's language.
    const shared = stack.connector.to(stack.teams.channelId).filter((s) => s.kind === 'update' && s.activityId === approval.activityId).at(-1);
    expect(contentOf(shared!)).toContain('Progress');
  });

  it('writes the requester’s status card once when they cancel on it: the refresh in their language, the answer a message', async () => {
    const chat = stack.teams.personalConversationId(grace);
    const id = await fileRequest(stack, grace, 'exportiere meine Daten', { kind: 'access', regime: 'GDPR', services: 'entra' });
    await approvalCardFor(stack, id);
    const status = (await stack.bot.store.get(id))!.request.cards.status!;
    const updatesBefore = stack.connector.to(chat).filter((s) => s.kind === 'update' && s.activityId === status.activityId).length;

    const answer = await stack.teams.click(grace, 'personal', 'dsr.cancel', { requestId: id }, status.activityId);
    expect(answer.body.type).toBe('application/vnd.microsoft.activity.message');
    await waitFor('the cancellation', async () => (await stateOf(stack, id)) === 'cancelled');
    const updated = await waitFor('the status card updated', () => {
      const updates = stack.connector.to(chat).filter((s) => s.kind === 'update' && s.activityId === status.activityId);
      return updates.length > updatesBefore && contentOf(updates.at(-1)!).includes('Zurückgezogen.') ? updates : undefined;
    });
    expect(updated.length - updatesBefore).toBe(1);
  });

  it('answers a click on the channel\'s approval card to the clicker alone, and leaves the card everyone sees to the notifier', async () => {
    const id = await fileRequest(stack, grace, 'exportiere meine Daten', { kind: 'export', regime: 'GDPR', services: 'entra' });
    const approval = await approvalCardFor(stack, id);
    const updates = () => stack.connector.to(stack.teams.channelId).filter((s) => s.kind === 'update' && s.activityId === approval.activityId);
    const before = updates().length;

    // Marco's Teams asks for his view: his alone, in French; the channel's card is not touched.
    const refreshed = await stack.teams.click(marco, stack.teams.channelId, 'dsr.refresh', { requestId: id }, approval.activityId);
    expect(JSON.stringify(refreshed.body.value)).toContain('"title":"Approuver"');
    expect(updates().length).toBe(before);

    // Marco approves: he gets his card with his notice, in French; everyone else the notifier's, in English.
    const approved = await stack.teams.click(marco, stack.teams.channelId, 'dsr.approve', { requestId: id }, approval.activityId);
    const answered = JSON.stringify(approved.body.value);
    expect(approved.body.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(answered).toContain('Approuver');
    await waitFor('the request completed', async () => (await stateOf(stack, id)) === 'completed');
    const shared = await waitFor('the channel\'s card showing it completed', () => {
      const after = updates().slice(before);
      return after.length > 0 && contentOf(after.at(-1)!).includes('Completed') ? after : undefined;
    });
    for (const update of shared) {
      expect(contentOf(update)).not.toContain('Approuver');
      expect(contentOf(update)).not.toBe(answered);
    }
  });
});

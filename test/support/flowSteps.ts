import { TenantUser } from '../../src/sandbox/tenant';
import { BotStack } from './botStack';
import { SentActivity } from './fakeBotConnector';
import { waitFor } from './waitFor';

/** The steps of a request as people take them in Teams, shared by the flow tests. */

/** What the steps need of a stack: the Teams side and the loopback connector. */
export type TeamsSide = Pick<BotStack, 'teams' | 'connector'>;

export const cardOf = (sent: SentActivity) => sent.activity.attachments?.[0]?.content as Record<string, unknown>;
export const requestIdIn = (card: unknown) => /DSR-\d{4}-\d{4}/.exec(JSON.stringify(card))?.[0];

/** Files a request in `user`'s 1:1 chat through the intake card, as a person would; returns its id. */
export async function fileRequest(stack: TeamsSide, user: TenantUser, sentence: string, submission: Record<string, unknown>): Promise<string> {
  const chat = stack.teams.personalConversationId(user);
  const before = stack.connector.to(chat).length;
  if ((await stack.teams.say(user, sentence)) !== 200) throw new Error(`the bot did not take '${sentence}'`);
  const intake = await waitFor('the intake card', () => stack.connector.to(chat).slice(before).find((s) => JSON.stringify(cardOf(s) ?? {}).includes('dsr.submit')));
  const answer = await stack.teams.click(user, 'personal', 'dsr.submit', submission, intake.activityId);
  const id = answer.body.type === 'application/vnd.microsoft.card.adaptive' ? requestIdIn(answer.body.value) : undefined;
  if (!id) throw new Error(`the submission was not filed: ${JSON.stringify(answer.body)}`);
  return id;
}

/** The approval card the bot posted to the approvers' channel for `id`. */
export async function approvalCardFor(stack: TeamsSide, id: string): Promise<SentActivity> {
  return waitFor(`the approval card of ${id}`, () => stack.connector.to(stack.teams.channelId).find((s) => s.kind === 'send' && JSON.stringify(cardOf(s) ?? {}).includes(id)));
}

/** The approval card of `id` as it stands now, after every in-place update. */
export function currentApprovalCard(stack: TeamsSide, approval: SentActivity): Record<string, unknown> {
  const updates = stack.connector.to(stack.teams.channelId).filter((s) => s.kind === 'update' && s.activityId === approval.activityId);
  return cardOf(updates.at(-1) ?? approval);
}

/** Each approver clicks Approve on the request's card, in turn; returns the card. */
export async function approveBy(stack: TeamsSide, id: string, approvers: TenantUser[]): Promise<SentActivity> {
  const approval = await approvalCardFor(stack, id);
  for (const approver of approvers) {
    const answer = await stack.teams.click(approver, stack.teams.channelId, 'dsr.approve', { requestId: id }, approval.activityId);
    if (answer.status !== 200) throw new Error(`the approval by ${approver.displayName} got ${answer.status}`);
  }
  return approval;
}

export async function stateOf(stack: BotStack, id: string) {
  return (await stack.bot.store.get(id))?.request.state;
}

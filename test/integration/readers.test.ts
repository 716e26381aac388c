import { BotStack, startBotStack } from '../support/botStack';
import { approvalCardFor, cardOf } from '../support/flowSteps';
import { SentActivity } from '../support/fakeBotConnector';
import { waitFor } from '../support/waitFor';
import { TenantUser } from '../../src/sandbox/tenant';

/**
 * Who may see a request: its subject, its requester, approvers and compliance officers, each
 * their own view; everyone else learns nothing, not even whether the id exists. Every read goes
 * through Bot Framework activities over HTTP, and group membership changes in the sandbox Graph
 * the way an administrator changes it.
 */
jest.setTimeout(120_000);

let stack: BotStack;
let requestId: string;
const MISSING = 'DSR-2026-9998';

/** What a read answered: a card or a message. */
type Answer = { card?: Record<string, unknown>; text?: string };
/** What the answer showed of the request. */
type View = 'approver card' | 'read-only approval card' | 'details' | 'status card' | 'nothing';

const json = (value: unknown) => JSON.stringify(value ?? {});

function viewOf(answer: Answer): View {
  if (!answer.card) return 'nothing';
  const card = json(answer.card);
  if (!card.includes(requestId.replace(/-/g, '\\\\-')) && !card.includes(requestId)) return 'nothing';
  if (card.includes('For privacy admins only')) return 'details';
  if (card.includes('"verb":"dsr.approve"')) return 'approver card';
  if (card.includes('"verb":"dsr.refresh"')) return 'read-only approval card';
  if (card.includes('"verb":"dsr.cancel"')) return 'status card';
  throw new Error(`an answer of no known kind: ${card}`);
}

/** Changes the approvers group in the sandbox Graph, as an Entra administrator does. */
async function approversGroup(method: 'POST' | 'DELETE', user: TenantUser): Promise<void> {
  const group = `${stack.sandbox.graph}/v1.0/groups/${stack.tenant.approverGroup.id}/members`;
  const response = await fetch(method === 'POST' ? `${group}/$ref` : `${group}/${user.aadObjectId}/$ref`, {
    method,
    headers: { authorization: 'Bearer sandbox-admin', 'content-type': 'application/json' },
    ...(method === 'POST' ? { body: JSON.stringify({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${user.aadObjectId}` }) } : {}),
  });
  if (response.status !== 204) throw new Error(`the group change answered ${response.status}`);
}

const fromInvoke = (body: { type?: string; value?: unknown }): Answer =>
  body.type === 'application/vnd.microsoft.card.adaptive' ? { card: body.value as Record<string, unknown> } : { text: String(body.value) };
const fromSent = (sent: SentActivity): Answer => (sent.activity.attachments?.length ? { card: cardOf(sent) } : { text: sent.activity.text ?? '' });

/** The bot's answer in `user`'s 1:1 chat to `text`. */
async function chatAnswer(user: TenantUser, text: string): Promise<Answer> {
  const chat = stack.teams.personalConversationId(user);
  const before = stack.connector.to(chat).length;
  expect(await stack.teams.say(user, text)).toBe(200);
  return fromSent(await waitFor(`the answer to '${text}'`, () => stack.connector.to(chat)[before]));
}

/** The reads of request `id` by `user`, as Teams sends them. */
const READS: Record<string, (user: TenantUser, id: string) => Promise<Answer>> = {
  refresh: async (user, id) => fromInvoke((await stack.teams.click(user, stack.teams.channelId, 'dsr.refresh', { requestId: id })).body),
  details: (user, id) => chatAnswer(user, `details ${id}`),
  status: (user, id) => chatAnswer(user, `status ${id}`),
};

/** Buttons whose answer would show the request, pressed by someone who may not see it. */
const ACTIONS: [string, Record<string, unknown>][] = [
  ['dsr.cancel', {}],
  ['dsr.approve', {}],
  ['dsr.reject', { reason: 'no' }],
  ['dsr.extend', { reason: 'busy' }],
  ['dsr.retry', {}],
  ['dsr.manual', { step: 'iotCentral.alertRuleEmails', outcome: 'done' }],
];

let actors: Record<string, TenantUser>;

beforeAll(async () => {
  stack = await startBotStack('readers', { DSR_SERVICES: 'entra,botStore' });
  const [priya, lee, alex] = ['Priya', 'Lee', 'Alex'].map((n) => stack.user(n));
  expect(await stack.teams.sayInChannel(priya, stack.teams.channelId, 'register approvals')).toBe(200);
  actors = {
    subject: stack.user('Diego'),
    'requester, a former approver who filed on the subject\'s behalf': lee,
    'another approver': stack.user('Marco'),
    'compliance officer': stack.user('Chen'),
    'unrelated employee': stack.user('Grace'),
    'someone without an Entra object id': { ...stack.user('Megan'), teamsUserId: '29:guest-without-entra', aadObjectId: '' },
    'former approver removed from the group': alex,
  };
  // Lee and Alex approve for a while; Lee files for Diego meanwhile. Then both leave the group.
  await approversGroup('POST', lee);
  await approversGroup('POST', alex);
  const filed = await stack.teams.click(lee, 'personal', 'dsr.submit', { kind: 'access', regime: 'GDPR', services: 'entra', onBehalfOf: actors.subject.aadObjectId });
  requestId = /DSR-\d{4}-\d{4}/.exec(json(filed.body.value))![0];
  await approvalCardFor(stack, requestId);
  await waitFor('the request before approvers', async () => (await stack.bot.store.get(requestId))?.request.state === 'awaiting_approval');
  await approversGroup('DELETE', lee);
  await approversGroup('DELETE', alex);
});

afterAll(async () => {
  await stack?.stop();
});

const EXPECTED: [string, Record<keyof typeof READS, View>][] = [
  ['subject', { refresh: 'status card', details: 'status card', status: 'status card' }],
  ['requester, a former approver who filed on the subject\'s behalf', { refresh: 'status card', details: 'status card', status: 'status card' }],
  ['another approver', { refresh: 'approver card', details: 'details', status: 'approver card' }],
  ['compliance officer', { refresh: 'read-only approval card', details: 'details', status: 'read-only approval card' }],
  ['unrelated employee', { refresh: 'nothing', details: 'nothing', status: 'nothing' }],
  ['someone without an Entra object id', { refresh: 'nothing', details: 'nothing', status: 'nothing' }],
  ['former approver removed from the group', { refresh: 'nothing', details: 'nothing', status: 'nothing' }],
];

describe('who may see a request', () => {
  it.each(EXPECTED)('shows the %s what they may see, through every read', async (actor, views) => {
    for (const [read, expected] of Object.entries(views)) {
      const answer = await READS[read](actors[actor], requestId);
      expect({ read, view: viewOf(answer) }).toEqual({ read, view: expected });
      if (expected !== 'nothing') continue;
      // Nothing about the request, and word for word what an id that does not exist gets.
      const missing = await READS[read](actors[actor], MISSING);
      expect({ read, answer: json(answer).split(requestId).join(MISSING) }).toEqual({ read, answer: json(missing) });
    }
  });

  it.each(EXPECTED.filter(([, views]) => views.refresh === 'nothing').map(([actor]) => actor))(
    'answers the %s pressing a button of the request as for an id that does not exist',
    async (actor) => {
      for (const [verb, data] of ACTIONS) {
        const answer = await stack.teams.click(actors[actor], stack.teams.channelId, verb, { requestId, ...data });
        const missing = await stack.teams.click(actors[actor], stack.teams.channelId, verb, { requestId: MISSING, ...data });
        expect({ verb, answer: json(answer.body).split(requestId).join(MISSING) }).toEqual({ verb, answer: json(missing.body) });
      }
      expect((await stack.bot.store.get(requestId))!.request.state).toBe('awaiting_approval');
    },
  );

  it('lists a request to its subject and requester, and to nobody else who asks for their own', async () => {
    for (const actor of ['subject', 'requester, a former approver who filed on the subject\'s behalf']) {
      expect(json((await chatAnswer(actors[actor], 'status')).card)).toContain(requestId);
    }
    for (const actor of ['unrelated employee', 'former approver removed from the group', 'compliance officer']) {
      expect(json(await chatAnswer(actors[actor], 'status'))).not.toContain(requestId);
    }
  });

  it('lists the open requests to a compliance officer, without a button that acts', async () => {
    const queue = await chatAnswer(actors['compliance officer'], 'queue');
    expect(json(queue.card)).toContain(requestId);
    expect(json(queue.card)).not.toContain('dsr.');
  });
});

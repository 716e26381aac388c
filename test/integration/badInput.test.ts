import { gzipSync } from 'node:zlib';
import { BotStack, startBotStack } from '../support/botStack';
import { contentOf } from '../support/fakeBotConnector';
import { approvalCardFor, currentApprovalCard, fileRequest, stateOf } from '../support/flowSteps';
import { waitFor } from '../support/waitFor';
import { CARD_ACTIONS } from '../../src/bot/cardActions';
import { plainText } from '../../src/cards/render';
import { TenantUser } from '../../src/sandbox/tenant';

/**
 * Bad input of every kind, through the Bot Framework protocol against the running bot: each gets
 * a clear answer (a 4xx, or a reply that says what is wrong), never a 5xx, and the bot keeps
 * serving afterwards.
 */
jest.setTimeout(180_000);

const MESSAGE = 'application/vnd.microsoft.activity.message';
const CARD = 'application/vnd.microsoft.card.adaptive';
const QUERY_INJECTION = "x' OR 1=1 OR T.$dtId != '";
const MARKUP = '<script>alert(1)</script> [click me](http://evil.example) **bold** <at>DSR Bot</at>';
const TEMPLATE = '${id} ${$root.id} {{id}} ${concat("a","b")}';
const CARD_JSON = '"}],"actions":[{"type":"Action.OpenUrl","url":"http://evil.example"}],"x":[{"a":"';
const CONTROL = 'a\u0000b\u0007c\u001bd\u007fe\u0085f';
const BIDI = 'invoice\u202Egnp.exe\u2066x\u2069\u200B';

let stack: BotStack;
let priya: TenantUser, marco: TenantUser, grace: TenantUser, alex: TenantUser, diego: TenantUser, lee: TenantUser;
let sequence = 0;

beforeAll(async () => {
  // Many messages from the same few people: the per-person message limit is not what is tested here.
  stack = await startBotStack('bad-input', { DSR_MESSAGES_PER_MINUTE: '10000', DSR_INVOKES_PER_MINUTE: '10000' });
  [priya, marco, grace, alex, diego, lee] = ['Priya', 'Marco', 'Grace', 'Alex', 'Diego', 'Lee'].map((n) => stack.user(n));
  expect(await stack.teams.sayInChannel(priya, stack.teams.channelId, 'register approvals')).toBe(200);
});

afterAll(async () => {
  if (process.env.DEBUG_LOGS) console.log(stack.logLines.join(''));
  await stack?.stop();
});

/** The id of the activity built or said last: the bot's reply to it names it as `replyToId`. */
let lastActivityId = '';

/** An activity as Teams sends it in `user`'s 1:1 chat, with `changes` laid over it. */
function activity(user: TenantUser, changes: Record<string, unknown> = {}): Record<string, unknown> {
  lastActivityId = `bad-input-${++sequence}`;
  return {
    id: lastActivityId,
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl: stack.connector.url,
    recipient: { id: '28:dsr-bot', name: 'DSR Bot' },
    locale: 'en-US',
    type: 'message',
    text: 'help',
    from: { id: user.teamsUserId, name: user.displayName, aadObjectId: user.aadObjectId },
    conversation: { id: stack.teams.personalConversationId(user), conversationType: 'personal', tenantId: stack.tenant.tenantId },
    channelData: { tenant: { id: stack.tenant.tenantId } },
    ...changes,
  };
}

function without(body: Record<string, unknown>, ...keys: string[]): Record<string, unknown> {
  const copy = { ...body };
  for (const key of keys) delete copy[key];
  return copy;
}

const post = (body: unknown) => stack.teams.postRaw(JSON.stringify(body));

/** A card click whose `value` is anything at all. */
const invoke = (user: TenantUser, value: unknown, name = 'adaptiveCard/action') => post(activity(user, { type: 'invoke', name, value, replyToId: 'card' }));

/** What the bot said to a click: the message, or the card as JSON text. */
async function clickAnswer(user: TenantUser, where: 'personal' | string, verb: string, data: unknown): Promise<{ status: number; type?: string; text: string }> {
  const answer = await stack.teams.click(user, where, verb, data as Record<string, unknown>);
  return { status: answer.status, type: answer.body.type, text: typeof answer.body.value === 'string' ? answer.body.value : JSON.stringify(answer.body.value ?? '') };
}

/** The message a click was answered with; fails when the answer is not a message. */
async function refusal(user: TenantUser, where: 'personal' | string, verb: string, data: unknown): Promise<string> {
  const answer = await clickAnswer(user, where, verb, data);
  expect({ status: answer.status, type: answer.type }).toEqual({ status: 200, type: MESSAGE });
  return answer.text;
}

/** A message as Teams sends it, through the test's Teams client. */
async function say(user: TenantUser, text: string): Promise<number> {
  const status = await stack.teams.say(user, text);
  lastActivityId = stack.teams.lastActivityId;
  return status;
}

/**
 * The bot's reply in `user`'s chat, after `before`, to the message sent last: not a notice of an
 * earlier request that went out meanwhile.
 */
async function replyTo(user: TenantUser, before: number, what = 'a reply'): Promise<string> {
  const chat = stack.teams.personalConversationId(user);
  const message = lastActivityId;
  const reply = await waitFor(what, () => stack.connector.to(chat).slice(before).find((s) => s.kind === 'send' && s.activity.replyToId === message));
  return contentOf(reply);
}

const sentTo = (user: TenantUser) => stack.connector.to(stack.teams.personalConversationId(user)).length;

/** A normal message, answered as usual: the proof the bot still serves after a batch of bad input. */
async function expectStillServing(user: TenantUser = grace): Promise<void> {
  const before = sentTo(user);
  expect(await say(user, 'help')).toBe(200);
  expect(await replyTo(user, before, 'the help card')).toContain('Your data, your rights');
}

async function expectClientError(response: Response, says: RegExp): Promise<void> {
  const text = await response.text();
  expect({ status: response.status, text }).toEqual({ status: expect.any(Number), text: expect.stringMatching(says) });
  expect(response.status).toBeGreaterThanOrEqual(400);
  expect(response.status).toBeLessThan(500);
}

describe('bodies that are not an activity', () => {
  it('answers malformed JSON with 400', async () => {
    await expectClientError(await stack.teams.postRaw('{"type": "message", "text": '), /JSON/i);
    await expectClientError(await stack.teams.postRaw('{type: message}'), /JSON/i);
    await expectStillServing();
  });

  it('answers a body over the size limit with 413', async () => {
    const big = JSON.stringify(activity(grace, { text: 'x'.repeat(300 * 1024) }));
    const response = await stack.teams.postRaw(big);
    expect(response.status).toBe(413);
    await expectStillServing();
  });

  it('takes an activity whose content type has parameters or capitals, as the Bot Connector sends it', async () => {
    const before = sentTo(grace);
    expect((await stack.teams.postRaw(JSON.stringify(activity(grace, { text: 'help' })), 'Application/JSON; charset=utf-8')).status).toBe(200);
    expect(await replyTo(grace, before, 'the help card')).toContain('Your data, your rights');
  });

  it('answers a compressed body with 415, whatever it unpacks to', async () => {
    const packed = gzipSync(JSON.stringify(activity(grace, { text: 'x'.repeat(10 * 1024 * 1024) })));
    expect(packed.length).toBeLessThan(256 * 1024);
    const response = await fetch(`${stack.bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: new Uint8Array(packed) });
    await expectClientError(response, /uncompressed/);
    await expectStillServing();
  });

  it.each<[string, string, string | undefined]>([
    ['an empty body', '', 'application/json'],
    ['a JSON array', '[]', 'application/json'],
    ['JSON null', 'null', 'application/json'],
    ['a JSON string', '"message"', 'application/json'],
    ['a JSON number', '42', 'application/json'],
    ['plain text', 'help', 'text/plain'],
    ['JSON sent as plain text', '{"type":"message","text":"help"}', 'text/plain'],
    ['multipart form data', '--x\r\nContent-Disposition: form-data; name="type"\r\n\r\nmessage\r\n--x--\r\n', 'multipart/form-data; boundary=x'],
    ['form data', 'type=message&text=help', 'application/x-www-form-urlencoded'],
  ])('answers %s with a 4xx', async (_label, body, contentType) => {
    const response = await stack.teams.postRaw(body, contentType);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    await expectStillServing();
  });
});

describe('activities missing what every activity has', () => {
  it.each<[string, (body: Record<string, unknown>) => Record<string, unknown>, RegExp]>([
    ['without type', (b) => without(b, 'type'), /type/],
    ['with an empty type', (b) => ({ ...b, type: '' }), /type/],
    ['with a numeric type', (b) => ({ ...b, type: 7 }), /type/],
    ['without from', (b) => without(b, 'from'), /from/],
    ['with from as a string', (b) => ({ ...b, from: 'someone' }), /from/],
    ['with from without an id', (b) => ({ ...b, from: { name: 'x' } }), /from/],
    ['without conversation', (b) => without(b, 'conversation'), /conversation/],
    ['with conversation as an array', (b) => ({ ...b, conversation: [] }), /conversation/],
    ['with a conversation without an id', (b) => ({ ...b, conversation: { conversationType: 'personal' } }), /conversation/],
    ['without recipient', (b) => without(b, 'recipient'), /recipient/],
    ['without channelId', (b) => without(b, 'channelId'), /channelId/],
    ['without serviceUrl', (b) => without(b, 'serviceUrl'), /serviceUrl/],
  ])('answers a message %s with a 4xx that names what is missing', async (_label, change, says) => {
    await expectClientError(await post(change(activity(grace))), says);
    await expectClientError(await post(change(activity(grace, { type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'dsr.status', data: {} } } }))), says);
    await expectStillServing();
  });

  it.each<[string, Record<string, unknown>]>([
    ['text as a number', { text: 42 }],
    ['text as an object', { text: { value: 'help' } }],
    ['no text', { text: undefined }],
    ['entities that are not a list', { entities: 'mention' }],
    ['a mention of the bot with text as a number', { text: 5, entities: [{ type: 'mention', text: '<at>DSR Bot</at>', mentioned: { id: '28:dsr-bot', name: 'DSR Bot' } }] }],
    ['attachments that are not a list', { attachments: { contentType: 'x' } }],
    ['channelData that is a string', { channelData: 'tenant' }],
  ])('answers a message with %s clearly', async (_label, changes) => {
    const before = sentTo(grace);
    const response = await post(activity(grace, changes));
    if (response.status === 200) expect(await replyTo(grace, before)).toMatch(/didn't catch that|Your data, your rights/);
    else await expectClientError(response, /./);
    await expectStillServing();
  });

  it('ignores an activity type it does not know, without an error', async () => {
    const before = stack.connector.sent.length;
    expect((await post(activity(grace, { type: 'somethingNew' }))).status).toBe(200);
    await expectStillServing();
    expect(stack.connector.sent.slice(before).filter((s) => s.activity.text === undefined && !s.activity.attachments)).toEqual([]);
  });

  it('tells someone without a work account that it cannot help, whatever their id says', async () => {
    for (const aadObjectId of [undefined, QUERY_INJECTION, 'not-a-guid', `${grace.aadObjectId}' or '1'='1`, `${grace.aadObjectId}/../..`]) {
      const from = { id: grace.teamsUserId, name: grace.displayName, aadObjectId };
      const before = sentTo(grace);
      expect((await post(activity(grace, { from }))).status).toBe(200);
      expect(await replyTo(grace, before)).toContain('signed in with a work account');
      const click = await post(activity(grace, { from, type: 'invoke', name: 'adaptiveCard/action', replyToId: 'card', value: { action: { type: 'Action.Execute', verb: 'dsr.status', data: {} } } }));
      expect(await click.json()).toEqual({ statusCode: 200, type: MESSAGE, value: expect.stringContaining('signed in with a work account') });
    }
    // An id that is not even text could not be answered at all (the reply would name it): refused up front.
    for (const aadObjectId of [42, ['x'], { id: grace.aadObjectId }]) {
      await expectClientError(await post(activity(grace, { from: { id: grace.teamsUserId, aadObjectId } })), /from\.aadObjectId must be a string/);
    }
    await expectStillServing();
  });
});

describe('invokes the bot does not handle', () => {
  it('answers an unknown invoke name with a 4xx', async () => {
    for (const name of ['task/fetch', 'composeExtension/query', 'no/such/invoke', '', QUERY_INJECTION]) {
      await expectClientError(await invoke(grace, {}, name), /not handle|unknown|support/i);
    }
    await expectClientError(await post(without(activity(grace, { type: 'invoke', value: {} }), 'name')), /not handle|unknown|support/i);
    await expectStillServing();
  });

  it('answers a card button with an unknown verb with a message that says so', async () => {
    for (const verb of ['dsr.delete', 'dsr', 'DSR.APPROVE', '', QUERY_INJECTION, MARKUP]) {
      const text = await refusal(grace, 'personal', verb, { requestId: 'DSR-2026-0001' });
      expect(text).toMatch(/do not know that button/);
      expect(text).not.toContain(verb || '\u0000');
    }
    await expectStillServing();
  });

  it.each<[string, unknown]>([
    ['no value', undefined],
    ['a value that is a string', 'dsr.status'],
    ['a value without an action', { trigger: 'manual' }],
    ['an action that is a string', { action: 'dsr.status' }],
    ['an Action.Submit instead of Action.Execute', { action: { type: 'Action.Submit', verb: 'dsr.status', data: {} } }],
    ['a verb that is a number', { action: { type: 'Action.Execute', verb: 7, data: {} } }],
    ['a verb that is an array', { action: { type: 'Action.Execute', verb: ['dsr.status'], data: {} } }],
  ])('answers an adaptiveCard/action with %s clearly', async (_label, value) => {
    const response = await invoke(grace, value);
    if (response.status === 200) expect(await response.json()).toMatchObject({ statusCode: 200, type: MESSAGE, value: expect.stringMatching(/do not know that button/) });
    else await expectClientError(response, /./);
    await expectStillServing();
  });
});

describe('a card action that names no card', () => {
  it('answers a click without replyToId (a crafted button) with a message for every verb, in chat and in a channel, and no turn fails', async () => {
    const id = await fileRequest(stack, marco, 'I want to see my data', { kind: 'access', regime: 'GDPR', services: 'entra' });
    await waitFor('the request to await approval', async () => (await stateOf(stack, id)) === 'awaiting_approval');
    const inChannel = {
      conversation: { id: stack.teams.channelId, conversationType: 'channel', isGroup: true, tenantId: stack.tenant.tenantId },
      channelData: { tenant: { id: stack.tenant.tenantId }, channel: { id: stack.teams.channelId } },
    };
    const answers = [];
    for (const verb of Object.keys(CARD_ACTIONS)) {
      for (const [user, where] of [[marco, 'chat'], [priya, 'channel']] as const) {
        const value = { action: { type: 'Action.Execute', verb, data: { requestId: id, kind: 'access', regime: 'GDPR', services: 'entra' } }, trigger: 'manual' };
        const response = await post(without(activity(user, { type: 'invoke', name: 'adaptiveCard/action', value, ...(where === 'channel' ? inChannel : {}) }), 'replyToId'));
        const body = response.status === 200 ? ((await response.json()) as { type?: string; value?: unknown }) : {};
        answers.push({ verb, where, status: response.status, type: body.type, text: typeof body.value === 'string' ? body.value : '' });
      }
    }
    expect(answers).toEqual(answers.map(({ verb, where }) => ({ verb, where, status: 200, type: MESSAGE, text: expect.stringMatching(/which card/) })));
    expect(await stateOf(stack, id)).toBe('awaiting_approval');
    expect(stack.logLines.join('')).not.toContain('turn failed');
    await expectStillServing();
  });

  it('has failed no turn on any malformed card action', () => {
    expect(stack.logLines.join('')).not.toContain('turn failed');
  });
});

describe('card data for every verb', () => {
  const BAD_DATA: [string, unknown][] = [
    ['no data', undefined],
    ['null', null],
    ['a string', 'DSR-2026-0001'],
    ['a number', 42],
    ['an array', [{ requestId: 'DSR-2026-0001', kind: 'export' }]],
    ['an empty object', {}],
    ['a prototype key', JSON.parse('{"__proto__": {"requestId": "DSR-2026-0001", "kind": "export"}}')],
  ];

  it('covers every verb the bot registers', () => {
    expect(Object.keys(CARD_ACTIONS).sort()).toEqual(['dsr.approve', 'dsr.cancel', 'dsr.extend', 'dsr.lift', 'dsr.manual', 'dsr.purgeNow', 'dsr.refresh', 'dsr.reject', 'dsr.restore', 'dsr.retry', 'dsr.start', 'dsr.status', 'dsr.submit']);
  });

  it.each(Object.keys(CARD_ACTIONS))('answers %s with missing or wrongly shaped data clearly, in chat and in a channel', async (verb) => {
    for (const [, data] of BAD_DATA) {
      for (const [user, where] of [[grace, 'personal'], [priya, stack.teams.channelId]] as const) {
        const answer = await clickAnswer(user, where, verb, data);
        expect(answer.status).toBe(200);
        if (verb === 'dsr.status') {
          expect(answer.type).toBe(CARD);
          expect(answer.text).toContain('Your requests');
        } else {
          expect(answer.type).toBe(MESSAGE);
          expect(answer.text).toMatch(/did not say which kind|does not name a request|manual step I know|1:1 chat|GDPR or CCPA/);
        }
      }
    }
    await expectStillServing();
  });

  describe('dsr.submit', () => {
    const submit = (data: Record<string, unknown>) => refusal(lee, 'personal', 'dsr.submit', { kind: 'export', regime: 'GDPR', services: 'entra', ...data });

    it('refuses unknown services, a wrongly typed kind, services or law, with what is wrong', async () => {
      expect(await submit({ services: 'entra,payroll' })).toMatch(/service I do not reach/);
      expect(await submit({ services: 'payroll, hr ,crm' })).toMatch(/service I do not reach/);
      expect(await submit({ services: `entra,${QUERY_INJECTION}` })).toMatch(/service I do not reach/);
      expect(await submit({ services: ['entra'] })).toMatch(/at least one service/);
      expect(await submit({ services: ',,,' })).toMatch(/at least one service/);
      expect(await submit({ kind: 5 })).toMatch(/which kind of request/);
      expect(await submit({ kind: ['export'] })).toMatch(/which kind of request/);
      expect(await submit({ kind: 'EXPORT' })).toMatch(/which kind of request/);
      expect(await submit({ regime: 'LGPD' })).toMatch(/GDPR or CCPA/);
      expect(await submit({ regime: { toString: 'GDPR' } })).toMatch(/GDPR or CCPA/);
      expect(await submit({ kind: 'rectify', field: 'accountEnabled', value: 'false' })).toMatch(/which detail is wrong/);
      expect(await submit({ kind: 'rectify', field: 'jobTitle', value: 20 })).toMatch(/type the correct value/);
      expect(await submit({ kind: 'rectify', field: 'jobTitle', value: 'x'.repeat(20_000) })).toMatch(/at most 256 characters/);
      expect(await submit({ kind: 'rectify', field: 'jobTitle', value: '\u0000\u202E\u200B' })).toMatch(/type the correct value/);
      expect(await stack.bot.store.listForPerson(lee.aadObjectId)).toEqual([]);
      await expectStillServing(lee);
    });

    it('files nothing for a person Entra does not know, or for a new sign-in name outside the subject\'s domain', async () => {
      const nobody = '0b0d1e55-0000-4000-8000-00000000dead';
      expect(await refusal(priya, 'personal', 'dsr.submit', { kind: 'export', regime: 'GDPR', services: 'entra', onBehalfOf: nobody })).toMatch(/no longer in the directory\. Nothing was filed/);
      expect(await stack.bot.store.listForPerson(nobody)).toEqual([]);
      const domain = lee.email.slice(lee.email.indexOf('@') + 1);
      expect(await submit({ kind: 'rectify', field: 'userPrincipalName', value: 'lee@evil.example' })).toMatch(new RegExp(`has to end in .*${domain.replace(/\./g, '\\.')}.*Nothing was filed`));
      expect(await stack.bot.store.listForPerson(lee.aadObjectId)).toEqual([]);
    });

    it('files for the person who clicked, whatever extra fields the card data carries', async () => {
      const id = await fileRequest(stack, diego, 'export my data', {
        kind: 'export', regime: 'GDPR', services: 'entra',
        subject: { aadObjectId: alex.aadObjectId }, requester: { aadObjectId: alex.aadObjectId }, state: 'approved', id: 'DSR-2026-0001', extra: MARKUP,
      });
      const request = (await stack.bot.store.get(id))!.request;
      expect(request.subject.aadObjectId).toBe(diego.aadObjectId);
      expect(request.state).not.toBe('approved');
      expect(JSON.stringify(request)).not.toContain('evil.example');
    });

    it('takes a corrected name with markup, control characters and injections literally, and shows it escaped on every card', async () => {
      const value = `${MARKUP} ${QUERY_INJECTION} ${TEMPLATE} ${CARD_JSON}`.slice(0, 250);
      const typed = `\u0007${value}\u202E\u0000`;
      const id = await fileRequest(stack, alex, 'please correct my data', { kind: 'rectify', regime: 'GDPR', services: 'entra', field: 'displayName', value: typed });
      expect((await stack.bot.store.get(id))!.request.corrections).toEqual({ displayName: value });
      const approval = await approvalCardFor(stack, id);
      await stack.teams.click(priya, stack.teams.channelId, 'dsr.approve', { requestId: id }, approval.activityId);
      await waitFor('the correction', async () => (await stateOf(stack, id)) === 'completed');
      expect(JSON.stringify(currentApprovalCard(stack, approval))).toContain('"To correct"');

      // The directory holds exactly what was typed (bar control characters): not escaped, not encoded.
      const user = await fetch(`${stack.sandbox.graph}/v1.0/users/${alex.aadObjectId}`, { headers: { authorization: 'Bearer t' } });
      expect(((await user.json()) as { displayName: string }).displayName).toBe(value);

      // The new name now reaches cards: an approver files for Alex, and sees the name as text, never as markup.
      const chat = stack.teams.personalConversationId(priya);
      const before = sentTo(priya);
      expect(await say(priya, `export the data of ${alex.email}`)).toBe(200);
      const intake = await waitFor('the intake card on Alex’s behalf', () => stack.connector.to(chat).slice(before).find((s) => contentOf(s).includes('On behalf of')));
      const filed = await stack.teams.click(priya, 'personal', 'dsr.submit', { kind: 'export', regime: 'GDPR', services: 'entra', onBehalfOf: alex.aadObjectId }, intake.activityId);
      expect(filed.body.type).toBe(CARD);
      const about = (((filed.body.value as { body: { facts?: { title: string; value: string }[] }[] }).body.flatMap((b) => b.facts ?? [])).find((f) => f.title === 'About'))!.value;
      expect(about).toBe(plainText(value));

      const everything = stack.connector.sent.map(contentOf).join('\n') + JSON.stringify(filed.body.value);
      expect(everything).toContain(plainText(value).slice(0, 120).replace(/\\/g, '\\\\').replace(/"/g, '\\"'));
      for (const raw of ['<script>', '[click me](http://evil.example)', '**bold**', '${id}', '"url":"http://evil.example"']) expect(everything).not.toContain(raw);
      await expectStillServing(alex);
    });
  });

  describe('dsr.approve and the other request buttons', () => {
    let openId: string;

    beforeAll(async () => {
      openId = await fileRequest(stack, grace, 'I want to see my data', { kind: 'access', regime: 'GDPR', services: 'entra' });
      await approvalCardFor(stack, openId);
    });

    it.each(['dsr.approve', 'dsr.reject', 'dsr.extend', 'dsr.retry', 'dsr.cancel', 'dsr.refresh', 'dsr.manual'])('refuses %s naming a request of the wrong shape, an array or none that exists', async (verb) => {
      const extra = verb === 'dsr.manual' ? { step: 'iotCentral.alertRuleEmails', outcome: 'done' } : {};
      for (const requestId of ['DSR-26-1', 'dsr-2026-0001', ` ${openId}`, `${openId}' or '1'='1`, QUERY_INJECTION, MARKUP, [openId], { id: openId }, 42, null, '../' + openId]) {
        expect(await refusal(marco, stack.teams.channelId, verb, { requestId, ...extra })).toMatch(/does not name a request I know/);
      }
      const missing = await refusal(marco, stack.teams.channelId, verb, { requestId: 'DSR-2026-9999', ...extra });
      expect(missing).toMatch(/no request DSR-2026-9999|not.*DSR-2026-9999|DSR-2026-9999.*not/i);
      expect(await stateOf(stack, openId)).toBe('awaiting_approval');
      await expectStillServing();
    });

    it('refuses dsr.extend with a bad number of months, and changes no due date', async () => {
      const dueAt = (await stack.bot.store.get(openId))!.request.dueAt;
      for (const extendMonths of ['3', '0', '1.5', ['1'], { months: 1 }, QUERY_INJECTION, 'x'.repeat(20_000)]) {
        expect(await refusal(marco, stack.teams.channelId, 'dsr.extend', { requestId: openId, reason: 'Busy', extendMonths })).toMatch(/by 1 or 2 months/);
      }
      expect((await stack.bot.store.get(openId))!.request.dueAt).toBe(dueAt);
      await expectStillServing();
    });

    it('refuses dsr.manual with a bad step or outcome', async () => {
      for (const data of [
        { requestId: openId },
        { requestId: openId, step: 'iotCentral.alertRuleEmails' },
        { requestId: openId, step: 'iotCentral.alertRuleEmails', outcome: 'skipped' },
        { requestId: openId, step: ['iotCentral.alertRuleEmails'], outcome: 'done' },
        { requestId: openId, step: QUERY_INJECTION, outcome: 'done' },
        { requestId: openId, step: MARKUP, outcome: 'done' },
        { requestId: openId, step: 'x'.repeat(20_000), outcome: 'done' },
      ]) {
        expect(await refusal(marco, stack.teams.channelId, 'dsr.manual', data)).toMatch(/manual step I know/);
      }
      // A well-formed step that this request does not have.
      const answer = await clickAnswer(marco, stack.teams.channelId, 'dsr.manual', { requestId: openId, step: 'iotCentral.noSuchStep', outcome: 'done' });
      expect(answer.status).toBe(200);
      expect(answer.text).toMatch(/step|cannot|not/i);
      expect(await stateOf(stack, openId)).toBe('awaiting_approval');
      await expectStillServing();
    });

    it('refuses a rejection reason longer than the card allows, and shows a reason with markup and injections literally', async () => {
      expect(await refusal(marco, stack.teams.channelId, 'dsr.reject', { requestId: openId, reason: 'x'.repeat(20_000) })).toMatch(/at most 500 characters/);
      expect(await stateOf(stack, openId)).toBe('awaiting_approval');

      const reason = `${MARKUP} ${TEMPLATE} ${CARD_JSON} ${QUERY_INJECTION} ${CONTROL} ${BIDI}`;
      const answer = await clickAnswer(marco, stack.teams.channelId, 'dsr.reject', { requestId: openId, reason });
      expect(answer.type).toBe(CARD);
      expect(await stateOf(stack, openId)).toBe('rejected');
      const card = JSON.parse(answer.text) as Record<string, unknown>;
      const facts = (card.body as { type: string; facts?: { title: string; value: string }[] }[]).flatMap((b) => b.facts ?? []);
      const shown = facts.find((f) => f.title.startsWith('Rejected by'))!.value;
      expect(shown).toContain(plainText(reason).slice(0, 100));
      expect(shown).not.toMatch(/[\u0000-\u001f\u202a-\u202e\u2066-\u2069\u200b]/);
      for (const raw of ['<script>', '[click me](http://evil.example)', '${id}', 'DSR-2026-0']) expect(shown.replace(/^.*?UTC: /, '')).not.toContain(raw);
      // Nothing injected into the card's structure: the only actions are the ones the template has.
      expect(JSON.stringify(card)).not.toContain('"url"');
      expect(card.actions ?? []).toEqual([]);
      await expectStillServing();
    });
  });
});

describe('chat messages', () => {
  it.each<[string, string, RegExp]>([
    ['a 20,000-character message', 'x'.repeat(20_000), /didn't catch that/],
    ['a 20,000-character request', `export my data ${'please '.repeat(2_800)}`, /dsr\.submit/],
    ['control characters', `${CONTROL} help`, /didn't catch that|Your data, your rights/],
    ['bidi overrides', `\u202Eatad ym eteled\u202C ${BIDI}`, /didn't catch that/],
    ['a query injection', `cancel ${QUERY_INJECTION}`, /Which request\?/],
    ['an injection after a request id', `cancel DSR-2026-9999' OR 1=1 OR T.$dtId != '`, /DSR-2026-9999/],
    ['an at-mention of someone else without entities', '<at>Priya Raman</at> status', /Your requests/],
    ['template expressions', `${TEMPLATE} {{$root}}`, /didn't catch that/],
    ['card JSON', CARD_JSON, /didn't catch that/],
  ])('answers %s clearly', async (_label, text, says) => {
    const before = sentTo(grace);
    expect(await say(grace, text)).toBe(200);
    const reply = await replyTo(grace, before);
    expect(reply).toMatch(says);
    for (const raw of ['evil.example', '<script>', '${', '\u202E', '\u0000']) expect(reply).not.toContain(raw);
    await expectStillServing();
  });

  it('finds nobody for an approver filing on behalf of an address that is an injection', async () => {
    const addresses = [
      "x'or'1'eq'1@contoso.test",
      `x%27%20or%20mail%20eq%20%27${alex.email}%27%20or%20mail%20eq%20%27@contoso.test`,
      `x&$filter=mail%20eq%20%27${alex.email}%27&x=@contoso.test`,
      'x/../../groups?$top=1#@contoso.test',
      '${id}{{x}}@contoso.test',
    ];
    for (const address of addresses) {
      const before = sentTo(priya);
      expect(await say(priya, `export the data of ${address}`)).toBe(200);
      const reply = await replyTo(priya, before);
      expect(reply).toMatch(/I found nobody with that address|does not look like an e-mail address/);
      expect(reply).not.toContain('On behalf of');
    }
    await expectStillServing(priya);
  });

  it('answers a channel message full of injections with the channel hint, and registers nothing', async () => {
    const before = stack.connector.sent.length;
    expect(await stack.teams.sayInChannel(grace, '19:elsewhere@thread.tacv2', `register approvals ${QUERY_INJECTION}`)).toBe(200);
    const reply = await waitFor('the refusal', () => stack.connector.sent.slice(before).find((s) => s.conversationId.startsWith('19:elsewhere')));
    expect(reply.activity.text).toContain('Only privacy admins');
    await expectStillServing();
  });

  it('shows an approver whose name is markup literally on the card', async () => {
    const id = await fileRequest(stack, diego, 'delete my data', { kind: 'erase', regime: 'GDPR', services: 'entra' });
    const approval = await approvalCardFor(stack, id);
    const name = `[Marco](http://evil.example) ${TEMPLATE} ${BIDI}`;
    const response = await post(activity(marco, {
      type: 'invoke', name: 'adaptiveCard/action', replyToId: approval.activityId,
      from: { id: marco.teamsUserId, name, aadObjectId: marco.aadObjectId },
      conversation: { id: stack.teams.channelId, conversationType: 'channel', isGroup: true, tenantId: stack.tenant.tenantId },
      channelData: { tenant: { id: stack.tenant.tenantId }, channel: { id: stack.teams.channelId } },
      value: { action: { type: 'Action.Execute', verb: 'dsr.approve', data: { requestId: id } }, trigger: 'manual' },
    }));
    const card = JSON.stringify(((await response.json()) as { value: unknown }).value);
    expect(card).toContain(JSON.stringify(`Approved by ${plainText(name, 80)}`).slice(1, -1));
    expect(card).not.toContain('[Marco](');
    expect(card).not.toContain('\\u202e');
    await expectStillServing();
  });
});

describe('afterwards', () => {
  it('logged no turn failure and none of the input', () => {
    const logs = stack.logLines.join('\n');
    expect(logs).toContain('DSR Bot listening');
    expect(logs).not.toMatch(/"level":50/);
    for (const raw of ['evil.example', 'OR 1=1', '<script>', 'xxxxxxxxxxxxxxxxxxxx', ...stack.tenant.users.flatMap((u) => [u.displayName, u.email, u.aadObjectId])]) {
      expect(logs).not.toContain(raw);
    }
  });
});

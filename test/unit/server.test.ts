import { activityProblem } from '../../src/server';

const MESSAGE = {
  type: 'message',
  id: 'incoming-1',
  channelId: 'msteams',
  serviceUrl: 'https://smba.trafficmanager.net/emea/',
  from: { id: '29:abc', name: 'Megan Bowen', aadObjectId: '5d0c2f1e-7a3b-4c2d-9e8f-1a2b3c4d5e6f' },
  recipient: { id: '28:dsr-bot', name: 'DSR Bot' },
  conversation: { id: 'a:1on1', conversationType: 'personal', tenantId: 't', isGroup: false },
  text: '<at>DSR Bot</at> help',
  entities: [{ type: 'mention', text: '<at>DSR Bot</at>', mentioned: { id: '28:dsr-bot', name: 'DSR Bot' } }, { type: 'clientInfo', locale: 'en-US' }],
  attachments: [],
};

const change = (changes: Record<string, unknown>) => ({ ...MESSAGE, ...changes });

describe('activityProblem', () => {
  it('finds nothing wrong with an activity as Teams sends it, nor with one without text, entities or attachments', () => {
    expect(activityProblem(MESSAGE)).toBeUndefined();
    expect(activityProblem(change({ text: undefined, entities: undefined, attachments: undefined }))).toBeUndefined();
    expect(activityProblem(change({ type: 'invoke', name: 'adaptiveCard/action', value: 'anything' }))).toBeUndefined();
    expect(activityProblem(change({ id: null, locale: null, text: null, entities: [], attachments: null, from: { id: '29:abc', name: null, aadObjectId: null } }))).toBeUndefined();
  });

  it.each<[string, unknown, RegExp]>([
    ['null', null, /JSON object/],
    ['an array', [MESSAGE], /JSON object/],
    ['a string', 'message', /JSON object/],
    ['no type', change({ type: undefined }), /no type/],
    ['an empty type', change({ type: '' }), /no type/],
    ['a numeric type', change({ type: 1 }), /no type/],
    ['no channelId', change({ channelId: undefined }), /no channelId/],
    ['no serviceUrl', change({ serviceUrl: undefined }), /serviceUrl/],
    ['a serviceUrl that is not http', change({ serviceUrl: 'file:///etc/passwd' }), /serviceUrl/],
    ['no from', change({ from: undefined }), /from\.id/],
    ['from as a string', change({ from: '29:abc' }), /from\.id/],
    ['from without an id', change({ from: { name: 'x' } }), /from\.id/],
    ['a numeric aadObjectId', change({ from: { id: '29:abc', aadObjectId: 42 } }), /from\.aadObjectId must be a string/],
    ['no recipient', change({ recipient: undefined }), /recipient\.id/],
    ['no conversation', change({ conversation: undefined }), /conversation\.id/],
    ['a conversation without an id', change({ conversation: { conversationType: 'personal' } }), /conversation\.id/],
    ['isGroup as a string', change({ conversation: { id: 'a', isGroup: 'yes' } }), /isGroup/],
    ['a numeric id', change({ id: 7 }), /^id must be a string/],
    ['text as a number', change({ text: 7 }), /text must be a string/],
    ['entities as a string', change({ entities: 'mention' }), /entities must be a list/],
    ['entities as null', change({ entities: null }), /entities must be a list/],
    ['an entity without a type', change({ entities: [{ text: 'x' }] }), /each with a type/],
    ['a mention without text', change({ text: null }), /mentions must have text/],
    ['a mention of nobody', change({ entities: [{ type: 'mention', text: '<at>x</at>' }] }), /who is mentioned/],
    ['attachments that are not objects', change({ attachments: ['x'] }), /attachments must be a list/],
  ])('says what is wrong with %s', (_label, body, says) => {
    expect(activityProblem(body)).toMatch(says);
  });
});

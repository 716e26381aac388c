import { TableClient } from '@azure/data-tables';
import { BotStoreAdapter } from '../../src/adapters/botStore/botStoreAdapter';
import { type DsrRequest, isPseudonym, type OwnTraces, pseudonymised, type RequestState, updateRequest } from '../../src/dsr';
import { startAzurite, type RunningAzurite } from '../../src/sandbox/azurite';
import { TableRequestStore } from '../../src/storage/tableRequestStore';
import { ConversationStore } from '../../src/storage/conversationStore';
import { StorageOwnTraces } from '../../src/storage/ownTraces';
import { ServiceExportContainers } from '../../src/storage/serviceExportContainers';
import { ensureStorage, storageClientsFromConnectionString } from '../../src/storage/storageClients';
import { callContext } from '../support/adapterTesting';
import { freshDataDir } from '../support/dataDir';
import { APPROVER_A, SUBJECT, sampleRequest } from '../unit/sampleRequest';

/** The bot's own records about the subject, through the real Tables client on Azurite. */
jest.setTimeout(60_000);

const KEY = 'bot-store-adapter-test-key';
/** The request being carried out (callContext's). */
const THIS_REQUEST = 'DSR-2026-0001';
const OTHER_PERSON = { aadObjectId: '9e9e9e9e-0000-4000-8000-000000000099', upn: 'other@contoso.example', email: 'other@contoso.example', displayName: 'Other Person' };

let azurite: RunningAzurite;
let tables = 0;

beforeAll(async () => {
  azurite = await startAzurite({ location: `${freshDataDir('bot-store-adapter')}/azurite` });
});

afterAll(async () => {
  await azurite?.stop();
});

/** Tables of their own for one test, and the request rows as the bot keeps them. */
async function freshStore(): Promise<{ store: TableRequestStore; requests: TableClient }> {
  const table = (name: string) => TableClient.fromConnectionString(azurite.connectionString, `${name}${++tables}`, { allowInsecureConnection: true });
  const [requests, counters] = [table('requests'), table('counters')];
  await Promise.all([requests.createTable(), counters.createTable()]);
  return { store: new TableRequestStore(requests, counters), requests };
}

function request(id: string, state: RequestState, overrides: Partial<DsrRequest> = {}): DsrRequest {
  const closed = !['executing', 'awaiting_approval'].includes(state);
  return sampleRequest({ id, state, kind: 'erase', receivedAt: `${id.slice(4, 8)}-0${id.slice(-1)}-01T09:00:00.000Z`, ...(closed && { closedAt: '2026-10-01T09:00:00.000Z' }), ...overrides });
}

/**
 * The subject's records: this request (executing), two earlier closed ones, one earlier still
 * awaiting approval; and two about someone else, one of them filed by the subject.
 */
const RECORDS = [
  request(THIS_REQUEST, 'executing'),
  request('DSR-2025-0002', 'completed'),
  request('DSR-2025-0003', 'rejected'),
  request('DSR-2025-0004', 'awaiting_approval'),
  request('DSR-2025-0005', 'completed', { subject: { ...OTHER_PERSON }, requester: { ...APPROVER_A } }),
  request('DSR-2025-0006', 'completed', { subject: { ...OTHER_PERSON } }),
];

/** No conversation reference or file about anyone: these tests are about the request records (ownTraces.test.ts covers the rest). */
const NO_OTHER_TRACES: OwnTraces = {
  hasConversation: async () => false,
  retireConversation: async () => false,
  filesAbout: async () => [],
  removeFile: async () => false,
  leftoverExportSpaces: async () => [],
  removeExportSpace: async () => false,
};

async function seeded(): Promise<{ store: TableRequestStore; requests: TableClient; adapter: BotStoreAdapter }> {
  const { store, requests } = await freshStore();
  for (const record of RECORDS) await store.create(record);
  return { store, requests, adapter: new BotStoreAdapter(store, NO_OTHER_TRACES, KEY) };
}

/** The ids of the stored records whose subject is now a pseudonym. */
async function pseudonymisedIds(store: TableRequestStore): Promise<string[]> {
  const ids: string[] = [];
  for (const { id } of RECORDS) {
    const stored = await store.get(id);
    if (stored && isPseudonym(stored.request.subject.aadObjectId)) ids.push(id);
  }
  return ids;
}

const close = (store: TableRequestStore, id: string) => updateRequest(store, id, (r) => ({ ...r, state: 'completed', closedAt: '2026-11-30T09:00:00.000Z' }));

describe('Bot store adapter carrying out an approved plan, against Azurite', () => {
  it('plans the earlier closed records about the subject by request id, never this request or an open one', async () => {
    const { adapter } = await seeded();
    const found = await adapter.discover(SUBJECT, callContext('erase'));
    expect(found.plan).toEqual([
      { type: 'request', id: 'DSR-2025-0003', reason: 'subject' },
      { type: 'request', id: 'DSR-2025-0002', reason: 'subject' },
    ]);
    expect(found.count).toBe(4);
    expect(found.items).toEqual([
      { code: 'botStore.earlierRequests', count: 3 }, { code: 'botStore.thisRequest' },
      { code: 'botStore.conversations', count: 0 }, { code: 'botStore.files', count: 0 },
    ]);
  });

  it('pseudonymises exactly the planned records; a record closed after discovery is delta and keeps its subject', async () => {
    const { store, adapter } = await seeded();
    const { plan } = await adapter.discover(SUBJECT, callContext('erase'));
    await close(store, 'DSR-2025-0004');

    const report = await adapter.erase(SUBJECT, callContext('erase', plan));
    expect(report).toEqual({
      summary: { code: 'botStore.erased', records: 2, conversations: 0, files: 0, exportSpaces: 0 },
      count: 2,
      items: [
        { type: 'request', id: 'DSR-2025-0003', result: 'changed' },
        { type: 'request', id: 'DSR-2025-0002', result: 'changed' },
      ],
      delta: [{ type: 'request', id: 'DSR-2025-0004', reason: 'subject' }],
    });
    expect((await pseudonymisedIds(store)).sort()).toEqual(['DSR-2025-0002', 'DSR-2025-0003']);
    expect((await store.get('DSR-2025-0004'))?.request.subject).toEqual(SUBJECT);
    expect((await store.get(THIS_REQUEST))?.request.subject).toEqual(SUBJECT);
  });

  it('reports a planned record deleted, or pseudonymised by retention, before execution as alreadyGone', async () => {
    const { store, requests, adapter } = await seeded();
    const { plan } = await adapter.discover(SUBJECT, callContext('erase'));
    await requests.deleteEntity('request', 'DSR-2025-0002');
    await updateRequest(store, 'DSR-2025-0003', (r) => ({ ...pseudonymised(r, KEY), pseudonymisedAt: '2026-11-30T09:00:00.000Z' }));

    const report = await adapter.erase(SUBJECT, callContext('erase', plan));
    expect(report.items).toEqual([
      { type: 'request', id: 'DSR-2025-0003', result: 'alreadyGone' },
      { type: 'request', id: 'DSR-2025-0002', result: 'alreadyGone' },
    ]);
    expect(report.count).toBe(0);
    expect(report.delta).toEqual([]);
  });

  it('keeps a planned record that is open, as this request is', async () => {
    const { store, adapter } = await seeded();
    const report = await adapter.erase(SUBJECT, callContext('erase', [{ type: 'request', id: THIS_REQUEST, reason: 'subject' }]));
    expect(report.items).toEqual([{ type: 'request', id: THIS_REQUEST, result: 'kept' }]);
    expect(report.count).toBe(0);
    expect(await pseudonymisedIds(store)).toEqual([]);
  });

  it('plans from the conversation reference known a moment ago, and erases and finds the delta with a fresh look', async () => {
    const { store } = await seeded();
    const asked: boolean[] = [];
    const adapter = new BotStoreAdapter(store, { ...NO_OTHER_TRACES, hasConversation: async (_id, { fresh }) => asked.push(fresh) > 0, retireConversation: async () => true }, KEY);
    const { plan } = await adapter.discover(SUBJECT, callContext('erase'));
    expect(plan).toContainEqual({ type: 'conversation', id: `user:${SUBJECT.aadObjectId}`, reason: 'subject' });
    expect(asked).toEqual([false]);
    await adapter.erase(SUBJECT, callContext('erase', plan));
    expect(asked).toEqual([false, true]);
    await adapter.erase(SUBJECT, callContext('erase'));
    expect(asked).toEqual([false, true, true]);
  });

  it('without a plan (a request discovered before plans) pseudonymises every earlier closed record as before', async () => {
    const { store, adapter } = await seeded();
    await close(store, 'DSR-2025-0004');
    const report = await adapter.erase(SUBJECT, callContext('erase'));
    expect(report).toEqual({ summary: { code: 'botStore.erased', records: 3, conversations: 0, files: 0, exportSpaces: 0 }, count: 3 });
    expect((await pseudonymisedIds(store)).sort()).toEqual(['DSR-2025-0002', 'DSR-2025-0003', 'DSR-2025-0004']);
  });

  it('plans a system-logs export container an earlier request left; one gone before execution is alreadyGone, one of a request closed after the plan is delta and stays', async () => {
    const { store } = await freshStore();
    for (const record of RECORDS) await store.create(record);
    const clients = storageClientsFromConnectionString(azurite.connectionString);
    await ensureStorage(clients);
    const places = ServiceExportContainers.in(undefined, clients.exports, { now: () => new Date('2026-11-22T10:00:00.000Z') });
    const adapter = new BotStoreAdapter(store, new StorageOwnTraces(new ConversationStore(clients.conversations, KEY), clients.exports, places), KEY);
    await places.prepare('DSR-2025-0002');
    await places.prepare('DSR-2025-0006');

    const found = await adapter.discover(SUBJECT, callContext('erase'));
    expect(found.plan).toContainEqual({ type: 'serviceExportSpace', id: 'DSR-2025-0002', reason: 'subject' });
    // Someone else's request: not the subject's trace.
    expect(found.plan?.some((item) => item.id === 'DSR-2025-0006' && item.type === 'serviceExportSpace')).toBe(false);
    expect(found.items).toContainEqual({ code: 'botStore.exportSpaces', count: 1 });

    await places.remove('DSR-2025-0002');
    await close(store, 'DSR-2025-0004');
    await places.prepare('DSR-2025-0004');
    const report = await adapter.erase(SUBJECT, callContext('erase', found.plan));
    expect(report.items).toContainEqual({ type: 'serviceExportSpace', id: 'DSR-2025-0002', result: 'alreadyGone' });
    expect(report.delta).toEqual([{ type: 'request', id: 'DSR-2025-0004', reason: 'subject' }, { type: 'serviceExportSpace', id: 'DSR-2025-0004', reason: 'subject' }]);
    expect(await places.has('DSR-2025-0004')).toBe(true);
    expect(await places.has('DSR-2025-0006')).toBe(true);
  });
});

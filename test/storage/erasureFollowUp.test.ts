import { RunningAzurite, startAzurite } from '../../src/sandbox/azurite';
import { ConversationStore, userConversationKey } from '../../src/storage/conversationStore';
import { ErasureFollowUp } from '../../src/storage/erasureFollowUp';
import { ensureStorage, storageClientsFromConnectionString } from '../../src/storage/storageClients';
import { AuditEntry } from '../../src/storage/tableAuditLog';
import { TableRequestStore } from '../../src/storage/tableRequestStore';
import { isPseudonym, updateRequest } from '../../src/dsr';
import { freshDataDir } from '../support/dataDir';
import { SUBJECT, SUBJECT_VALUES, sampleRequest } from '../unit/sampleRequest';
import { auditLogOf } from '../support/auditFakes';

/**
 * What an erasure leaves for after its receipt: the conversation copy and the subject in the
 * request itself stay until the audit chain records the receipt, and the subject's object id
 * until the purge; then the next sweep removes them, whichever instance runs it.
 */
jest.setTimeout(60_000);

const KEY = 'test-pseudonym-key-0123456789';
const NOW = new Date('2026-03-02T10:00:00Z');
const ID = 'DSR-2026-0050';

let azurite: RunningAzurite;
let store: TableRequestStore;
let conversations: ConversationStore;
const entries: AuditEntry[] = [];
const audit = {
  entries: async (requestId: string) => entries.filter((e) => e.requestId === requestId),
  ...auditLogOf(async (requestId, event, detail) => {
    entries.push({ requestId, sequence: entries.length + 1, event, detail, at: NOW.toISOString(), previousHash: '', hash: '' });
  }),
};
const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
let followUp: ErasureFollowUp;

beforeAll(async () => {
  azurite = await startAzurite({ location: `${freshDataDir('erasure-follow-up')}/azurite` });
  const clients = storageClientsFromConnectionString(azurite.connectionString);
  await ensureStorage(clients);
  store = new TableRequestStore(clients.requests, clients.counters);
  conversations = new ConversationStore(clients.conversations, KEY);
  followUp = new ErasureFollowUp({ store, conversations, audit, clock: { now: () => NOW }, log, pseudonymKey: KEY });
});

afterAll(async () => {
  await azurite?.stop();
});

const stored = async () => (await store.get(ID))!.request;

describe('ErasureFollowUp', () => {
  it('keeps the copy and the subject until the receipt is recorded, the object id until the purge, then removes both', async () => {
    const done = { status: 'done' as const, summary: 's', count: 1, at: NOW.toISOString(), attempts: 1 };
    await store.create(sampleRequest({ id: ID, kind: 'erase', state: 'soft_deleted', closedAt: NOW.toISOString(), steps: { botStore: done, entra: { ...done, awaitsPurge: true } } }));
    await conversations.save(userConversationKey(SUBJECT.aadObjectId), { serviceUrl: 'https://smba.example/', user: { id: '29:s' }, conversation: { id: 'a:1' } });
    await conversations.retire(SUBJECT.aadObjectId, ID);

    // A crash before the receipt: nothing is removed, the next sweep looks again.
    expect(await followUp.sweep()).toEqual({ copiesRemoved: 0, requestsPseudonymised: 0 });
    expect(await conversations.get(userConversationKey(SUBJECT.aadObjectId))).toBeDefined();

    await audit.append(ID, 'delivered', { what: 'receipt', recipientsTold: 'entra' });
    expect(await followUp.sweep()).toEqual({ copiesRemoved: 1, requestsPseudonymised: 0 });
    expect(await conversations.get(userConversationKey(SUBJECT.aadObjectId))).toBeUndefined();
    expect((await stored()).subject.aadObjectId).toBe(SUBJECT.aadObjectId);

    await updateRequest(store, ID, (r) => ({ ...r, state: 'purged' }));
    expect(await followUp.sweep()).toEqual({ copiesRemoved: 0, requestsPseudonymised: 1 });
    const kept = JSON.stringify(await stored());
    for (const value of SUBJECT_VALUES) expect(kept).not.toContain(value);
    expect(isPseudonym((await stored()).subject.aadObjectId)).toBe(true);
    expect(entries.at(-1)).toMatchObject({ event: 'pseudonymised', detail: { reason: 'erasure carried out' } });
    expect(await followUp.sweep()).toEqual({ copiesRemoved: 0, requestsPseudonymised: 0 });
  });

  it('pseudonymises an erasure whose account was restored after its receipt: no purge will need the object id', async () => {
    const id = 'DSR-2026-0051';
    const done = { status: 'done' as const, summary: 's', count: 1, at: NOW.toISOString(), attempts: 1 };
    await store.create(sampleRequest({ id, kind: 'erase', state: 'account_restored', closedAt: NOW.toISOString(), steps: { botStore: done, entra: done } }));
    expect(await followUp.sweep()).toEqual({ copiesRemoved: 0, requestsPseudonymised: 0 });

    await audit.append(id, 'delivered', { what: 'receipt', recipientsTold: 'entra' });
    expect(await followUp.sweep()).toEqual({ copiesRemoved: 0, requestsPseudonymised: 1 });
    expect(isPseudonym((await store.get(id))!.request.subject.aadObjectId)).toBe(true);
  });
});

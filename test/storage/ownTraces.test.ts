import { BlobServiceClient } from '@azure/storage-blob';
import { RunningAzurite, startAzurite } from '../../src/sandbox/azurite';
import { ConversationStore, userConversationKey } from '../../src/storage/conversationStore';
import { REGISTER_PREFIX, StorageOwnTraces } from '../../src/storage/ownTraces';
import { ServiceExportContainers } from '../../src/storage/serviceExportContainers';
import { ensureStorage, storageClientsFromConnectionString, StorageClients } from '../../src/storage/storageClients';
import { pseudonymFor } from '../../src/dsr';
import { freshDataDir } from '../support/dataDir';

/** The bot's own traces of a person in Azurite: the conversation reference retired for a receipt, the files naming them, the export places left behind. */
jest.setTimeout(60_000);

const KEY = 'test-pseudonym-key-0123456789';
const PERSON = { aadObjectId: 'e2000000-0000-4000-8000-0000000000f1', upn: 'lee.gu@contoso.example', email: 'Lee.Gu@contoso.example', displayName: 'Lee Gu' };
const REFERENCE = {
  serviceUrl: 'https://smba.trafficmanager.net/emea/',
  channelId: 'msteams',
  conversation: { id: 'a:1on1-lee', conversationType: 'personal', tenantId: 't1' },
  bot: { id: '28:bot', name: 'DSR Bot' },
  user: { id: '29:lee', name: PERSON.displayName, aadObjectId: PERSON.aadObjectId },
  locale: 'en-GB',
};

let azurite: RunningAzurite;
let clients: StorageClients;
let conversations: ConversationStore;
let traces: StorageOwnTraces;
let places: ServiceExportContainers;

beforeAll(async () => {
  azurite = await startAzurite({ location: `${freshDataDir('own-traces-storage')}/azurite` });
  clients = storageClientsFromConnectionString(azurite.connectionString);
  await ensureStorage(clients);
  conversations = new ConversationStore(clients.conversations, KEY);
  places = ServiceExportContainers.in(undefined, clients.exports, { now: () => new Date('2026-11-22T10:00:00.000Z') });
  traces = new StorageOwnTraces(conversations, clients.exports, places);
});

afterAll(async () => {
  await azurite?.stop();
});

const upload = (name: string, text: string) => clients.exports.getBlockBlobClient(name).upload(text, Buffer.byteLength(text));

describe('StorageOwnTraces', () => {
  it('retires a reference to a copy without name or ids that the person’s key still reaches, until the copy is removed', async () => {
    await conversations.save(userConversationKey(PERSON.aadObjectId), REFERENCE);
    expect(await traces.hasConversation(PERSON.aadObjectId, { fresh: true })).toBe(true);
    expect(await traces.retireConversation(PERSON.aadObjectId, 'DSR-2026-0007')).toBe(true);

    expect(await traces.hasConversation(PERSON.aadObjectId, { fresh: true })).toBe(false);
    expect(await traces.hasConversation(PERSON.aadObjectId, { fresh: false })).toBe(false);
    const copy = await conversations.get(userConversationKey(PERSON.aadObjectId));
    expect(copy).toEqual({ ...REFERENCE, bot: { id: '28:bot' }, user: { id: '29:lee' } });
    expect(await conversations.receiptCopies()).toEqual([{ pseudonym: pseudonymFor(PERSON.aadObjectId, KEY), requestId: 'DSR-2026-0007' }]);
    // The request may be pseudonymised before the receipt goes: its requester's pseudonym finds the copy too.
    expect(await conversations.get(userConversationKey(pseudonymFor(PERSON.aadObjectId, KEY)))).toEqual(copy);

    expect(await traces.retireConversation(PERSON.aadObjectId, 'DSR-2026-0007')).toBe(false);
    await conversations.removeReceiptCopy(pseudonymFor(PERSON.aadObjectId, KEY));
    expect(await conversations.get(userConversationKey(PERSON.aadObjectId))).toBeUndefined();
  });

  it('finds the packages of the person’s requests and the register files naming them in any case, and nothing else', async () => {
    await upload('DSR-2026-0001/DSR-2026-0001-export.zip', 'zip');
    await upload('DSR-2026-0002/DSR-2026-0002-export.zip', 'zip of someone else');
    await upload(`${REGISTER_PREFIX}dsr-register-1.csv`, 'request_id,approved_by\nDSR-2026-0003,LEE GU\n');
    await upload(`${REGISTER_PREFIX}dsr-register-2.csv`, 'request_id,approved_by\nDSR-2026-0003,Priya Raman\n');

    const files = await traces.filesAbout(PERSON, ['DSR-2026-0001']);
    expect(files.sort()).toEqual(['DSR-2026-0001/DSR-2026-0001-export.zip', `${REGISTER_PREFIX}dsr-register-1.csv`]);
    expect(await traces.removeFile(files[0])).toBe(true);
    expect(await traces.removeFile(files[0])).toBe(false);
  });

  it('finds the system-logs export places left by the person’s requests, removes one, and leaves the others', async () => {
    // What an export that never finished leaves: its container, with the logs Graph wrote.
    await places.prepare('DSR-2026-0011');
    const logs = 'op-1/MicrosoftTeams/UsageEvents.csv';
    await BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('dsr-export-dsr-2026-0011').getBlockBlobClient(logs).upload('sign-in', 7);
    await places.prepare('DSR-2026-0012');

    expect(await traces.leftoverExportSpaces(['DSR-2026-0010', 'DSR-2026-0011'])).toEqual(['DSR-2026-0011']);
    expect(await traces.removeExportSpace('DSR-2026-0011')).toBe(true);
    expect(await traces.removeExportSpace('DSR-2026-0011')).toBe(false);
    expect(await traces.leftoverExportSpaces(['DSR-2026-0011'])).toEqual([]);
    // Someone else's request keeps its place.
    expect(await places.has('DSR-2026-0012')).toBe(true);
  });
});

import { randomBytes } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { updateRequest } from '../../src/dsr';
import { RunningAzurite, startAzurite } from '../../src/sandbox/azurite';
import { ConversationStore } from '../../src/storage/conversationStore';
import { ensureStorage, storageClientsFromConnectionString } from '../../src/storage/storageClients';
import { GENESIS, TableAuditLog, hashEntry } from '../../src/storage/tableAuditLog';
import { TableRequestStore } from '../../src/storage/tableRequestStore';
import { freshDataDir } from '../support/dataDir';
import { sampleRequest } from '../unit/sampleRequest';

/**
 * What each storage part remembers of its own last write to save a read, against a second
 * instance writing the same rows (two bot processes on one storage account, on Azurite): a
 * remembered version is only ever written against conditionally, so the other instance's write
 * is never lost, and a decision to write nothing is never taken on a remembered version alone.
 */
jest.setTimeout(60_000);

let azurite: RunningAzurite;
let connection: string;
const key = randomBytes(32);
let now = new Date('2026-12-01T09:00:00.000Z');
const clock = { now: () => new Date(now) };

/** One instance's clients: its own TableClient objects, as another process would have. */
async function instance() {
  const clients = storageClientsFromConnectionString(connection);
  await ensureStorage(clients);
  return clients;
}

/** Counts the reads one client makes of single rows. */
function countReads(table: TableClient): () => number {
  const read = jest.spyOn(table, 'getEntity');
  return () => read.mock.calls.length;
}

beforeAll(async () => {
  azurite = await startAzurite({ location: `${freshDataDir('remembered-versions')}/azurite` });
  connection = azurite.connectionString;
});

afterAll(async () => {
  await azurite?.stop();
});

describe('requests', () => {
  it('changes a request this instance wrote last without reading it again', async () => {
    const clients = await instance();
    const store = new TableRequestStore(clients.requests, clients.counters);
    const reads = countReads(clients.requests);
    await store.create(sampleRequest({ id: 'DSR-2026-0301' }));
    await updateRequest(store, 'DSR-2026-0301', (r) => ({ ...r, state: 'awaiting_approval' }));
    await updateRequest(store, 'DSR-2026-0301', (r) => ({ ...r, state: 'approved' }));
    expect(reads()).toBe(0);
    expect((await store.get('DSR-2026-0301'))?.request.state).toBe('approved');
  });

  it('keeps the other instance\'s write: the write against the remembered version fails and is made again on the row as it is', async () => {
    const [a, b] = [await instance(), await instance()];
    const [storeA, storeB] = [new TableRequestStore(a.requests, a.counters), new TableRequestStore(b.requests, b.counters)];
    await storeA.create(sampleRequest({ id: 'DSR-2026-0302', decisions: [] }));
    const approval = (name: string) => ({ by: { aadObjectId: `${name}-id`, displayName: name }, decision: 'approve' as const, at: now.toISOString() });
    await updateRequest(storeB, 'DSR-2026-0302', (r) => ({ ...r, decisions: [...r.decisions, approval('b')] }));
    await updateRequest(storeA, 'DSR-2026-0302', (r) => ({ ...r, decisions: [...r.decisions, approval('a')] }));
    expect((await storeB.get('DSR-2026-0302'))?.request.decisions.map((d) => d.by.displayName)).toEqual(['b', 'a']);
  });

  it('decides again on a fresh read before declining on what it remembers', async () => {
    const [a, b] = [await instance(), await instance()];
    const [storeA, storeB] = [new TableRequestStore(a.requests, a.counters), new TableRequestStore(b.requests, b.counters)];
    await storeA.create(sampleRequest({ id: 'DSR-2026-0303', state: 'submitted' }));
    await updateRequest(storeB, 'DSR-2026-0303', (r) => ({ ...r, state: 'awaiting_approval' }));
    // Instance A remembers `submitted`, where this change declines; the row says otherwise.
    const seen: string[] = [];
    const approved = await updateRequest(storeA, 'DSR-2026-0303', (r) => {
      seen.push(r.state);
      return r.state === 'awaiting_approval' ? { ...r, state: 'approved' } : undefined;
    });
    expect(seen).toEqual(['submitted', 'awaiting_approval']);
    expect(approved?.state).toBe('approved');
    expect((await storeB.get('DSR-2026-0303'))?.request.state).toBe('approved');
  });
});

describe('audit chains', () => {
  it('starts a chain and appends to the one it anchored last without reading, and after another instance\'s append re-reads it and chains on', async () => {
    const [a, b] = [await instance(), await instance()];
    const [logA, logB] = [new TableAuditLog(a.audit, clock, key), new TableAuditLog(b.audit, clock, key)];
    const reads = countReads(a.audit);
    const [readsB, transactionsB] = [countReads(b.audit), jest.spyOn(b.audit, 'submitTransaction')];
    await logA.begin('DSR-2026-0401', 'created', {});
    await logA.append('DSR-2026-0401', 'discovered', { items: 2 });
    await logA.append('DSR-2026-0401', 'approved', {});
    // A new chain is taken to be new, and then its anchor is the one this instance wrote.
    expect(reads()).toBe(0);
    // An instance that has not written the chain reads its anchor first, and appends in one try.
    await logB.append('DSR-2026-0401', 'delivered', {});
    expect([readsB(), transactionsB.mock.calls.length]).toEqual([1, 1]);
    await logA.append('DSR-2026-0401', 'completed', {});
    const entries = await logA.entries('DSR-2026-0401');
    expect(entries.map((e) => [e.sequence, e.event])).toEqual([[1, 'created'], [2, 'discovered'], [3, 'approved'], [4, 'delivered'], [5, 'completed']]);
    expect(logA.breakIn('DSR-2026-0401', { entries, head: await logA.head('DSR-2026-0401') })).toBeUndefined();
  });

  it('gives the head it wrote last for a package or receipt without reading it; an instance that wrote none reads it', async () => {
    const [a, b] = [await instance(), await instance()];
    const [logA, logB] = [new TableAuditLog(a.audit, clock, key), new TableAuditLog(b.audit, clock, key)];
    const [readsA, readsB] = [countReads(a.audit), countReads(b.audit)];
    await logA.begin('DSR-2026-0404', 'created', {});
    await logA.append('DSR-2026-0404', 'exported', { files: 3 });
    const written = await logA.writtenHead('DSR-2026-0404');

    expect(written).toEqual({ count: 2, hash: (await logA.entries('DSR-2026-0404'))[1].hash });
    expect(readsA()).toBe(0);
    expect(await logB.writtenHead('DSR-2026-0404')).toEqual(written);
    expect(readsB()).toBe(1);
    // Another instance's later entry only extends the chain: the head given stays one it holds.
    await logB.append('DSR-2026-0404', 'delivered', {});
    const entries = await logA.entries('DSR-2026-0404');
    expect(await logA.writtenHead('DSR-2026-0404')).toEqual({ count: 2, hash: entries[1].hash });
    expect(await logB.writtenHead('DSR-2026-0404')).toEqual({ count: 3, hash: entries[2].hash });
  });

  it('appends several events in one transaction, in order, after another instance\'s entries, and all or none of them', async () => {
    const [a, b] = [await instance(), await instance()];
    const [logA, logB] = [new TableAuditLog(a.audit, clock, key), new TableAuditLog(b.audit, clock, key)];
    await logA.begin('DSR-2026-0403', 'execution started', {});
    await logB.append('DSR-2026-0403', 'lease taken over', {});
    const transactions = jest.spyOn(a.audit, 'submitTransaction');
    await logA.appendAll('DSR-2026-0403', [
      { event: 'step done', detail: { service: 'entra', count: 1 } },
      { event: 'step done', detail: { service: 'botStore', count: 0 } },
      { event: 'package written', detail: { bytes: 2048 } },
    ]);
    // The first try went against the anchor A wrote, which B had moved on: one failed, one written.
    expect(transactions).toHaveBeenCalledTimes(2);
    const entries = await logA.entries('DSR-2026-0403');
    expect(entries.map((e) => [e.sequence, e.event, e.detail.service ?? ''])).toEqual([
      [1, 'execution started', ''], [2, 'lease taken over', ''], [3, 'step done', 'entra'], [4, 'step done', 'botStore'], [5, 'package written', ''],
    ]);
    expect(await logA.head('DSR-2026-0403')).toMatchObject({ count: 5, hash: entries[4].hash });
    expect(logA.breakIn('DSR-2026-0403', { entries, head: await logA.head('DSR-2026-0403') })).toBeUndefined();

    // An entry that cannot be written (a detail too large for its property) fails the whole transaction.
    await expect(logA.appendAll('DSR-2026-0403', [{ event: 'completed', detail: {} }, { event: 'delivered', detail: { note: 'x'.repeat(40_000) } }])).rejects.toThrow();
    expect((await logA.entries('DSR-2026-0403')).map((e) => e.event).slice(5)).toEqual([]);
  });

  it('anchors a chain written before anchors existed after the entries it has, not over them', async () => {
    const { audit } = await instance();
    const legacy = { requestId: 'DSR-2026-0402', sequence: 1, event: 'created', detail: {}, at: now.toISOString(), previousHash: GENESIS };
    const hash = hashEntry(legacy);
    await audit.createEntity({ partitionKey: legacy.requestId, rowKey: '00000001', event: legacy.event, detail: '{}', at: legacy.at, previousHash: GENESIS, hash });
    const log = new TableAuditLog(audit, clock, key);
    await log.append('DSR-2026-0402', 'discovered', {});
    const entries = await log.entries('DSR-2026-0402');
    expect(entries.map((e) => [e.sequence, e.event, e.previousHash])).toEqual([[1, 'created', GENESIS], [2, 'discovered', hash]]);
    expect(log.breakIn('DSR-2026-0402', { entries, head: await log.head('DSR-2026-0402') })).toBeUndefined();
  });
});

describe('channel references', () => {
  const reference = (conversation: string) => ({ serviceUrl: 'https://smba.example/emea/', channelId: 'msteams', conversation: { id: conversation } });

  it('reuses a channel\'s reference for a minute, uses its own new registration at once and another instance\'s after the minute', async () => {
    const [a, b] = [await instance(), await instance()];
    const storeA = new ConversationStore(a.conversations, 'key', { ttlMs: 60_000, clock });
    const storeB = new ConversationStore(b.conversations, 'key');
    const reads = countReads(a.conversations);
    await storeB.save('channel:approvals', reference('19:first@thread.tacv2'));
    expect((await storeA.get('channel:approvals'))?.conversation?.id).toBe('19:first@thread.tacv2');
    expect((await storeA.get('channel:approvals'))?.conversation?.id).toBe('19:first@thread.tacv2');
    expect(reads()).toBe(1);

    await storeA.save('channel:approvals', reference('19:second@thread.tacv2'));
    expect((await storeA.get('channel:approvals'))?.conversation?.id).toBe('19:second@thread.tacv2');

    await storeB.save('channel:approvals', reference('19:third@thread.tacv2'));
    expect((await storeA.get('channel:approvals'))?.conversation?.id).toBe('19:second@thread.tacv2');
    now = new Date(now.getTime() + 60_000);
    expect((await storeA.get('channel:approvals'))?.conversation?.id).toBe('19:third@thread.tacv2');
  });

  it('saves the references of many people at once in a few transactions, and each reads back as saved', async () => {
    const { conversations } = await instance();
    const store = new ConversationStore(conversations, 'key');
    const [transactions, upserts] = [jest.spyOn(conversations, 'submitTransaction'), jest.spyOn(conversations, 'upsertEntity')];
    const people = Array.from({ length: 150 }, (_, i) => `0f7a3c1e-5b2d-4e8f-9a6c-${String(i).padStart(12, '0')}`);
    await Promise.all(people.map((person) => store.save(`user:${person}`, { ...reference(`a:${person}`), user: { id: `29:${person}` } })));
    // 100 rows in a transaction at most; one at a time they were 150 writes.
    expect(transactions.mock.calls.length + upserts.mock.calls.length).toBeLessThanOrEqual(4);
    for (const person of people) expect((await store.get(`user:${person}`))?.conversation?.id).toBe(`a:${person}`);
  });

  it('reuses a person\'s reference for a minute, writes it again only when their chat changed, and forgets it at its own erasure', async () => {
    const [a, b] = [await instance(), await instance()];
    const storeA = new ConversationStore(a.conversations, 'key', { ttlMs: 60_000, clock });
    const storeB = new ConversationStore(b.conversations, 'key');
    const reads = countReads(a.conversations);
    const writes = jest.spyOn(a.conversations, 'upsertEntity');
    const person = '0f7a3c1e-5b2d-4e8f-9a6c-1d3e5f7a9b0c';
    const key = `user:${person}` as const;
    const chat = (id: string, activityId: string) => ({ ...reference(id), activityId, user: { id: '29:alex', name: 'Alex Wilber', aadObjectId: person } });

    await storeA.save(key, chat('a:1on1', 'first'));
    await storeA.save(key, chat('a:1on1', 'second'));
    expect(writes).toHaveBeenCalledTimes(1);
    expect((await storeA.get(key))?.activityId).toBe('first');
    await storeA.save(key, chat('a:another', 'third'));
    expect(writes).toHaveBeenCalledTimes(2);
    expect((await storeB.get(key))?.conversation?.id).toBe('a:another');
    expect(reads()).toBe(0);

    // An erasure elsewhere: this instance reaches the chat as before for the minute, and a
    // discovery may count the reference; `has` asked to be fresh reads the table.
    await storeB.retire(person, 'DSR-2026-0501');
    expect((await storeA.get(key))?.user).toMatchObject({ name: 'Alex Wilber' });
    expect(await storeA.has(person, { fresh: false })).toBe(true);
    expect(reads()).toBe(0);
    expect(await storeA.has(person, { fresh: true })).toBe(false);
    now = new Date(now.getTime() + 60_000);
    expect((await storeA.get(key))?.user).toEqual({ id: '29:alex' });

    // An erasure here: the receipt copy, without name or ids, at once.
    await storeA.save(key, chat('a:1on1', 'fourth'));
    await storeA.retire(person, 'DSR-2026-0502');
    expect((await storeA.get(key))?.user).toEqual({ id: '29:alex' });
  });
});

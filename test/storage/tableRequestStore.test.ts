import { RestError } from '@azure/core-rest-pipeline';
import { RunningAzurite, startAzurite } from '../../src/sandbox/azurite';
import { ensureStorage, storageClientsFromConnectionString } from '../../src/storage/storageClients';
import { RequestTooLarge, TableRequestStore } from '../../src/storage/tableRequestStore';
import { ConcurrencyConflict, type PlanItem } from '../../src/dsr';
import { freshDataDir } from '../support/dataDir';
import { sampleRequest } from '../unit/sampleRequest';
import { waitFor } from '../support/waitFor';

/**
 * Requests with their plans in Azure Table storage (Azurite, through @azure/data-tables): a plan
 * of a few hundred items is past one property's 64 KiB, so the record is kept in parts.
 */
jest.setTimeout(60_000);

let azurite: RunningAzurite;
let store: TableRequestStore;

beforeAll(async () => {
  azurite = await startAzurite({ location: `${freshDataDir('request-store')}/azurite` });
  const clients = storageClientsFromConnectionString(azurite.connectionString);
  await ensureStorage(clients);
  store = new TableRequestStore(clients.requests, clients.counters);
});

afterAll(async () => {
  await azurite?.stop();
});

/** `count` twins named like real ones, each with a reason, and an emoji to land on a part boundary somewhere. */
const plan = (count: number): PlanItem[] =>
  Array.from({ length: count }, (_, i) => ({ type: 'twin', id: `floor-${i}-desk-🪑-${'x'.repeat(i % 7)}`, reason: 'property:ownerEmail' }));

describe('TableRequestStore', () => {
  it('keeps a request whose plan is far past one property, and gives it back whole after a conditional replace', async () => {
    const request = sampleRequest({ id: 'DSR-2026-0101', kind: 'erase', discovery: { digitalTwins: { count: 2_000, items: ['2000 twins'], plan: plan(2_000) } } });
    expect(JSON.stringify(request).length).toBeGreaterThan(3 * 32_768);
    await store.create(request);
    const stored = await store.get(request.id);
    expect(stored?.request).toEqual(request);

    const approved = { ...request, state: 'approved' as const };
    await store.replace(approved, stored!.etag);
    expect((await store.get(request.id))?.request).toEqual(approved);
    expect((await store.listAll()).find((r) => r.id === request.id)).toEqual(approved);
  });

  it('refuses a record larger than an entity holds with an error that says so, and stores nothing', async () => {
    const request = sampleRequest({ id: 'DSR-2026-0102', kind: 'erase', discovery: { digitalTwins: { count: 20_000, items: [], plan: plan(20_000) } } });
    await expect(store.create(request)).rejects.toBeInstanceOf(RequestTooLarge);
    expect(await store.get(request.id)).toBeUndefined();
  });

  it('lists as stalled what waits for a lost job: discovery, execution, or an approved lift that has not started', async () => {
    const lift = { approvals: [], approvedAt: '2026-11-30T10:00:00.000Z', steps: {} };
    const step = { status: 'done' as const, summary: 's', count: 1, at: '2026-11-30T10:00:00.000Z', attempts: 1 };
    const requests = [
      sampleRequest({ id: 'DSR-2026-0201', state: 'submitted' }),
      sampleRequest({ id: 'DSR-2026-0202', state: 'approved' }),
      sampleRequest({ id: 'DSR-2026-0203', kind: 'restrict', state: 'completed', lift }),
      sampleRequest({ id: 'DSR-2026-0204', kind: 'restrict', state: 'completed', lift: { ...lift, steps: { entra: step } } }),
      sampleRequest({ id: 'DSR-2026-0205', kind: 'restrict', state: 'completed' }),
      sampleRequest({ id: 'DSR-2026-0206', kind: 'restrict', state: 'restriction_lifted', lift: { ...lift, steps: { entra: step } } }),
    ];
    for (const request of requests) await store.create(request);
    // Storage stamps each write; a bound after now takes every row written so far.
    const stalled = (await store.listStalled(new Date(Date.now() + 60_000))).map((r) => r.id).filter((id) => id.startsWith('DSR-2026-02'));
    expect(stalled.sort()).toEqual(['DSR-2026-0201', 'DSR-2026-0202', 'DSR-2026-0203']);
    expect(await store.listStalled(new Date(0))).toEqual([]);
  });

  it('gives every request number once under a burst, across instances, with gaps only at block ends', async () => {
    const clients = storageClientsFromConnectionString(azurite.connectionString);
    const instances = [new TableRequestStore(clients.requests, clients.counters), new TableRequestStore(clients.requests, clients.counters)];
    const numbers = await Promise.all(Array.from({ length: 120 }, (_, i) => instances[i % 2].nextSequence(2031)));
    expect(new Set(numbers).size).toBe(120);
    expect(Math.min(...numbers)).toBe(1);
    // Each instance numbers its 60 from one block, and reserves a block of ten ahead once half of
    // it is given out: those two blocks of ten are the gap.
    expect(Math.max(...numbers)).toBeLessThanOrEqual(140);
  });

  it('numbers a burst waiting on one instance from one write of the counter, reserves the next block while it lasts, and writes without a read while no other instance moved the counter', async () => {
    const clients = storageClientsFromConnectionString(azurite.connectionString);
    const counters = clients.counters;
    const another = storageClientsFromConnectionString(azurite.connectionString);
    const [reads, creates, updates] = [jest.spyOn(counters, 'getEntity'), jest.spyOn(counters, 'createEntity'), jest.spyOn(counters, 'updateEntity')];
    const calls = () => [reads.mock.calls.length, creates.mock.calls.length, updates.mock.calls.length];
    const instance = new TableRequestStore(clients.requests, counters);
    const burst = await Promise.all(Array.from({ length: 45 }, () => instance.nextSequence(2032)));
    expect(burst).toEqual(Array.from({ length: 45 }, (_, i) => i + 1));
    // A year's first number finds no row, and creates it: one read, one create. Once half the
    // burst was numbered, the next block of ten was reserved ahead, written against the row as
    // this instance wrote it, without reading it.
    expect(calls()).toEqual([1, 1, 1]);

    // The next numbers come from the block reserved ahead: no one waits for a write.
    expect(await instance.nextSequence(2032)).toBe(46);
    expect(await instance.nextSequence(2032)).toBe(47);
    expect(calls()).toEqual([1, 1, 1]);
    // Another instance starts after the block of ten reserved ahead (46 to 55); the first instance,
    // reserving ahead again once 51 to 55 are left, finds the row moved on, and reads it again.
    expect(await new TableRequestStore(another.requests, another.counters).nextSequence(2032)).toBe(56);
    const rest = await Promise.all(Array.from({ length: 9 }, () => instance.nextSequence(2032)));
    expect(rest).toEqual([48, 49, 50, 51, 52, 53, 54, 55, 66]);
    // The write against the old ETag fails, then one read and one write.
    expect(calls()).toEqual([2, 1, 3]);
  });

  it('reserves ahead a block twice as large as the numbers asked for during the last reservation, and one of ten when they stop', async () => {
    const clients = storageClientsFromConnectionString(azurite.connectionString);
    const instance = new TableRequestStore(clients.requests, clients.counters);
    const counter = async () => (await clients.counters.getEntity<{ value: number }>('sequence', '2033')).value;
    for (let i = 1; i <= 5; i++) expect(await instance.nextSequence(2033)).toBe(i);
    // Half of the first block (1 to 10) is given out: 11 to 20 are being reserved, and 30
    // submissions come meanwhile.
    const stream = await Promise.all(Array.from({ length: 30 }, () => instance.nextSequence(2033)));
    expect(stream).toEqual(Array.from({ length: 30 }, (_, i) => i + 6));
    // Half of 11 to 20 given out, the next block was sized for those 30: 60 numbers, 21 to 80.
    expect(await counter()).toBe(80);
    // Asked one at a time, the next block ahead is of ten again (81 to 90), once half of 21 to 80 is given out.
    for (let i = 36; i <= 50; i++) expect(await instance.nextSequence(2033)).toBe(i);
    await waitFor('the block of ten reserved ahead', async () => ((await counter()) === 90 ? true : undefined));
  });

  it('writes the rows many requests create and replace at once in a few transactions, each with its own ETag, and a lost race fails only its own write while the others go again together', async () => {
    const clients = storageClientsFromConnectionString(azurite.connectionString);
    const burst = new TableRequestStore(clients.requests, clients.counters);
    const calls = { transactions: jest.spyOn(clients.requests, 'submitTransaction'), creates: jest.spyOn(clients.requests, 'createEntity'), updates: jest.spyOn(clients.requests, 'updateEntity') };
    const counted = () => [calls.transactions, calls.creates, calls.updates].map((spy) => spy.mock.calls.length);
    const requests = Array.from({ length: 150 }, (_, i) => sampleRequest({ id: `DSR-2026-${String(3000 + i)}` }));

    await Promise.all(requests.map((request) => burst.create(request)));
    // 100 rows in a transaction at most.
    expect(counted()).toEqual([2, 0, 0]);
    await Promise.all(requests.map((request) => burst.replace({ ...request, state: 'approved' }, burst.lastKnown(request.id)!.etag)));
    expect(counted()).toEqual([4, 0, 0]);
    for (const request of requests) expect((await burst.get(request.id))?.request).toEqual({ ...request, state: 'approved' });

    // Another instance moves one row on: the transaction with it fails whole, naming that write;
    // it loses, and the other two go again together.
    const [moved, kept, alsoKept] = requests.map((request) => burst.lastKnown(request.id)!);
    const other = new TableRequestStore(clients.requests, clients.counters);
    const seenElsewhere = await other.get(moved.request.id);
    await other.replace({ ...seenElsewhere!.request, state: 'rejected' }, seenElsewhere!.etag);
    const before = counted();
    const outcomes = await Promise.allSettled([moved, kept, alsoKept].map((stored) => burst.replace({ ...stored.request, state: 'executing' }, stored.etag)));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    expect((outcomes[0] as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrencyConflict);
    expect(counted().map((n, i) => n - before[i])).toEqual([2, 0, 0]);
    expect((await burst.get(moved.request.id))?.request.state).toBe('rejected');
    expect((await burst.get(kept.request.id))?.request.state).toBe('executing');

    // Two writes of one row at once: a transaction names a row once, so the second goes after, alone, and loses.
    const [a, b] = [burst.lastKnown(kept.request.id)!, burst.lastKnown(alsoKept.request.id)!];
    const again = counted();
    const twice = await Promise.allSettled([
      burst.replace({ ...a.request, state: 'completed' }, a.etag),
      burst.replace({ ...a.request, state: 'failed_partially' }, a.etag),
      burst.replace({ ...b.request, state: 'completed' }, b.etag),
    ]);
    expect(twice.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(counted().map((n, i) => n - again[i])).toEqual([1, 0, 1]);
    expect((await burst.get(a.request.id))?.request.state).toBe('completed');

    // A refusal that does not say which write it was: each goes again alone.
    const rows = [a, b].map((stored) => burst.lastKnown(stored.request.id)!);
    calls.transactions.mockRejectedValueOnce(new RestError('The table refused the batch.', { statusCode: 409 }));
    const unsaid = counted();
    await Promise.all(rows.map((stored) => burst.replace({ ...stored.request, state: 'cancelled' }, stored.etag)));
    expect(counted().map((n, i) => n - unsaid[i])).toEqual([1, 0, 2]);
    for (const stored of rows) expect((await burst.get(stored.request.id))?.request.state).toBe('cancelled');
  });
});

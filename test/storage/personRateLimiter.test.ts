import { createHash } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { RunningAzurite, startAzurite } from '../../src/sandbox/azurite';
import { PersonRateLimiter, RateChannel } from '../../src/storage/personRateLimiter';
import { STORAGE_NAMES } from '../../src/storage/storageClients';
import { freshDataDir } from '../support/dataDir';
import { waitFor } from '../support/waitFor';

/** The per-person limit of messages and card actions, counted in Azurite's Table storage. */
jest.setTimeout(60_000);

let azurite: RunningAzurite;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const ALEX = 'e2000000-0000-4000-8000-000000000011';
const MEGAN = 'e2000000-0000-4000-8000-000000000012';

/** A clock the test moves by hand. */
function manualClock(start = Date.parse('2026-11-22T09:00:00.000Z')) {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => { now += ms; } };
}

/** The counters table as one bot instance's clients have it. */
const countersOfAnInstance = () => TableClient.fromConnectionString(azurite.connectionString, STORAGE_NAMES.countersTable, { allowInsecureConnection: true });

const limiter = (clock: ReturnType<typeof manualClock>, perMinute: Record<RateChannel, number> = { message: 3, invoke: 2 }) =>
  new PersonRateLimiter(countersOfAnInstance(), perMinute, clock, quiet);

/** A person's count of messages in the table, undefined before their first. */
async function countOf(person: string): Promise<number | undefined> {
  const rowKey = `message-${createHash('sha256').update(person).digest('hex').slice(0, 32)}`;
  try {
    return (await countersOfAnInstance().getEntity<{ count: number }>('rate', rowKey)).count;
  } catch {
    return undefined;
  }
}

async function takeMany(count: number, take: (i: number) => Promise<{ allowed: boolean; firstRefusal: boolean }>) {
  const outcomes = [];
  for (let i = 0; i < count; i++) outcomes.push(await take(i));
  return outcomes;
}

beforeAll(async () => {
  azurite = await startAzurite({ location: `${freshDataDir('rate-limiter')}/azurite` });
  await countersOfAnInstance().createTable();
});

afterAll(async () => {
  await azurite?.stop();
});

it('shares one count between two instances, refuses past it and names one refusal as the first', async () => {
  const clock = manualClock();
  const instances = [limiter(clock), limiter(clock)];
  const outcomes = await takeMany(6, (i) => instances[i % 2].take('message', ALEX));
  expect(outcomes.map((o) => o.allowed)).toEqual([true, true, true, false, false, false]);
  expect(outcomes.map((o) => o.firstRefusal)).toEqual([false, false, false, true, false, false]);
  // Another person, and the same person's card actions, are counted apart.
  expect((await instances[1].take('message', MEGAN)).allowed).toBe(true);
  expect((await instances[0].take('invoke', ALEX)).allowed).toBe(true);
});

it('counts concurrent activities on both instances exactly once each', async () => {
  const clock = manualClock(Date.parse('2026-11-22T10:00:00.000Z'));
  const instances = [limiter(clock, { message: 5, invoke: 5 }), limiter(clock, { message: 5, invoke: 5 })];
  const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => instances[i % 2].take('invoke', MEGAN)));
  expect(outcomes.filter((o) => o.allowed)).toHaveLength(5);
  expect(outcomes.filter((o) => o.firstRefusal)).toHaveLength(1);
});

it('lets a person act again a minute after their window began, on any instance', async () => {
  const clock = manualClock(Date.parse('2026-11-22T11:00:30.000Z'));
  const [first, second] = [limiter(clock), limiter(clock)];
  await takeMany(3, () => first.take('invoke', ALEX));
  clock.advance(59_999);
  // The second instance has not counted Alex: his first click there goes on while it is counted.
  expect((await second.take('invoke', ALEX)).allowed).toBe(true);
  expect((await second.take('invoke', ALEX)).allowed).toBe(false);
  expect((await first.take('invoke', ALEX)).allowed).toBe(false);
  clock.advance(1);
  expect((await first.take('invoke', ALEX)).allowed).toBe(true);
  expect((await second.take('invoke', ALEX)).allowed).toBe(true);
  expect((await second.take('invoke', ALEX)).allowed).toBe(false);
});

it('counts a person new to storage with one write and no read; one whose row exists is read once, then written against', async () => {
  const clock = manualClock(Date.parse('2026-11-22T12:00:00.000Z'));
  const [first, second] = [countersOfAnInstance(), countersOfAnInstance()];
  const reads = [jest.spyOn(first, 'getEntity'), jest.spyOn(second, 'getEntity')];
  const [a, b] = [new PersonRateLimiter(first, { message: 3, invoke: 2 }, clock, quiet), new PersonRateLimiter(second, { message: 3, invoke: 2 }, clock, quiet)];
  const GRACE = 'e2000000-0000-4000-8000-000000000013';
  expect((await a.take('message', GRACE)).allowed).toBe(true);
  expect((await a.take('message', GRACE)).allowed).toBe(true);
  expect(reads[0]).not.toHaveBeenCalled();
  // The other instance has never counted Grace: its create finds her row, which it reads and counts on.
  expect((await b.take('message', GRACE)).allowed).toBe(true);
  expect(await b.take('message', GRACE)).toEqual({ allowed: false, firstRefusal: true });
  expect(reads[1]).toHaveBeenCalledTimes(1);
});

it('lets the first message of a person this instance has not counted through before its count is written; the next waits for it', async () => {
  const clock = manualClock(Date.parse('2026-11-22T13:00:00.000Z'));
  const [first, second] = [countersOfAnInstance(), countersOfAnInstance()];
  const [a, b] = [new PersonRateLimiter(first, { message: 2, invoke: 2 }, clock, quiet), new PersonRateLimiter(second, { message: 2, invoke: 2 }, clock, quiet)];
  const HANNA = 'e2000000-0000-4000-8000-000000000014';
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const create = first.createEntity.bind(first);
  const creates = jest.spyOn(first, 'createEntity').mockImplementation(async (...args) => (await held, create(...args)));
  const updates = jest.spyOn(first, 'updateEntity');

  // Answered while the create of her row is held.
  expect(await a.take('message', HANNA)).toEqual({ allowed: true, firstRefusal: false });
  const next = a.take('message', HANNA);
  release();
  expect(await next).toEqual({ allowed: true, firstRefusal: false });
  // The second waited for the first's count and wrote against it: no create of its own.
  expect(creates).toHaveBeenCalledTimes(1);
  expect(updates).toHaveBeenCalledTimes(1);

  // Used up on the first instance, she gets one message more on the second, which had not counted
  // her; the refusal that message earned is the one told, on her next.
  expect(await b.take('message', HANNA)).toEqual({ allowed: true, firstRefusal: false });
  expect(await b.take('message', HANNA)).toEqual({ allowed: false, firstRefusal: true });
  expect(await b.take('message', HANNA)).toEqual({ allowed: false, firstRefusal: false });
  expect(await a.take('message', HANNA)).toEqual({ allowed: false, firstRefusal: false });
  // Card actions: the first goes on at once too, and the next waits for its count.
  expect(await b.take('invoke', HANNA)).toEqual({ allowed: true, firstRefusal: false });
  expect(await b.take('invoke', HANNA)).toEqual({ allowed: true, firstRefusal: false });
  expect(await b.take('invoke', HANNA)).toEqual({ allowed: false, firstRefusal: true });
});

it("counts a person's burst of clicks together, one write at a time, each click once", async () => {
  const clock = manualClock(Date.parse('2026-11-22T14:00:00.000Z'));
  const table = countersOfAnInstance();
  const [reads, creates, updates] = [jest.spyOn(table, 'getEntity'), jest.spyOn(table, 'createEntity'), jest.spyOn(table, 'updateEntity')];
  const clicks = new PersonRateLimiter(table, { message: 30, invoke: 10 }, clock, quiet);
  const IDA = 'e2000000-0000-4000-8000-000000000015';
  // The first goes on at once and is written meanwhile; the next 14 come during that write.
  expect(await clicks.take('invoke', IDA)).toEqual({ allowed: true, firstRefusal: false });
  const burst = await Promise.all(Array.from({ length: 14 }, () => clicks.take('invoke', IDA)));
  expect(burst.filter((d) => d.allowed)).toHaveLength(9);
  expect(burst.filter((d) => d.firstRefusal)).toHaveLength(1);
  // One create for the first, one write for the 14 together, and no read.
  expect([reads.mock.calls.length, creates.mock.calls.length, updates.mock.calls.length]).toEqual([0, 1, 1]);
  // Another instance sees all 15 counted: the window is used up there too.
  const other = new PersonRateLimiter(countersOfAnInstance(), { message: 30, invoke: 10 }, clock, quiet);
  expect(await other.take('invoke', IDA)).toEqual({ allowed: true, firstRefusal: false });
  expect((await other.take('invoke', IDA)).allowed).toBe(false);
});

it('writes the counts of many people made at once in a few transactions, each counted once, a person counted before among them too', async () => {
  const clock = manualClock(Date.parse('2026-11-22T15:00:00.000Z'));
  const people = Array.from({ length: 60 }, (_, i) => `e3000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
  // Counted by another instance already: this one's create of her row is refused in the
  // transaction, which then goes again without it.
  const counted = people[30];
  await limiter(clock).take('message', counted);
  await waitFor('her first count', async () => ((await countOf(counted)) === 1 ? true : undefined));

  const table = countersOfAnInstance();
  const calls = [jest.spyOn(table, 'submitTransaction'), jest.spyOn(table, 'createEntity'), jest.spyOn(table, 'updateEntity'), jest.spyOn(table, 'getEntity')];
  const many = new PersonRateLimiter(table, { message: 5, invoke: 5 }, clock, quiet);
  // Each person's first message goes on at once; their second waits for the first's count.
  for (let round = 0; round < 2; round++) {
    expect((await Promise.all(people.map((person) => many.take('message', person)))).every((d) => d.allowed)).toBe(true);
  }
  for (const person of people) expect(await countOf(person)).toBe(person === counted ? 3 : 2);
  // 120 counts, which one at a time were 120 writes: a few transactions, and one read of her row.
  const [transactions, creates, updates, reads] = calls.map((spy) => spy.mock.calls.length);
  expect(transactions).toBeGreaterThanOrEqual(2);
  expect(transactions + creates + updates).toBeLessThanOrEqual(8);
  expect(reads).toBe(1);
});

it('lets activities through when storage fails, logging a code and no person', async () => {
  const warnings: unknown[] = [];
  const log = { ...quiet, warn: (fields: Record<string, unknown>, message: string) => void warnings.push({ fields, message }) };
  const unreachable = TableClient.fromConnectionString(
    'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:9/devstoreaccount1',
    STORAGE_NAMES.countersTable,
    { allowInsecureConnection: true },
  );
  const failing = new PersonRateLimiter(unreachable, { message: 1, invoke: 1 }, manualClock(), log);
  expect(await takeMany(3, () => failing.take('message', ALEX))).toEqual(Array(3).fill({ allowed: true, firstRefusal: false }));
  // The last one, from a person still not counted here, went on before its count failed.
  await waitFor('the third warning', () => (warnings.length === 3 ? true : undefined));
  expect(JSON.stringify(warnings)).not.toContain(ALEX);
  expect(warnings[0]).toMatchObject({ fields: { channel: 'message' }, message: expect.stringContaining('letting the activity through') });
});

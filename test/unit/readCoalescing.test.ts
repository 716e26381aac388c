import { coalescedReads, type CoalescingOptions } from '../../src/adapters/calls/readCoalescer';
import { SharedListing } from '../../src/adapters/calls/sharedListing';

describe('coalescedReads', () => {
  it('serves asks made together with one call, in batches of at most maxKeys, each ask its own answer', async () => {
    const calls: string[][] = [];
    const reads = coalescedReads<string, string>(async (keys) => {
      calls.push([...keys]);
      return keys.map((k) => (k === 'bad' ? new Error('no such key') : k.toUpperCase()));
    }, { windowMs: 0, maxKeys: 2 });
    const answers = await Promise.allSettled(['a', 'b', 'bad'].map((k) => reads.load(k)));
    expect(calls).toEqual([['a', 'b'], ['bad']]);
    expect(answers.map((a) => (a.status === 'fulfilled' ? a.value : (a.reason as Error).message))).toEqual(['A', 'B', 'no such key']);
  });

  it('keeps nothing after a batch: a later ask of the same key reaches the service again', async () => {
    let calls = 0;
    const reads = coalescedReads<string, number>(async (keys) => keys.map(() => ++calls), { windowMs: 0, maxKeys: 10 });
    expect(await reads.load('a')).toBe(1);
    expect(await reads.load('a')).toBe(2);
  });
});

describe('SharedListing', () => {
  const clockAt = (ms: { now: number }) => ({ now: () => ms.now });

  it('shares one listing within the freshness window and starts a new one after it', async () => {
    const time = { now: 0 };
    let listings = 0;
    const shared = new SharedListing(async () => ++listings, 1000, clockAt(time));
    expect(await Promise.all([shared.get(), shared.get()])).toEqual([1, 1]);
    time.now = 999;
    expect(await shared.get()).toBe(1);
    time.now = 1000;
    expect(await shared.get()).toBe(2);
  });

  it('fresh() lists again, and a failed listing is not shared', async () => {
    const time = { now: 0 };
    let listings = 0;
    const shared = new SharedListing(async () => {
      listings++;
      if (listings === 2) throw new Error('503');
      return listings;
    }, 1000, clockAt(time));
    expect(await shared.get()).toBe(1);
    await expect(shared.fresh()).rejects.toThrow('503');
    expect(await shared.get()).toBe(3);
  });
});

describe('coalescedReads with maxBatchesInFlight', () => {
  it('holds a batch while another loads, and asks made meanwhile join it', async () => {
    const { reads, calls, finishFirst } = firstBatchHeld({ windowMs: 0, maxKeys: 10, maxBatchesInFlight: 1 });
    const first = reads.load('a');
    await waitUntil(() => calls.length === 1);
    const later = ['b', 'c'].map((k) => reads.load(k));
    // A 0 ms timer set now runs after the second batch's window (set earlier, also 0 ms): by then
    // that batch found the only slot taken and waits, still open to asks.
    await new Promise((resolve) => setTimeout(resolve, 0));
    const third = reads.load('d');
    expect(calls).toEqual([['a']]);
    finishFirst();
    expect(await Promise.all([first, ...later, third])).toEqual(['A', 'B', 'C', 'D']);
    expect(calls).toEqual([['a'], ['b', 'c', 'd']]);
  });
});

describe('coalescedReads with waitOnlyWhenBusy', () => {
  it('sends an ask made while nothing loads at once, and makes asks made while a batch loads wait the window together', async () => {
    // An hour's window: were the first ask to wait for it, the test would time out.
    const { reads, calls, finishFirst } = firstBatchHeld({ windowMs: 3_600_000, maxKeys: 10, waitOnlyWhenBusy: true });
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    try {
      const first = [reads.load('a'), reads.load('b')];
      await waitUntil(() => calls.length === 1);
      expect(calls).toEqual([['a', 'b']]);
      const later = reads.load('c');
      await new Promise((resolve) => setImmediate(resolve));
      const third = reads.load('d');
      finishFirst();
      expect(await Promise.all(first)).toEqual(['A', 'B']);
      // The first batch has returned, but 'c' and 'd' joined a batch made while it loaded: it waits its window.
      expect(calls).toEqual([['a', 'b']]);
      jest.advanceTimersByTime(3_600_000);
      expect(await Promise.all([later, third])).toEqual(['C', 'D']);
      expect(calls).toEqual([['a', 'b'], ['c', 'd']]);
      // Nothing loading again: the next ask goes at once.
      expect(await reads.load('e')).toBe('E');
      expect(calls.at(-1)).toEqual(['e']);
    } finally {
      jest.useRealTimers();
    }
  });
});

/** Reads that upper-case their keys, recording each batch; the first batch loads until `finishFirst()`. */
function firstBatchHeld(options: CoalescingOptions) {
  const calls: string[][] = [];
  let finishFirst!: () => void;
  const firstDone = new Promise<void>((resolve) => { finishFirst = resolve; });
  const reads = coalescedReads<string, string>(async (keys) => {
    calls.push([...keys]);
    if (calls.length === 1) await firstDone;
    return keys.map((k) => k.toUpperCase());
  }, options);
  return { reads, calls, finishFirst };
}

/** Resolves once `done()` holds, checking after each macrotask. */
async function waitUntil(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setImmediate(resolve));
}

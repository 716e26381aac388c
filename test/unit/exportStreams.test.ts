import type { AdapterCallContext } from '../../src/dsr';
import { mapOrdered } from '../../src/adapters/exportStreams';

const context: AdapterCallContext = { requestId: 'DSR-1', kind: 'export' };

/** Calls whose answers the test gives by hand, in any order. */
function heldCalls() {
  const calls: { item: number; signal: AbortSignal; answer: (value: string) => void }[] = [];
  const work = (item: number, inner: AdapterCallContext) => new Promise<string>((resolve) => {
    calls.push({ item, signal: inner.signal!, answer: resolve });
  });
  return { calls, work };
}

describe('mapOrdered', () => {
  it('gives the results in the order of the items, with at most `concurrency` calls at once', async () => {
    const { calls, work } = heldCalls();
    const results = mapOrdered([1, 2, 3, 4], 2, context, work);
    const first = results.next();
    await new Promise(setImmediate);
    expect(calls.map((c) => c.item)).toEqual([1, 2]);
    calls[1].answer('two');
    calls[0].answer('one');
    expect(await first).toEqual({ done: false, value: 'one' });
    expect(await results.next()).toEqual({ done: false, value: 'two' });
    expect(calls.map((c) => c.item)).toEqual([1, 2, 3]);
    const third = results.next();
    await new Promise(setImmediate);
    expect(calls.map((c) => c.item)).toEqual([1, 2, 3, 4]);
    calls[3].answer('four');
    calls[2].answer('three');
    expect(await third).toEqual({ done: false, value: 'three' });
    expect(await results.next()).toEqual({ done: false, value: 'four' });
    expect((await results.next()).done).toBe(true);
  });

  it('stops the calls in flight, and the source, when the consumer stops early', async () => {
    const { calls, work } = heldCalls();
    let sourceReturned = false;
    const source = (function* () {
      try {
        for (let item = 1; item <= 10; item++) yield item;
      } finally {
        sourceReturned = true;
      }
    })();
    const results = mapOrdered(source, 3, context, work);
    const first = results.next();
    await new Promise(setImmediate);
    calls[0].answer('one');
    expect(await first).toEqual({ done: false, value: 'one' });
    await results.return(undefined);
    expect(calls.map((c) => c.item)).toEqual([1, 2, 3]);
    expect(calls.map((c) => c.signal.aborted)).toEqual([true, true, true]);
    expect(sourceReturned).toBe(true);
  });

  it('leaves the calls\' signal alone when every item was mapped', async () => {
    const { calls, work } = heldCalls();
    const results = mapOrdered([1, 2], 2, context, work);
    const collected = (async () => {
      const out: string[] = [];
      for await (const result of results) out.push(result);
      return out;
    })();
    await new Promise(setImmediate);
    calls[0].answer('one');
    calls[1].answer('two');
    expect(await collected).toEqual(['one', 'two']);
    expect(calls.every((c) => !c.signal.aborted)).toBe(true);
  });
});

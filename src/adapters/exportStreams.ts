import type { AdapterCallContext } from '../dsr';

/**
 * Small tools for exports that stream: items read page by page from a service and handed to the
 * package writer as they come, so that memory holds a page or a batch, never the subject's data.
 */

/** The items of every page, in order; the next page is asked for when the last item was taken. */
export async function* itemsOf<T>(pages: AsyncIterable<readonly T[]>): AsyncGenerator<T> {
  for await (const page of pages) yield* page;
}

/**
 * `items` if it yields at least one, read up to its first item (a service's first page, usually);
 * undefined when it yields none. An export writes no file for nothing, so it needs to know.
 */
export async function nonEmpty<T>(items: AsyncIterable<T>): Promise<AsyncIterable<T> | undefined> {
  const iterator = items[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return undefined;
  return (async function* replayed() {
    try {
      yield first.value;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    } finally {
      // Stopped early (the writer gave up): the source's own clean-up runs.
      await iterator.return?.();
    }
  })();
}

/**
 * `promise`, started ahead of its turn: a failure while earlier work is still being awaited is
 * not an unhandled rejection; it is thrown where the promise is awaited.
 */
export function startedEarly<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/**
 * `work` for each item of `source`, up to `concurrency` at once, the results in the order of the
 * items: memory holds at most `concurrency` results. Each call gets the context with a signal
 * that also fires when the consumer stops or a call fails, so nothing keeps calling the service
 * in the background.
 */
export async function* mapOrdered<T, R>(
  source: AsyncIterable<T> | Iterable<T>,
  concurrency: number,
  context: AdapterCallContext,
  work: (item: T, context: AdapterCallContext) => Promise<R>,
): AsyncGenerator<R> {
  const stop = new AbortController();
  const signal = context.signal ? AbortSignal.any([context.signal, stop.signal]) : stop.signal;
  const inner = { ...context, signal };
  const iterator: AsyncIterator<T> | Iterator<T> = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
  const inFlight: Promise<R>[] = [];
  let exhausted = false;
  try {
    for (;;) {
      while (!exhausted && inFlight.length < concurrency) {
        const next = await iterator.next();
        if (next.done) {
          exhausted = true;
          break;
        }
        inFlight.push(startedEarly(work(next.value, inner)));
      }
      const task = inFlight.shift();
      if (!task) return;
      yield await task;
    }
  } finally {
    // Only calls still in flight need stopping: an abort() makes a DOMException, whose stack costs.
    if (inFlight.length > 0) stop.abort();
    if (!exhausted) await iterator.return?.();
  }
}

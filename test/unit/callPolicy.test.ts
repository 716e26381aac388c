import { RestError, createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline';
import { CallTiming, ServiceCaller, isNotFound, retryAfterMs } from '../../src/adapters/calls/callPolicy';
import { ThrottleBudgets } from '../../src/adapters/calls/throttleBudget';
import { ServiceError } from '../../src/dsr';
import { FakeThrottleClock, settle, tracked } from './fakeThrottleClock';

/** A RestError as core-rest-pipeline raises it for an answer with this status and headers. */
function restError(status: number, headers: Record<string, string> = {}, code?: string): RestError {
  const request = createPipelineRequest({ url: 'https://127.0.0.1/x' });
  return new RestError(`status ${status} for alex.wilber@contoso.test`, { statusCode: status, code, request, response: { status, headers: createHttpHeaders(headers), request } });
}

function recordingTiming(): CallTiming & { sleeps: number[] } {
  const sleeps: number[] = [];
  return { sleeps, sleep: async (ms) => { sleeps.push(ms); }, random: () => 0.5 };
}

/** A call that fails with the given errors in turn, then answers 'ok'. */
function failing(...errors: unknown[]) {
  let calls = 0;
  const fn = async () => {
    const error = errors[calls++];
    if (error) throw error;
    return 'ok';
  };
  return { fn, calls: () => calls };
}

const context = { requestId: 'DSR-2026-0001', kind: 'erase' as const };

describe('ServiceCaller', () => {
  it('retries a 429 after the Retry-After the service asked for', async () => {
    const timing = recordingTiming();
    const call = failing(restError(429, { 'retry-after': '2' }), restError(429, { 'retry-after': '1' }));
    await expect(new ServiceCaller('digitalTwins', {}, timing).call('query twins', call.fn, context)).resolves.toBe('ok');
    expect(timing.sleeps).toEqual([2000, 1000]);
    expect(call.calls()).toBe(3);
  });

  it('backs off exponentially with jitter on 5xx when no Retry-After came', async () => {
    const timing = recordingTiming();
    const call = failing(restError(503), restError(500), restError(502));
    await new ServiceCaller('dps', { baseDelayMs: 100 }, timing).call('list enrollments', call.fn, context);
    // random() = 0.5: half the ceiling plus half of the other half.
    expect(timing.sleeps).toEqual([75, 150, 300]);
  });

  it('caps a Retry-After at the policy maximum', async () => {
    const timing = recordingTiming();
    const call = failing(restError(429, { 'retry-after': '3600' }));
    await new ServiceCaller('iotHub', { maxDelayMs: 5000 }, timing).call('query devices', call.fn, context);
    expect(timing.sleeps).toEqual([5000]);
  });

  it('gives up after maxRetries with a ServiceError that names the service, status and code, and no personal value', async () => {
    const timing = recordingTiming();
    const errors = Array.from({ length: 10 }, () => restError(500, {}, 'InternalServerError'));
    const call = failing(...errors);
    const error = await new ServiceCaller('iotCentral', { maxRetries: 2 }, timing).call('list users', call.fn, context).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect(error).toMatchObject({ service: 'iotCentral', statusCode: 500, code: 'InternalServerError' });
    expect((error as Error).message).toBe('iotCentral: list users answered 500 (InternalServerError) after 3 tries');
    expect((error as Error).message).not.toContain('contoso');
    expect(call.calls()).toBe(3);
  });

  it('does not retry a 4xx other than 408 and 429', async () => {
    const timing = recordingTiming();
    const call = failing(restError(412, {}, 'PreconditionFailed'));
    const error = await new ServiceCaller('dps', {}, timing).call('delete enrollment', call.fn, context).catch((e: unknown) => e);
    expect(error).toMatchObject({ statusCode: 412, code: 'PreconditionFailed' });
    expect(call.calls()).toBe(1);
    expect(timing.sleeps).toEqual([]);
  });

  it('retries dropped connections', async () => {
    const timing = recordingTiming();
    const dropped = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const call = failing(dropped);
    await expect(new ServiceCaller('iotHub', {}, timing).call('get twin', call.fn, context)).resolves.toBe('ok');
  });

  it('times out a try that does not answer and retries it', async () => {
    const timing = recordingTiming();
    let calls = 0;
    const fn = (signal: AbortSignal) => new Promise<string>((resolve, reject) => {
      if (++calls > 1) return resolve('ok');
      signal.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })));
    });
    await expect(new ServiceCaller('digitalTwins', { timeoutMs: 20 }, timing).call('get twin', fn, context)).resolves.toBe('ok');
    expect(calls).toBe(2);
  });

  it('reports a try that never answers as a timeout', async () => {
    const fn = (signal: AbortSignal) => new Promise<string>((_, reject) => {
      signal.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })));
    });
    const error = await new ServiceCaller('digitalTwins', { timeoutMs: 10, maxRetries: 1 }, recordingTiming()).call('get twin', fn, context).catch((e: unknown) => e);
    expect(error).toMatchObject({ service: 'digitalTwins', code: 'Timeout' });
    expect((error as Error).message).toBe('digitalTwins: get twin did not answer within 10 ms after 2 tries');
  });

  it('keeps at most `concurrency` calls in flight and runs the rest as slots free', async () => {
    const caller = new ServiceCaller('iotCentral', { concurrency: 2 }, recordingTiming());
    let inFlight = 0;
    let peak = 0;
    const releases: (() => void)[] = [];
    const started = Array.from({ length: 5 }, () => caller.call('get device', () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      return new Promise<void>((resolve) => releases.push(() => { inFlight--; resolve(); }));
    }, context));
    const waitForStarts = async (n: number) => { while (releases.length < n) await new Promise((r) => setImmediate(r)); };
    for (let done = 0; done < 5; done++) {
      await waitForStarts(Math.min(done + 2, 5));
      expect(inFlight).toBeLessThanOrEqual(2);
      releases[done]();
    }
    await Promise.all(started);
    expect(peak).toBe(2);
  });
});

describe('retryAfterMs', () => {
  it('reads seconds, an HTTP date and the ms variants, from get()-able or plain headers', () => {
    expect(retryAfterMs(restError(429, { 'retry-after': '3' }))).toBe(3000);
    expect(retryAfterMs(restError(429, { 'retry-after-ms': '250' }))).toBe(250);
    expect(retryAfterMs({ response: { headers: { 'retry-after': 'Sun, 22 Nov 2026 08:00:05 GMT' } } }, () => Date.parse('Sun, 22 Nov 2026 08:00:00 GMT'))).toBe(5000);
    expect(retryAfterMs({ response: { headers: { 'x-ms-retry-after-ms': '40' } } })).toBe(40);
    expect(retryAfterMs(restError(429))).toBeUndefined();
    expect(retryAfterMs(new Error('no response'))).toBeUndefined();
  });
});

describe('isNotFound', () => {
  it('recognises a 404 however the SDK carries it', () => {
    expect(isNotFound(restError(404))).toBe(true);
    expect(isNotFound({ response: { statusCode: 404 } })).toBe(true);
    expect(isNotFound(restError(400))).toBe(false);
  });
});

describe('ServiceCaller with a throttle budget', () => {
  function budgetsFor(settings: ConstructorParameters<typeof ThrottleBudgets>[0]) {
    const clock = new FakeThrottleClock();
    return { clock, budgets: new ThrottleBudgets(settings, clock) };
  }

  it('waits for a token of the call\'s class before each send', async () => {
    // IoT Central at 2/s: a bucket of 2 − 0.1 (50 ms of jitter) = 1.9, so one call at once, then 0.1 token later, then every 500 ms.
    const { clock, budgets } = budgetsFor({ enabled: true, share: 1, limits: { iotCentral: { all: { count: 2, windowSeconds: 1 } } } });
    const caller = new ServiceCaller('iotCentral', { budgets }, recordingTiming());
    const sent: number[] = [];
    const calls = [1, 2, 3].map((n) => tracked(caller.call('list users', async () => { sent.push(clock.now()); return n; }, context)));
    await settle();
    expect(sent).toEqual([0]);
    await clock.advance(1000);
    expect(sent).toEqual([0, 50, 550]);
    expect(calls.every((c) => c.done)).toBe(true);
  });

  it('on a 429 holds the class for Retry-After and halves its rate, so the retry and the calls behind it wait', async () => {
    const { clock, budgets } = budgetsFor({ enabled: true, share: 1, limits: {} });
    const timing = recordingTiming();
    const caller = new ServiceCaller('digitalTwins', { budgets }, timing);
    const attempts: number[] = [];
    let first = true;
    const throttledOnce = caller.call('query twins', async () => {
      attempts.push(clock.now());
      if (first) {
        first = false;
        throw restError(429, { 'retry-after': '3' }, 'QuotaReachedError');
      }
      return 'ok';
    }, context);
    const watched = tracked(throttledOnce);
    await settle();
    const other = tracked(caller.call('query twins', async () => clock.now(), context));
    await settle();
    expect(attempts).toEqual([0]);
    expect(budgets.for('digitalTwins')!.snapshot().query).toMatchObject({ ratePerSecond: 250, heldForMs: 3000 });
    await clock.advance(2999);
    expect(attempts).toEqual([0]);
    expect(other.done).toBe(false);
    await clock.advance(100);
    expect(watched.done && other.done).toBe(true);
    expect(attempts[1]).toBeGreaterThanOrEqual(3000);
    // The caller's own back-off asked for the same Retry-After; the budget made every call of the class wait it.
    expect(timing.sleeps).toEqual([3000]);
  });

  it('keeps the concurrency limit per class: calls waiting on one class do not hold up another', async () => {
    const { budgets } = budgetsFor({ enabled: true, share: 1, limits: {} });
    const caller = new ServiceCaller('digitalTwins', { budgets, concurrency: 1 }, recordingTiming());
    let releaseQuery!: () => void;
    const query = caller.call('query twins', () => new Promise<void>((resolve) => { releaseQuery = resolve; }), context);
    const read = tracked(caller.call('read a twin', async () => 'twin', context));
    const secondQuery = tracked(caller.call('query twins', async () => 'page', context));
    await settle();
    expect(read.done).toBe(true);
    expect(secondQuery.done).toBe(false);
    releaseQuery();
    await query;
    await settle();
    expect(secondQuery.done).toBe(true);
  });

  it('takes an explicit class and a key (one twin) over what the operation name says', async () => {
    const { budgets } = budgetsFor({ enabled: true, share: 1, limits: { digitalTwins: { write: { count: 500, windowSeconds: 1, perKey: { count: 2, windowSeconds: 1 } } } } });
    const caller = new ServiceCaller('digitalTwins', { budgets }, recordingTiming());
    const deletes = Array.from({ length: 3 }, () => tracked(caller.call('remove', async () => undefined, context, { operationClass: 'write', key: 'twin-1' })));
    await settle();
    expect(deletes.map((d) => d.done)).toEqual([true, false, false]);
  });

  it('sends at once when the process has no budget for the service', async () => {
    const caller = new ServiceCaller('iotHub', { budgets: new ThrottleBudgets({ enabled: false, share: 1, limits: {} }) }, recordingTiming());
    expect(caller.budget).toBeUndefined();
    await expect(Promise.all(Array.from({ length: 50 }, () => caller.call('query device twins', async () => 1, context)))).resolves.toHaveLength(50);
  });
});

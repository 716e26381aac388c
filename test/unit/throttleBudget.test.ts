import { ThrottleBudget, ThrottleBudgets, TokenBucket } from '../../src/adapters/calls/throttleBudget';
import { throttleSettingsFrom } from '../../src/config';
import { DOCUMENTED_LIMITS, documentedLimits, operationClassOf, parseLimits } from '../../src/azureFacts/serviceLimits';
import { FakeThrottleClock, settle, tracked } from './fakeThrottleClock';

describe('TokenBucket', () => {
  it('lets a burst through at once, then one call per 1/rate, in arrival order', async () => {
    const clock = new FakeThrottleClock();
    const bucket = new TokenBucket({ ratePerSecond: 2, burst: 2 }, clock);
    const order: number[] = [];
    const calls = [1, 2, 3, 4].map((n) => tracked(bucket.acquire().then(() => { order.push(n); })));
    await settle();
    expect(calls.map((c) => c.done)).toEqual([true, true, false, false]);

    await clock.advance(499);
    expect(calls[2].done).toBe(false);
    await clock.advance(1);
    expect(calls.map((c) => c.done)).toEqual([true, true, true, false]);
    await clock.advance(500);
    expect(order).toEqual([1, 2, 3, 4]);
  });

  it('refills at the rate while idle, up to the burst and no further', async () => {
    const clock = new FakeThrottleClock();
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 5 }, clock);
    for (let i = 0; i < 5; i++) await bucket.acquire();
    await clock.advance(60_000);
    const calls = Array.from({ length: 6 }, () => tracked(bucket.acquire()));
    await settle();
    expect(calls.filter((c) => c.done)).toHaveLength(5);
    await clock.advance(100);
    expect(calls.every((c) => c.done)).toBe(true);
  });

  it('on a 429 halves the rate, holds for the Retry-After, then starts from an empty bucket', async () => {
    const clock = new FakeThrottleClock();
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 10 }, clock);
    bucket.throttled(2000, 0);
    expect(bucket.ratePerSecond).toBe(5);
    expect(bucket.heldForMs).toBe(2000);

    const next = tracked(bucket.acquire());
    await clock.advance(2000);
    expect(next.done).toBe(false);
    // 1 token at 5/s (recovering by 1/s each second) takes just under 200 ms.
    await clock.advance(199);
    expect(next.done).toBe(false);
    await clock.advance(1);
    expect(next.done).toBe(true);
  });

  it('recovers additively from the hold on, back to the limit and no higher', async () => {
    const clock = new FakeThrottleClock();
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 10, recoverySeconds: 10 }, clock);
    bucket.throttled(1000, 0);
    await clock.advance(1000);
    expect(bucket.ratePerSecond).toBe(5);
    await clock.advance(2500);
    expect(bucket.ratePerSecond).toBeCloseTo(7.5, 6);
    await clock.advance(2500);
    expect(bucket.ratePerSecond).toBe(10);
    await clock.advance(60_000);
    expect(bucket.ratePerSecond).toBe(10);
  });

  it('halves once for the 429s of calls sent before the last halving, again for one sent after it', async () => {
    const clock = new FakeThrottleClock();
    const bucket = new TokenBucket({ ratePerSecond: 64, burst: 1 }, clock);
    await clock.advance(10);
    bucket.throttled(100, 5);
    bucket.throttled(100, 5);
    bucket.throttled(100, 9);
    expect(bucket.ratePerSecond).toBe(32);
    bucket.throttled(100, 11);
    expect(bucket.ratePerSecond).toBe(16);
  });

  it('never goes below its floor however many 429s come, and the hold is the longest asked for', async () => {
    const clock = new FakeThrottleClock();
    const bucket = new TokenBucket({ ratePerSecond: 64, burst: 1, minRatePerSecond: 4 }, clock);
    for (let i = 0; i < 10; i++) bucket.throttled(i === 3 ? 5000 : 1000);
    expect(bucket.ratePerSecond).toBe(4);
    expect(bucket.heldForMs).toBe(5000);
  });

  it('holds for its default when a 429 names no Retry-After', () => {
    const clock = new FakeThrottleClock();
    const bucket = new TokenBucket({ ratePerSecond: 1, burst: 1, defaultHoldMs: 750 }, clock);
    bucket.throttled(undefined);
    expect(bucket.heldForMs).toBe(750);
  });

  it('drops a waiter whose signal aborts, and serves the next one in its place', async () => {
    const clock = new FakeThrottleClock();
    const bucket = new TokenBucket({ ratePerSecond: 1, burst: 1 }, clock);
    await bucket.acquire();
    const abort = new AbortController();
    const first = tracked(bucket.acquire(abort.signal));
    const second = tracked(bucket.acquire());
    abort.abort(new Error('request cancelled'));
    await settle();
    expect(first.failed).toEqual(new Error('request cancelled'));
    expect(bucket.waiting).toBe(1);
    await clock.advance(1000);
    expect(second.done).toBe(true);
  });
});

describe('ThrottleBudget', () => {
  it('gives each operation class its own bucket, as deep as a window less 50 ms of jitter', async () => {
    const clock = new FakeThrottleClock();
    const budget = new ThrottleBudget('digitalTwins', documentedLimitsScaled(0.01), 1, clock);
    // 0.01 × 500/s: 5 queries/s, a bucket of 5 − 0.25 = 4.75: four at once, then one every 200 ms.
    const queries = Array.from({ length: 6 }, () => tracked(budget.acquire('query')));
    const read = tracked(budget.acquire('read'));
    await settle();
    expect(queries.filter((q) => q.done)).toHaveLength(4);
    expect(read.done).toBe(true);
    await clock.advance(50);
    expect(queries.filter((q) => q.done)).toHaveLength(5);
    await clock.advance(199);
    expect(queries[5].done).toBe(false);
    await clock.advance(1);
    expect(queries[5].done).toBe(true);
  });

  it('limits each key of a class with a per-key limit (one twin), beside the class limit', async () => {
    const clock = new FakeThrottleClock();
    const budget = new ThrottleBudget('digitalTwins', documentedLimits('digitalTwins'), 1, clock);
    // write.key = 10/s: 9 at once on one twin (a bucket of 9.5), the tenth 50 ms later; another twin is not held up.
    const sameTwin = Array.from({ length: 10 }, () => tracked(budget.acquire('write', 'twin-a')));
    const otherTwin = tracked(budget.acquire('write', 'twin-b'));
    await settle();
    expect(sameTwin.filter((w) => w.done)).toHaveLength(9);
    expect(otherTwin.done).toBe(true);
    await clock.advance(50);
    expect(sameTwin.every((w) => w.done)).toBe(true);
  });

  it('keeps at least half a window in its bucket when the rate is high for the window', () => {
    const budget = new ThrottleBudget('iotCentral', { all: { count: 20, windowSeconds: 0.02 } }, 1, new FakeThrottleClock());
    // 1,000/s earns 50 in 50 ms, more than the window holds: the bucket keeps 10.
    const started = Array.from({ length: 11 }, () => tracked(budget.acquire('all')));
    return settle().then(() => expect(started.filter((s) => s.done)).toHaveLength(10));
  });

  it('takes its share of each limit', async () => {
    const budget = new ThrottleBudget('iotCentral', documentedLimits('iotCentral'), 0.5, new FakeThrottleClock());
    expect(budget.snapshot().all.ratePerSecond).toBe(10);
  });

  it('holds only the class a 429 came for', () => {
    const clock = new FakeThrottleClock();
    const budget = new ThrottleBudget('iotHub', documentedLimits('iotHub'), 1, clock);
    budget.throttled('query', 30_000, clock.now());
    const snapshot = budget.snapshot();
    expect(snapshot.query.heldForMs).toBe(30_000);
    expect(snapshot.query.ratePerSecond).toBeCloseTo(20 / 60 / 2, 2);
    expect(snapshot.registry.heldForMs).toBe(0);
  });

  it('sorts the adapters\' operation names into classes, and unknown ones into the first class', () => {
    const budget = new ThrottleBudget('digitalTwins', documentedLimits('digitalTwins'));
    expect(budget.classOf('query twins')).toBe('query');
    expect(budget.classOf('read a twin')).toBe('read');
    expect(budget.classOf('list incoming relationships')).toBe('read');
    expect(budget.classOf('delete a relationship')).toBe('write');
    expect(budget.classOf('correct a twin')).toBe('write');
    expect(budget.classOf('query twins', 'read')).toBe('read');
    expect(budget.classOf('query twins', 'no such class')).toBe('query');
    expect(operationClassOf('iotHub', 'query device twins')).toBe('query');
    expect(operationClassOf('iotHub', 'read a device twin')).toBe('twinRead');
    expect(operationClassOf('iotHub', 'update a device twin')).toBe('twinWrite');
    expect(operationClassOf('iotHub', 'read a device identity')).toBe('registry');
    expect(operationClassOf('iotHub', 'delete a device identity')).toBe('registry');
    expect(operationClassOf('dps', 'query individual enrollments')).toBe('all');
    expect(operationClassOf('entra', 'read')).toBe('read');
    // ARM counts reads, writes and deletes apart, per principal and hour.
    expect(operationClassOf('roleAssignments', 'list role assignments')).toBe('read');
    expect(operationClassOf('roleAssignments', 'read a role definition')).toBe('read');
    expect(operationClassOf('roleAssignments', 'delete a role assignment')).toBe('delete');
    expect(operationClassOf('roleAssignments', 'create a role assignment')).toBe('write');
  });
});

describe('throttle settings', () => {
  it('parses class=count/window lists with per-key limits', () => {
    expect(parseLimits('query=500/s, read=3500/10s,write=20/min,write.key=1.5/h', ['query', 'read', 'write'])).toEqual({
      limits: {
        query: { count: 500, windowSeconds: 1 },
        read: { count: 3500, windowSeconds: 10 },
        write: { count: 20, windowSeconds: 60, perKey: { count: 1.5, windowSeconds: 3600 } },
      },
    });
    expect(parseLimits('query=fast', ['query'])).toHaveProperty('problem');
    expect(parseLimits('scan=1/s', ['query'])).toEqual({ problem: "unknown operation class 'scan' (known: query)" });
    expect(parseLimits('query.key=1/s', ['query'])).toHaveProperty('problem');
    expect(parseLimits('query=0/s', ['query'])).toHaveProperty('problem');
  });

  it('holds every documented limit in a form it parses', () => {
    for (const service of Object.keys(DOCUMENTED_LIMITS) as (keyof typeof DOCUMENTED_LIMITS)[]) {
      expect(() => documentedLimits(service)).not.toThrow();
    }
    expect(documentedLimits('digitalTwins').write).toEqual({ count: 500, windowSeconds: 1, perKey: { count: 10, windowSeconds: 1 } });
  });

  it('is on by default outside sandbox mode, off in it, and takes overrides, a share and DSR_THROTTLE', () => {
    const problems: string[] = [];
    expect(throttleSettingsFrom({}, problems)).toEqual({ enabled: true, share: 1, limits: {} });
    expect(throttleSettingsFrom({}, problems, true).enabled).toBe(false);
    expect(throttleSettingsFrom({ DSR_THROTTLE: 'on' }, problems, true).enabled).toBe(true);
    const set = throttleSettingsFrom({ DSR_THROTTLE_SHARE: '0.5', DSR_THROTTLE_IOT_HUB: 'query=1000/min' }, problems);
    expect(set).toEqual({ enabled: true, share: 0.5, limits: { iotHub: { query: { count: 1000, windowSeconds: 60 } } } });
    expect(problems).toEqual([]);
  });

  it('names the setting and the fix when one is wrong', () => {
    const problems: string[] = [];
    throttleSettingsFrom({ DSR_THROTTLE: 'maybe', DSR_THROTTLE_SHARE: '2', DSR_THROTTLE_DPS: 'all=lots' }, problems);
    expect(problems.map((p) => p.split(/[ :]/)[0])).toEqual(['DSR_THROTTLE', 'DSR_THROTTLE_SHARE', 'DSR_THROTTLE_DPS']);
    expect(problems[2]).toContain(DOCUMENTED_LIMITS.dps);
  });

  it('builds no budget when throttling is off, and lays overrides over the documented limits', () => {
    expect(new ThrottleBudgets({ enabled: false, share: 1, limits: {} }).for('digitalTwins')).toBeUndefined();
    const budgets = new ThrottleBudgets({ enabled: true, share: 1, limits: { iotHub: { query: { count: 600, windowSeconds: 60 } } } }, new FakeThrottleClock());
    expect(budgets.for('iotHub')!.snapshot().query.ratePerSecond).toBe(10);
    expect(budgets.for('iotHub')!.snapshot().registry.ratePerSecond).toBeCloseTo(100 / 60, 3);
    expect(budgets.for('botStore')).toBeUndefined();
  });
});

function documentedLimitsScaled(scale: number) {
  return Object.fromEntries(Object.entries(documentedLimits('digitalTwins')).map(([name, limit]) => [name, { ...limit, count: limit.count * scale }]));
}

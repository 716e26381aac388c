import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import { GraphThrottleHandler } from '../../src/adapters/calls/throttledGraphClient';
import { ThrottleBudget } from '../../src/adapters/calls/throttleBudget';
import { documentedLimits } from '../../src/azureFacts/serviceLimits';
import { FakeThrottleClock, settle, tracked } from './fakeThrottleClock';

/** The Graph middleware after the handler: answers with the statuses given, in turn. */
function answering(...statuses: { status: number; headers?: Record<string, string> }[]): Middleware & { sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    async execute(context: Context) {
      sent.push(context.options?.method ?? 'GET');
      const answer = statuses[Math.min(sent.length - 1, statuses.length - 1)];
      context.response = new Response(null, { status: answer.status, headers: answer.headers });
    },
  };
}

describe('GraphThrottleHandler', () => {
  it('spends the read budget on GETs and the write budget on the rest', async () => {
    const clock = new FakeThrottleClock();
    // 2 reads per 10 s: a bucket of 2 − 0.01 (50 ms of jitter), so one at once, one 50 ms later, then one every 5 s.
    const budget = new ThrottleBudget('entra', { ...documentedLimits('entra'), read: { count: 2, windowSeconds: 10 } }, 1, clock);
    const handler = new GraphThrottleHandler(budget);
    const next = answering({ status: 200 });
    handler.setNext(next);
    const reads = [1, 2, 3].map(() => tracked(handler.execute({ request: 'https://graph/v1.0/users/x', options: { method: 'GET' } })));
    const write = tracked(handler.execute({ request: 'https://graph/v1.0/users/x', options: { method: 'PATCH' } }));
    await settle();
    expect(reads.map((r) => r.done)).toEqual([true, false, false]);
    expect(write.done).toBe(true);
    await clock.advance(50);
    expect(reads.map((r) => r.done)).toEqual([true, true, false]);
    await clock.advance(4999);
    expect(reads[2].done).toBe(false);
    await clock.advance(1);
    expect(reads[2].done).toBe(true);
    expect(next.sent).toEqual(['GET', 'PATCH', 'GET', 'GET']);
  });

  it('halves the class and holds it for Retry-After when Graph answers 429', async () => {
    const clock = new FakeThrottleClock();
    const budget = new ThrottleBudget('entra', documentedLimits('entra'), 1, clock);
    const handler = new GraphThrottleHandler(budget);
    handler.setNext(answering({ status: 429, headers: { 'Retry-After': '4' } }));
    await handler.execute({ request: 'https://graph/v1.0/users/x', options: { method: 'GET' } });
    expect(budget.snapshot().read).toMatchObject({ ratePerSecond: 175, heldForMs: 4000 });
    expect(budget.snapshot().write.heldForMs).toBe(0);
  });
  it('spends a token per inner request of a $batch, of its class, and holds only the class of an inner 429', async () => {
    const clock = new FakeThrottleClock();
    // 2 reads per 10 s: one at once, one 50 ms later (see above).
    const budget = new ThrottleBudget('entra', { ...documentedLimits('entra'), read: { count: 2, windowSeconds: 10 } }, 1, clock);
    const handler = new GraphThrottleHandler(budget);
    const answer = { responses: [{ id: '1', status: 200, body: {} }, { id: '2', status: 429, headers: { 'Retry-After': '4' } }, { id: '3', status: 200, body: {} }] };
    handler.setNext({ async execute(context: Context) { context.response = Response.json(answer); } });
    const requests = [{ id: '1', method: 'GET', url: '/users/a' }, { id: '2', method: 'GET', url: '/users/b' }, { id: '3', method: 'POST', url: '/users/a/checkMemberGroups' }];

    const batch = tracked(handler.execute({ request: 'https://graph/v1.0/$batch', options: { method: 'POST', body: JSON.stringify({ requests }) } }));
    await settle();
    expect(batch.done).toBe(false);
    await clock.advance(50);
    expect(batch.done).toBe(true);

    expect(budget.snapshot().read).toMatchObject({ heldForMs: 4000 });
    expect(budget.snapshot().write.heldForMs).toBe(0);
  });
});

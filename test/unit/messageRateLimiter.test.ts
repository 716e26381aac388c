import { MessageRateLimiter } from '../../src/bot/messageRateLimiter';

/** A clock the test moves by hand. */
function manualClock(start = Date.parse('2026-11-22T09:00:00.000Z')) {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => { now += ms; } };
}

describe('MessageRateLimiter', () => {
  it('allows the limit within a minute, refuses beyond it, and says so once', () => {
    const clock = manualClock();
    const limiter = new MessageRateLimiter(3, clock);
    const outcomes = Array.from({ length: 6 }, () => limiter.take('alex'));
    expect(outcomes.map((o) => o.allowed)).toEqual([true, true, true, false, false, false]);
    expect(outcomes.map((o) => o.firstRefusal)).toEqual([false, false, false, true, false, false]);
  });

  it('counts each person apart', () => {
    const limiter = new MessageRateLimiter(1, manualClock());
    expect(limiter.take('alex').allowed).toBe(true);
    expect(limiter.take('megan').allowed).toBe(true);
    expect(limiter.take('alex').allowed).toBe(false);
  });

  it('lets a person write again once their messages are a minute old', () => {
    const clock = manualClock();
    const limiter = new MessageRateLimiter(2, clock);
    limiter.take('alex');
    clock.advance(30_000);
    limiter.take('alex');
    clock.advance(30_001);
    // The first message is over a minute old: room for one more, not two.
    expect(limiter.take('alex').allowed).toBe(true);
    expect(limiter.take('alex').allowed).toBe(false);
  });

  it('keeps a person who goes on writing while refused refused: those messages count too', () => {
    const clock = manualClock();
    const limiter = new MessageRateLimiter(1, clock);
    limiter.take('alex');
    for (let i = 0; i < 3; i++) {
      clock.advance(40_000);
      expect(limiter.take('alex').allowed).toBe(false);
    }
  });
});

import { Clock } from '../dsr/clock';

const WINDOW_MS = 60_000;

/**
 * Messages per person per minute, in this process (a sliding window of timestamps). With
 * several instances each counts its own share; the limit is there to keep one person from
 * flooding the bot, not to meter exactly.
 */
export class MessageRateLimiter {
  private readonly sent = new Map<string, number[]>();

  constructor(
    private readonly perMinute: number,
    private readonly clock: Clock,
  ) {}

  /**
   * Counts a message of `personId`. `allowed` is false once they are over the limit;
   * `firstRefusal` is true for the first refused message of a burst, so the bot answers once.
   */
  take(personId: string): { allowed: boolean; firstRefusal: boolean } {
    const now = this.clock.now().getTime();
    const recent = (this.sent.get(personId) ?? []).filter((at) => now - at < WINDOW_MS);
    recent.push(now);
    this.sent.set(personId, recent);
    this.forgetIdlePeople(now);
    return { allowed: recent.length <= this.perMinute, firstRefusal: recent.length === this.perMinute + 1 };
  }

  /** Keeps the map from growing with everyone who ever wrote. */
  private forgetIdlePeople(now: number): void {
    if (this.sent.size < 10_000) return;
    for (const [person, times] of this.sent) if (now - (times.at(-1) ?? 0) >= WINDOW_MS) this.sent.delete(person);
  }
}

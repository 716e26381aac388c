import type { ThrottleClock } from '../../src/adapters/calls/throttleBudget';

/**
 * Time that moves only when a test says so: `sleep` resolves when `advance` passes its due time.
 * Between wake-ups `advance` lets the woken code run (a turn of the event loop), so what a bucket
 * does at each moment is what the test sees at that moment, however fast the machine.
 */
export class FakeThrottleClock implements ThrottleClock {
  private time = 0;
  private sleepers: { at: number; resolve: () => void }[] = [];

  now(): number {
    return this.time;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.sleepers.push({ at: this.time + ms, resolve }));
  }

  /** Moves time forward by `ms`, waking each sleeper at its due time, in order. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    await settle();
    for (;;) {
      const due = this.sleepers.filter((s) => s.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.time = Math.max(this.time, due.at);
      this.sleepers = this.sleepers.filter((s) => s !== due);
      due.resolve();
      await settle();
    }
    this.time = target;
    await settle();
  }
}

/** Lets every promise callback queued so far (and what they queue) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Tracks whether a promise has settled yet. */
export function tracked<T>(promise: Promise<T>): { readonly done: boolean; readonly failed: unknown; promise: Promise<T> } {
  const state = { done: false, failed: undefined as unknown, promise };
  promise.then(() => { state.done = true; }, (error: unknown) => { state.done = true; state.failed = error ?? new Error('rejected'); });
  return state;
}

/** What a turn is, for the order in which waiting work goes: card actions are answered first. */
export type TurnKind = 'invoke' | 'other';

/**
 * The activities from Teams this process is answering now, and who gives way to them.
 * - Background jobs start only in a quiet moment, or once they have waited `maxWaitMs`: someone
 *   waiting on an answer in the chat goes before a discovery or an export.
 * - Messages give way to card actions: Teams shows an error on a card whose action is not answered
 *   within seconds, while a chat reply has no such limit. A message waits for the card actions
 *   being answered when it arrives, at most `maxWaitMs`; not for those that come after it, or a
 *   steady stream of clicks would hold it for the whole `maxWaitMs`.
 * - Other activities (messages) are answered `othersAtOnce` at a time, in the order they came;
 *   card actions are never held. In a burst, 200 messages answered together each take as long as
 *   all of them, and the clicks on the first intake cards then share the bot with the other 199;
 *   answered a few at a time, the first cards go out at once and their clicks meet a few messages.
 * A job or a message waiting for card actions is held back at most its `maxWaitMs` however busy
 * the chat is; a message waiting for its place waits for the messages before it. What already
 * runs is not paused.
 */
export class ForegroundTurns {
  private active = 0;
  /** One promise per card action being answered, settled once it has answered. */
  private readonly invokes = new Set<Promise<void>>();
  private readonly waitingForQuiet = new Waiters();
  /** Other activities being answered, and those waiting for one of them to finish, first come first. */
  private othersAnswering = 0;
  private readonly othersWaiting: (() => void)[] = [];

  /** `othersAtOnce`: how many activities other than card actions are answered at once (all, when absent). */
  constructor(private readonly othersAtOnce = Number.POSITIVE_INFINITY) {}

  /**
   * Runs one turn, counted as in the foreground (and, for an invoke, as a card action) until it
   * has answered; an activity other than a card action first waits for its place among
   * `othersAtOnce`, counted in the foreground meanwhile.
   */
  async answer<T>(turn: () => Promise<T>, kind: TurnKind = 'other'): Promise<T> {
    this.active++;
    let answered = () => {};
    const invoke = kind === 'invoke' ? new Promise<void>((resolve) => (answered = resolve)) : undefined;
    if (invoke) this.invokes.add(invoke);
    try {
      if (!invoke) await this.placeAmongOthers();
      try {
        return await turn();
      } finally {
        if (!invoke) this.leaveOthers();
      }
    } finally {
      this.active--;
      if (invoke) this.invokes.delete(invoke);
      answered();
      if (this.active === 0) this.waitingForQuiet.releaseAll();
    }
  }

  private placeAmongOthers(): Promise<void> {
    if (this.othersAnswering < this.othersAtOnce) {
      this.othersAnswering++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.othersWaiting.push(resolve));
  }

  /** The place goes straight to the first one waiting, so none that comes meanwhile takes it first. */
  private leaveOthers(): void {
    const next = this.othersWaiting.shift();
    if (next) next();
    else this.othersAnswering--;
  }

  /** Resolves once no turn is being answered, or after `maxWaitMs`, whichever comes first. */
  quiet(maxWaitMs: number): Promise<void> {
    return this.active === 0 ? Promise.resolve() : this.waitingForQuiet.wait(maxWaitMs);
  }

  /** Resolves once the card actions being answered now have answered, or after `maxWaitMs`, whichever comes first. */
  invokesAnswered(maxWaitMs: number): Promise<void> {
    if (this.invokes.size === 0) return Promise.resolve();
    const answering = Promise.all(this.invokes);
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, maxWaitMs);
      void answering.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/** Callers waiting for a moment, each released then or after its own longest wait. */
class Waiters {
  private readonly waiting = new Set<() => void>();

  wait(maxWaitMs: number): Promise<void> {
    return new Promise((resolve) => {
      const release = () => {
        clearTimeout(timer);
        this.waiting.delete(release);
        resolve();
      };
      const timer = setTimeout(release, maxWaitMs);
      this.waiting.add(release);
    });
  }

  releaseAll(): void {
    for (const release of [...this.waiting]) release();
  }
}

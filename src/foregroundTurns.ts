/**
 * The activities from Teams this process is answering now. Background jobs start only in a quiet
 * moment, or once they have waited `maxWaitMs`: someone waiting on an answer in the chat goes
 * before a discovery or an export, and a job is never held back longer than that however busy the
 * chat is. Jobs already running are not paused.
 */
export class ForegroundTurns {
  private active = 0;
  private readonly waiting = new Set<() => void>();

  /** Runs one turn, counted as in the foreground until it has answered. */
  async answer<T>(turn: () => Promise<T>): Promise<T> {
    this.active++;
    try {
      return await turn();
    } finally {
      this.active--;
      if (this.active === 0) for (const release of [...this.waiting]) release();
    }
  }

  /** Resolves once no turn is being answered, or after `maxWaitMs`, whichever comes first. */
  quiet(maxWaitMs: number): Promise<void> {
    if (this.active === 0) return Promise.resolve();
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
}

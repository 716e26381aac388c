import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWriteFile } from './atomicWriteFile';

/** Where a sandbox service keeps its state: `<dataDir>/sandbox/<service>.json`. */
export function sandboxStatePath(dataDir: string, service: string): string {
  return join(dataDir, 'sandbox', `${service}.json`);
}

/**
 * A service's whole state as one JSON document on disk.
 *
 * Opened from its file, or seeded when the file does not exist yet. Every
 * change is applied to a copy, written atomically, and only then becomes the
 * current state, so memory never runs ahead of disk. Changes run one at a time.
 */
export class JsonStateStore<T> {
  private pending: Promise<unknown> = Promise.resolve();

  private constructor(private readonly filePath: string, private state: T) {}

  /**
   * Loads the document at `filePath`, or creates it from `seed()` when absent.
   * A file that exists but is not JSON is an error, not a reason to reseed.
   */
  static async open<T>(filePath: string, seed: () => T): Promise<JsonStateStore<T>> {
    let text: string | undefined;
    try {
      text = await readFile(filePath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (text !== undefined) {
      return new JsonStateStore<T>(filePath, JSON.parse(text) as T);
    }
    const seeded = seed();
    await atomicWriteFile(filePath, serialise(seeded));
    return new JsonStateStore(filePath, seeded);
  }

  /** The current state. Do not mutate it: change it through {@link update}. */
  get current(): Readonly<T> {
    return this.state;
  }

  /**
   * Applies `change` to a copy of the state and persists it. If `change`
   * throws, nothing is written and the error propagates.
   * @returns what `change` returned.
   */
  update<R>(change: (draft: T) => R): Promise<R> {
    const run = async (): Promise<R> => {
      const draft = structuredClone(this.state);
      const result = change(draft);
      await atomicWriteFile(this.filePath, serialise(draft));
      this.state = draft;
      return result;
    };
    const next = this.pending.then(run, run);
    this.pending = next.catch(() => undefined);
    return next;
  }
}

function serialise(state: unknown): string {
  return `${JSON.stringify(state, null, 2)}\n`;
}

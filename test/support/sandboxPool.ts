import { rm } from 'node:fs/promises';
import type { RunningSandboxServer } from '../../src/sandbox/common';
import { freshDataDir } from './dataDir';

/** The sandboxes a test file starts, each in its own fresh data folder, and their clean-up. */
export interface SandboxPool<S extends RunningSandboxServer, A extends unknown[]> {
  /** Starts one in a fresh data folder (see `freshDataDir`). */
  start(...args: A): Promise<S>;
  /** Closes one now; its data folder goes with {@link closeAll}. */
  close(sandbox: S): Promise<void>;
  /** Closes every open one and removes every data folder; pass it to `afterEach` or `afterAll`. */
  closeAll(): Promise<void>;
}

/**
 * A pool whose sandboxes `create` starts in the data folder it is given, e.g.
 * `sandboxPool('dps-adapter', (dataDir, seed?: DpsSeed) => createDpsSandbox({ tenant, dataDir, port: 0, seed }))`.
 * @param label names the data folders (`dsr-<label>-*` in the temp folder).
 */
export function sandboxPool<S extends RunningSandboxServer, A extends unknown[]>(
  label: string,
  create: (dataDir: string, ...args: A) => Promise<S>,
): SandboxPool<S, A> {
  const open: S[] = [];
  const dirs: string[] = [];
  return {
    async start(...args) {
      const dataDir = freshDataDir(label);
      dirs.push(dataDir);
      const sandbox = await create(dataDir, ...args);
      open.push(sandbox);
      return sandbox;
    },
    async close(sandbox) {
      open.splice(open.indexOf(sandbox), 1);
      await sandbox.close();
    },
    async closeAll() {
      await Promise.all(open.splice(0).map((sandbox) => sandbox.close()));
      await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
    },
  };
}

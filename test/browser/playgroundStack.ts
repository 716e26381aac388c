import { createServer } from 'node:net';
import path from 'node:path';
import { RunningPlayground, startPlayground, writePlaygroundConfig } from '../../src/sandbox/playground';
import type { BotStack } from '../support/botStack';
import type { TenantUser } from '../../src/sandbox/tenant';

/** A port nobody listens on right now (the OS picks it; released before returning). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface UserPlayground extends RunningPlayground {
  user: TenantUser;
  /** The instance's folder: its config and its log (`devTools/m365agentsplayground.log`). */
  dir: string;
}

/**
 * Starts one Agents Playground instance signed in as `user`, in its own folder under the stack's
 * data folder, on a free port, talking to the stack's bot. Each instance is a world of its own:
 * channels registered from one are not seen by another.
 */
export async function startPlaygroundAs(stack: BotStack, user: TenantUser): Promise<UserPlayground> {
  const dir = path.join(stack.dataDir, 'playground', user.displayName.split(' ')[0].toLowerCase());
  writePlaygroundConfig(dir, { currentUser: user, otherUsers: stack.tenant.users, tenantId: stack.tenant.tenantId });
  // The port is free when picked but may be taken before the Playground binds it (it would then
  // move elsewhere, which startPlayground reports as a failure): try a few.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const running = await startPlayground({ dir, port: await freePort(), botEndpoint: `${stack.bot.url}/api/messages`, timeoutMs: 30_000 });
      return { ...running, user, dir };
    } catch (error) {
      lastError = error;
      if (!String(error).includes('taken')) throw error;
    }
  }
  throw lastError;
}

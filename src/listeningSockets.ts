import http from 'node:http';

/**
 * Sockets listening on the bot's port. Node's libuv (since libuv/libuv#3696) accepts one
 * connection per listening socket per turn of the event loop, and a turn of a busy bot is long:
 * in a burst of 200 people, new connections waited seconds in the kernel's queue, longer than
 * the work of the card action they carried. With SO_REUSEPORT the kernel spreads new connections
 * over several sockets of the same port, and each turn accepts one from each.
 */
export const LISTENING_SOCKETS = 8;

/** The events a socket's server hands to the main server; the others keep Node's defaults. */
const HANDED_ON = ['request', 'checkContinue'] as const;

export interface ListeningSockets {
  port: number;
  /** How many sockets listen: fewer than asked where the platform does not share a port (Node before 22.12, Windows). */
  sockets: number;
  /** Stops every socket listening; connections already open are the servers' to close. */
  close(): void;
}

/**
 * Listens on `port` (0: one the system picks) with `server` and up to `count - 1` more sockets
 * of the same port, whose requests `server` answers as its own. The extra sockets are an
 * optimisation: one that cannot listen is left out, the first one's error is the caller's.
 * A port another process listens on is refused (EADDRINUSE) even when that process shares it
 * too, as another DSR bot would: the port is first taken alone, for a moment, then shared.
 */
export async function listenOnSockets(server: http.Server, port: number, host: string, count = LISTENING_SOCKETS): Promise<ListeningSockets> {
  if (port !== 0) {
    const alone = http.createServer();
    await listen(alone, port, host, false);
    await new Promise((resolve) => alone.close(resolve));
  }
  await listen(server, port, host);
  const chosen = (server.address() as { port: number }).port;
  const extras: http.Server[] = [];
  for (let i = 1; i < count; i++) {
    const extra = http.createServer();
    for (const name of HANDED_ON) extra.on(name, (request, response) => server.emit(name, request, response));
    extra.keepAliveTimeout = server.keepAliveTimeout;
    extra.headersTimeout = server.headersTimeout;
    extra.requestTimeout = server.requestTimeout;
    extra.maxHeadersCount = server.maxHeadersCount;
    try {
      await listen(extra, chosen, host);
    } catch {
      break;
    }
    extras.push(extra);
  }
  return {
    port: chosen,
    sockets: 1 + extras.length,
    close: () => {
      for (const each of [server, ...extras]) each.close();
    },
  };
}

function listen(server: http.Server, port: number, host: string, reusePort = true): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, reusePort }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

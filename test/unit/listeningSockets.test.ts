import http from 'node:http';
import net from 'node:net';
import { LISTENING_SOCKETS, listenOnSockets } from '../../src/listeningSockets';

/** One request on a connection of its own: the answer's body. */
function askOnNewConnection(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve(body));
    });
    request.on('error', reject);
  });
}

/** The error code of listening on `port`, or 'listening' (its sockets closed again, so a failure leaves none open). */
function listeningOutcome(port: number): Promise<string> {
  return listenOnSockets(http.createServer(), port, '127.0.0.1').then(
    (listening) => {
      listening.close();
      return 'listening';
    },
    (error: NodeJS.ErrnoException) => error.code ?? String(error),
  );
}

describe('listening on several sockets of one port', () => {
  it('answers every connection with the one server, the kernel spreading them over the sockets', async () => {
    const server = http.createServer((_request, response) => response.end('answered'));
    const listening = await listenOnSockets(server, 0, '127.0.0.1');
    try {
      expect(listening.sockets).toBe(LISTENING_SOCKETS);
      // The first socket's connections are the server's own 'connection' events; the others'
      // reach it as requests only. All 64 on the first socket, with eight sharing: (1/8)^63.
      let onFirstSocket = 0;
      server.on('connection', () => onFirstSocket++);
      const answers = await Promise.all(Array.from({ length: 64 }, () => askOnNewConnection(listening.port)));
      expect(answers).toEqual(Array(64).fill('answered'));
      expect(onFirstSocket).toBeLessThan(64);
    } finally {
      listening.close();
    }
  });

  it('stops listening on every socket when closed', async () => {
    const server = http.createServer((_request, response) => response.end('answered'));
    const listening = await listenOnSockets(server, 0, '127.0.0.1');
    listening.close();
    await expect(askOnNewConnection(listening.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('refuses a port another bot listens on, though that bot shares it', async () => {
    const first = await listenOnSockets(http.createServer(), 0, '127.0.0.1');
    try {
      expect(await listeningOutcome(first.port)).toBe('EADDRINUSE');
    } finally {
      first.close();
    }
  });

  it('gives the first socket\'s error to the caller: a port another process holds', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as net.AddressInfo).port;
    try {
      expect(await listeningOutcome(port)).toBe('EADDRINUSE');
    } finally {
      holder.close();
    }
  });
});

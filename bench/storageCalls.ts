import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A pass-through proxy in front of each Azurite endpoint that counts the calls by method, service
 * and table, queue or container (`PUT table:requests`), so the bench can say how many storage
 * round trips a request costs. It forwards bytes as they are: the SDKs sign with the account key,
 * and the signature does not cover the host's port.
 */
export async function countStorageCalls(connectionString: string) {
  const counts: Record<string, number> = {};
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const servers: http.Server[] = [];
  let rewritten = connectionString;
  for (const match of connectionString.matchAll(/(Blob|Queue|Table)Endpoint=(http:\/\/[^;/]+)(\/[^;]*)?/g)) {
    const [, service, origin] = match;
    const target = new URL(origin);
    const server = http.createServer((request, response) => {
      const name = (request.url ?? '').split('?')[0].split('/')[2]?.replace(/\(.*$/, '') || '(account)';
      const key = `${request.method} ${service.toLowerCase()}:${name}`;
      counts[key] = (counts[key] ?? 0) + 1;
      const forward = http.request({ host: target.hostname, port: target.port, method: request.method, path: request.url, headers: request.headers, agent }, (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      });
      forward.on('error', () => response.destroy());
      request.pipe(forward);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    rewritten = rewritten.replace(`${service}Endpoint=${origin}`, `${service}Endpoint=http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  }
  return {
    connectionString: rewritten,
    /** Calls counted since the last `reset`, by route. */
    counts: () => ({ ...counts }),
    reset: () => {
      for (const key of Object.keys(counts)) delete counts[key];
    },
    stop: async () => {
      await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
      agent.destroy();
    },
  };
}

import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { DigitalTwinsAdapter } from '../../src/adapters/digitalTwins/digitalTwinsAdapter';
import { EntraAdapter } from '../../src/adapters/entra/entraAdapter';
import { DpsAdapter } from '../../src/adapters/dps/dpsAdapter';
import { IotCentralAdapter } from '../../src/adapters/iotCentral/iotCentralAdapter';
import { IotHubAdapter } from '../../src/adapters/iotHub/iotHubAdapter';
import { REPEATED_PAGE } from '../../src/adapters/calls/pageGuard';
import type { ServiceAdapter } from '../../src/dsr';
import { SandboxCredential } from '../../src/sandbox/sandboxCredential';
import { FAST_POLICY, callContext, expectNoPersonalValues, serviceFailure, subjectFor } from '../support/adapterTesting';
import { freshDataDir } from '../support/dataDir';
import { createSandboxGraphClient } from '../sandbox/sandboxGraphClient';

/**
 * A service that keeps answering with the same next-page link or continuation token: each
 * adapter, through its real SDK client, stops with RepeatedPage after a bounded number of
 * requests instead of paging for ever. The server is a few lines of HTTPS answering every list or
 * query request with an empty page that points at itself, as each service's wire format puts it.
 */

type Answer = { headers?: Record<string, string>; body: unknown };

const alex = subjectFor('alex.wilber@contoso.test');
let server: Server;
let url = '';
let answer: (request: IncomingMessage, body: string) => Answer;
let requests = 0;
let certificate = '';

beforeAll(async () => {
  const tls = path.join(freshDataDir('repeated-pages'), 'sandbox', 'tls');
  certificate = readFileSync(path.join(tls, 'cert.pem'), 'utf8');
  server = createServer({ cert: certificate, key: readFileSync(path.join(tls, 'key.pem')) }, (req, res) => {
    requests++;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const { headers, body } = answer(req, Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

beforeEach(() => {
  requests = 0;
});

/** Graph's JSON batch answer: every inner request answered 200 with `page`. */
function batchOf(body: string, page: unknown): unknown {
  const { requests: inner } = JSON.parse(body) as { requests: { id: string }[] };
  return { responses: inner.map(({ id }) => ({ id, status: 200, headers: { 'Content-Type': 'application/json' }, body: page })) };
}

const cases: [string, () => ServiceAdapter, (request: IncomingMessage, body: string) => Answer][] = [
  [
    'IoT Central (nextLink)',
    () => new IotCentralAdapter({ endpoint: url, credential: new SandboxCredential(), policy: FAST_POLICY, appName: 'Contoso Facilities' }),
    () => ({ body: { value: [], nextLink: `${url}/api/users?api-version=2022-07-31&page=again` } }),
  ],
  [
    'Device Provisioning Service (x-ms-continuation)',
    () => new DpsAdapter({ endpoint: url, credential: new SandboxCredential(), coveredHubs: ['contoso-hub.azure-devices.net'], policy: FAST_POLICY }),
    () => ({ headers: { 'x-ms-continuation': 'again' }, body: [] }),
  ],
  [
    'IoT Hub (x-ms-continuation)',
    () => new IotHubAdapter({ hostName: 'contoso-hub.azure-devices.net', endpoint: url.replace('https://', ''), credential: new SandboxCredential(), policy: FAST_POLICY }),
    () => ({ headers: { 'x-ms-continuation': 'again', 'x-ms-item-type': 'Twin' }, body: [] }),
  ],
  [
    'Entra ID, the rest of the record (@odata.nextLink)',
    () => new EntraAdapter(createSandboxGraphClient({ url, certificate }), { signInActivity: true, purgeGraceDays: 14 }),
    (request, body) => {
      const page = { value: [], '@odata.nextLink': `${url}/v1.0/users/x/transitiveMemberOf?$top=100&$skiptoken=again` };
      // The first pages come in JSON batches, the nextLinks alone.
      return { body: request.url?.endsWith('/$batch') ? batchOf(body, page) : page };
    },
  ],
  [
    'Azure Digital Twins (continuationToken)',
    () => new DigitalTwinsAdapter({ endpoint: url, credential: new SandboxCredential(), pseudonymKey: 'a-key-of-sixteen-chars', policy: FAST_POLICY }),
    () => ({ body: { value: [], continuationToken: 'again' } }),
  ],
];

it.each(cases)('%s: stops with RepeatedPage when the service answers with a page pointing at itself', async (_service, adapter, respond) => {
  answer = respond;
  const failure = await serviceFailure(adapter().discover(alex, callContext('erase')));
  expect(failure.code).toBe(REPEATED_PAGE);
  expect(failure.message).toMatch(/repeated a next-page link or continuation token/);
  expectNoPersonalValues(failure.message, alex);
  // The first page, the link it gave, and that link once more; a few loops side by side at most.
  expect(requests).toBeGreaterThanOrEqual(2);
  expect(requests).toBeLessThanOrEqual(12);
});

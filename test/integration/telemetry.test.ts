import { IncomingMessage } from 'node:http';
import { createServer, Server } from 'node:https';
import { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { approveBy, fileRequest } from '../support/flowSteps';
import { ProcessStack, startProcessStack } from '../support/botProcess';
import { waitFor } from '../support/waitFor';
import { ensureSandboxCertificate } from '../../src/sandbox/common';

jest.setTimeout(240_000);

const ALL = 'entra,digitalTwins,iotCentral,dps,iotHub,botStore';

/**
 * A stand-in for Application Insights ingestion: keeps every body posted to it, decompressed. On
 * https with the sandbox certificate (the bot trusts it through NODE_EXTRA_CA_CERTS): the exporter
 * posts to https whatever scheme the IngestionEndpoint names.
 */
class Collector {
  readonly bodies: string[] = [];
  private readonly server: Server = createServer(ensureSandboxCertificate(process.env.DSR_TEST_TLS_DIR!), (request, response) => {
    void readBody(request).then((body) => {
      this.bodies.push(body);
      const items = body.split('\n').filter(Boolean).length;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ itemsReceived: items, itemsAccepted: items, errors: [] }));
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Every telemetry item received, one envelope each. */
  envelopes(): { name: string; data?: { baseType?: string; baseData?: Record<string, unknown> } }[] {
    return this.bodies.flatMap((body) => {
      const trimmed = body.trim();
      if (!trimmed) return [];
      return trimmed.startsWith('[') ? JSON.parse(trimmed) : trimmed.split('\n').map((line) => JSON.parse(line));
    });
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  // The exporter gzips its batches; accept either.
  const gzipped = request.headers['content-encoding'] === 'gzip' || (raw[0] === 0x1f && raw[1] === 0x8b);
  return (gzipped ? gunzipSync(raw) : raw).toString('utf8');
}

let stack: ProcessStack;
const collector = new Collector();

beforeAll(async () => {
  const endpoint = await collector.start();
  stack = await startProcessStack('telemetry', {
    APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=00000000-0000-4000-8000-0000000000aa;IngestionEndpoint=${endpoint};LiveEndpoint=${endpoint}`,
    // No statistics about the SDK to Microsoft's own endpoints from a test.
    APPLICATIONINSIGHTS_STATSBEAT_DISABLED: 'true',
    APPLICATIONINSIGHTS_SDKSTATS_DISABLED: 'true',
  });
  const priya = stack.user('Priya');
  expect(await stack.teams.sayInChannel(priya, stack.teams.channelId, 'register approvals')).toBe(200);
  expect(await stack.teams.sayInChannel(priya, stack.teams.complianceChannelId, 'register compliance')).toBe(200);
});

afterAll(async () => {
  await stack?.stop();
  await collector.stop();
});

const stateOf = async (id: string) => (await stack.store.get(id))?.request.state;

describe("the bot's own telemetry", () => {
  it('reports calls to Graph and the IoT services without any seeded person’s id, e-mail, UPN or name', async () => {
    const [priya, marco, alex, megan] = ['Priya', 'Marco', 'Alex', 'Megan'].map((n) => stack.user(n));
    const exportId = await fileRequest(stack, alex, 'export my data', { kind: 'export', regime: 'GDPR', services: ALL });
    await approveBy(stack, exportId, [priya]);
    await waitFor('the export', async () => (await stateOf(exportId)) === 'completed', 90_000);
    const eraseId = await fileRequest(stack, megan, 'delete my data', { kind: 'erase', regime: 'GDPR', services: ALL });
    await approveBy(stack, eraseId, [priya, marco]);
    await waitFor('the erasure', async () => ['awaiting_manual_steps', 'soft_deleted', 'completed'].includes((await stateOf(eraseId)) ?? ''), 90_000);

    const ports = Object.fromEntries(Object.entries(stack.sandbox).map(([service, url]) => [service, new URL(url).port]));
    const dependencyTargets = () =>
      collector.envelopes().filter((e) => e.data?.baseType === 'RemoteDependencyData').map((e) => `${e.data!.baseData!.target} ${e.data!.baseData!.data}`);
    const reached = (service: string) => dependencyTargets().some((t) => t.includes(`:${ports[service]}`));
    // The exporter sends its batch every few seconds: wait for the calls of both flows to arrive.
    await waitFor('dependency telemetry for Graph and the IoT services', () => ['graph', 'digitalTwins', 'iotCentral', 'dps', 'iotHub'].every(reached), 15_000);

    const received = collector.bodies.join('\n').toLowerCase();
    const leaks = stack.tenant.users.flatMap((user) =>
      [user.aadObjectId, user.email, user.upn, user.displayName].filter((value) => received.includes(value.toLowerCase())).map((value) => `${user.displayName}: ${value}`),
    );
    expect(leaks).toEqual([]);
  });
});

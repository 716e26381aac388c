import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { TokenCredential } from '@azure/core-auth';
import { stopChild } from '../../src/sandbox/azurite';
import { ContainerClient } from '@azure/storage-blob';
import { AZURITE_KEY, StorageAccountEndpoints } from '../../src/config';
import { ServiceExportContainers } from '../../src/storage/serviceExportContainers';
import { BlobExportStore, USER_DELEGATION_SAS_VERSION } from '../../src/storage/blobExportStore';
import { createStorageClients, ensureStorage, StorageClients, storageAnswers } from '../../src/storage/storageClients';
import { freshDataDir } from '../support/dataDir';

/**
 * The production storage path, run against Azurite with OAuth on: the clients sign in with an
 * Entra token only (no account key anywhere), and export links are user-delegation SAS that
 * Azurite verifies with its own implementation of the signature.
 */

const TENANT = '4f0c6a52-0000-4000-8000-00000000aa01';
const IDENTITY = '9b1de3c7-0000-4000-8000-00000000bb02';
const ACCOUNT = 'devstoreaccount1';
const DAY = 24 * 60 * 60 * 1000;

/**
 * What a managed identity's token looks like to Storage. Azurite's `--oauth basic` checks issuer,
 * audience and lifetime, not the signature, so an unsigned token stands in for Entra's.
 */
function entraToken(audience = 'https://storage.azure.com'): TokenCredential {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return {
    async getToken() {
      const now = Math.floor(Date.now() / 1000);
      const claims = { aud: audience, iss: `https://sts.windows.net/${TENANT}/`, iat: now - 60, nbf: now - 60, exp: now + 3600, oid: IDENTITY, tid: TENANT };
      return { token: `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}.c2ln`, expiresOnTimestamp: (now + 3600) * 1000 };
    },
  };
}

const LISTENING = /Azurite (Blob|Queue|Table) service is successfully listening at https:\/\/127\.0\.0\.1:(\d+)/g;

let azurite: ChildProcess;
let endpoints: StorageAccountEndpoints;
let clients: StorageClients;

beforeAll(async () => {
  const dir = freshDataDir('managed-identity-storage');
  const tls = path.join(dir, 'sandbox', 'tls');
  const binary = path.join(path.dirname(require.resolve('azurite/package.json')), 'dist', 'src', 'azurite.js');
  azurite = spawn(
    process.execPath,
    [
      binary,
      ...['--blobHost', '127.0.0.1', '--queueHost', '127.0.0.1', '--tableHost', '127.0.0.1'],
      ...['--blobPort', '0', '--queuePort', '0', '--tablePort', '0'],
      // Bearer tokens only over https; the run's sandbox certificate is trusted through NODE_EXTRA_CA_CERTS.
      ...['--oauth', 'basic', '--cert', path.join(tls, 'cert.pem'), '--key', path.join(tls, 'key.pem')],
      ...['--disableTelemetry', '--skipApiVersionCheck', '--location', path.join(dir, 'azurite')],
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const ports = await new Promise<Record<string, string>>((resolve, reject) => {
    const found: Record<string, string> = {};
    let output = '';
    azurite.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      for (const match of output.matchAll(LISTENING)) found[match[1]] = match[2];
      if (found.Blob && found.Queue && found.Table) resolve(found);
    });
    azurite.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    azurite.once('exit', (code) => reject(new Error(`Azurite exited (${code}) before listening:\n${output.slice(-2000)}`)));
  });
  const at = (port: string) => `https://127.0.0.1:${port}/${ACCOUNT}`;
  endpoints = { blobUrl: at(ports.Blob), queueUrl: at(ports.Queue), tableUrl: at(ports.Table) };
  clients = createStorageClients({ storageConnectionString: '', storageAccount: endpoints }, entraToken());
  await ensureStorage(clients);
});

afterAll(async () => {
  if (azurite) await stopChild(azurite);
});

describe('storage reached with the managed identity', () => {
  it('creates its tables, queue and container, and answers readiness, with only an Entra token', async () => {
    expect(await storageAnswers(clients, AbortSignal.timeout(10_000))).toBe(true);
    await clients.requests.upsertEntity({ partitionKey: 'probe', rowKey: 'r1', state: 'submitted' });
    expect((await clients.requests.getEntity<{ state: string }>('probe', 'r1')).state).toBe('submitted');
    await clients.jobs.sendMessage('probe-job');
    const { receivedMessageItems } = await clients.jobs.receiveMessages();
    expect(receivedMessageItems.map((m) => m.messageText)).toEqual(['probe-job']);
  });

  it('is refused with a token meant for another service: the token is what lets it in', async () => {
    const wrongAudience = createStorageClients({ storageConnectionString: '', storageAccount: endpoints }, entraToken('https://vault.azure.net'));
    expect(await storageAnswers(wrongAudience, AbortSignal.timeout(10_000))).toBe(false);
  });
});

describe('export links signed with a user-delegation key', () => {
  const blobName = 'DSR-2026-0007/DSR-2026-0007-export.zip';
  const content = Buffer.from('PK\u0003\u0004 a package for DSR-2026-0007');
  const now = new Date();
  const store = () => new BlobExportStore(clients.exports, { now: () => now });

  beforeAll(async () => {
    await clients.exports.getBlockBlobClient(blobName).uploadData(content);
    await clients.exports.getBlockBlobClient('DSR-2026-0008/DSR-2026-0008-export.zip').uploadData(Buffer.from('someone else'));
  });

  it('downloads the package over https with no other credential', async () => {
    const { url } = await store().linkFor(blobName, 7);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(content);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="DSR-2026-0007-export.zip"');
  });

  it('names the identity that signed it and grants read only', async () => {
    const params = new URL((await store().linkFor(blobName, 7)).url).searchParams;
    expect(Object.fromEntries(params)).toMatchObject({ skoid: IDENTITY, sktid: TENANT, sp: 'r', spr: 'https', sr: 'b', sv: USER_DELEGATION_SAS_VERSION });
  });

  it('opens nothing once its permissions or its blob are changed', async () => {
    const link = new URL((await store().linkFor(blobName, 7)).url);
    const widened = new URL(link);
    widened.searchParams.set('sp', 'rw');
    expect((await fetch(widened)).status).toBe(403);
    const otherBlob = new URL(link);
    otherBlob.pathname = otherBlob.pathname.replace(/DSR-2026-0007/g, 'DSR-2026-0008');
    expect((await fetch(otherBlob)).status).toBe(403);
  });

  it('expires after the days asked for, and never beyond the seven days of its key', async () => {
    const twoDays = await store().linkFor(blobName, 2);
    expect(twoDays.expiresAt.getTime()).toBe(now.getTime() + 2 * DAY);
    expect(new URL(twoDays.url).searchParams.get('se')).toBe(twoDays.expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z'));
    const week = await store().linkFor(blobName, 7);
    expect(week.expiresAt.getTime()).toBe(now.getTime() + 7 * DAY - 15 * 60 * 1000);
    expect(new URL(week.url).searchParams.get('ske')).toBe(new URL(week.url).searchParams.get('se'));
  });
});

describe("the container a service export (system-generated logs) is written into", () => {
  const clock = { now: () => new Date() };
  /** The same Azurite reached with its account key, as the account of its own the setting names. */
  const keyed = () => `DefaultEndpointsProtocol=https;AccountName=${ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${endpoints.blobUrl}`;

  it('in an account of its own, is a 35-day SAS signed with that account\'s key, allowing create, write and list only', async () => {
    const url = await ServiceExportContainers.in(keyed(), clients.exports, clock).prepare('DSR-2026-0042');
    const params = new URL(url).searchParams;
    expect(params.get('sp')).toBe('cwl');
    expect(params.get('skoid')).toBeNull(); // no user-delegation key: the account key signed it
    expect(Date.parse(params.get('se')!) - Date.now()).toBeGreaterThan(34 * DAY);
    // What Graph does with it: write a file. What it cannot: read one back.
    const graphSide = new ContainerClient(url);
    await graphSide.getBlockBlobClient('Exchange/sign-ins.json').uploadData(Buffer.from('{}'));
    expect((await fetch(`${url.split('?')[0]}/Exchange/sign-ins.json?${params}`)).status).toBe(403);
  });

  it('in the bot\'s own account reached with the managed identity, lives at most the seven days of a user-delegation key', async () => {
    const url = await ServiceExportContainers.in(undefined, clients.exports, clock).prepare('DSR-2026-0043');
    const params = new URL(url).searchParams;
    expect(params.get('skoid')).toBe(IDENTITY);
    expect(Date.parse(params.get('se')!) - Date.now()).toBeLessThanOrEqual(7 * DAY);
  });
});

import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { RunningAzurite, startAzurite } from '../../src/sandbox/azurite';
import { PACKAGE_BLOCK_BYTES, SINGLE_PUT_BYTES, uploadPackage } from '../../src/storage/packageUpload';
import { ensureStorage, storageClientsFromConnectionString, StorageClients } from '../../src/storage/storageClients';
import { freshDataDir } from '../support/dataDir';

/** Packages up to Azurite through the real Blob SDK: one Put Blob when small, staged blocks when not, nothing when the stream fails. */
jest.setTimeout(60_000);

let azurite: RunningAzurite;
let clients: StorageClients;

beforeAll(async () => {
  azurite = await startAzurite({ location: `${freshDataDir('package-upload')}/azurite` });
  clients = storageClientsFromConnectionString(azurite.connectionString);
  await ensureStorage(clients);
});

afterAll(async () => {
  await azurite?.stop();
});

const HEADERS = { blobContentType: 'application/zip' };

/**
 * The SHA-256 of what `zip` emits as `data`, taken as the package writer takes it (a listener set
 * before the upload reads the stream): the hash the audit log and the receipt give.
 */
function hashedAsWritten(zip: Readable): () => string {
  const hash = createHash('sha256');
  zip.on('data', (chunk: Buffer) => hash.update(chunk));
  return () => hash.digest('hex');
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** `bytes` as a stream of 64 KiB chunks, failing after them when `failWith` is given. */
function streamOf(bytes: Buffer, failWith?: Error): Readable {
  return Readable.from((async function* () {
    for (let at = 0; at < bytes.length; at += 64 * 1024) yield bytes.subarray(at, at + 64 * 1024);
    if (failWith) throw failWith;
  })());
}

/**
 * Uploads `length` random bytes as a package, and checks what was stored: the bytes themselves,
 * the content type, and the hash the package writer took. Returns the committed block sizes.
 */
async function uploadedIntact(name: string, length: number): Promise<number[]> {
  const blob = clients.exports.getBlockBlobClient(name);
  const bytes = randomBytes(length);
  const zip = streamOf(bytes);
  const hashed = hashedAsWritten(zip);
  await uploadPackage(blob, zip, HEADERS);

  const stored = await blob.downloadToBuffer();
  expect(Buffer.compare(stored, bytes)).toBe(0);
  expect(hashed()).toBe(sha256(stored));
  expect((await blob.getProperties()).contentType).toBe('application/zip');
  return ((await blob.getBlockList('committed')).committedBlocks ?? []).map((b) => b.size ?? 0);
}

describe('uploadPackage', () => {
  it('stores a small package with one Put Blob: no blocks to commit', async () => {
    expect(await uploadedIntact('DSR-2026-0001/small.zip', SINGLE_PUT_BYTES - 10 * 1024)).toEqual([]);
  });

  it('stores a larger package in staged blocks, what was read before the upload started included, byte for byte', async () => {
    expect(await uploadedIntact('DSR-2026-0002/large.zip', PACKAGE_BLOCK_BYTES + 700 * 1024)).toEqual([PACKAGE_BLOCK_BYTES, 700 * 1024]);
  });

  it.each([
    ['before its upload started', SINGLE_PUT_BYTES / 2],
    ['once its blocks go up', PACKAGE_BLOCK_BYTES + 200 * 1024],
  ])('stores nothing of a package whose stream fails %s', async (_, length) => {
    const blob = clients.exports.getBlockBlobClient(`DSR-2026-0003/failed-${length}.zip`);
    await expect(uploadPackage(blob, streamOf(randomBytes(length), new Error('archive failed')), HEADERS)).rejects.toThrow('archive failed');
    expect(await blob.exists()).toBe(false);
  });
});

import { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import { RunningAzurite, startAzurite } from '../../src/sandbox/azurite';
import { BlobLeaseLock, LOCKS_CONTAINER } from '../../src/storage/blobLease';
import { STORAGE_NAMES } from '../../src/storage/storageClients';
import { freshDataDir } from '../support/dataDir';
import { waitFor } from '../support/waitFor';

/** The lock that lets one bot instance at a time sweep for reminders, on Azurite's blob leases. */
jest.setTimeout(60_000);

let azurite: RunningAzurite;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** The exports container as one bot instance's clients have it. */
const exportsOfAnInstance = (): ContainerClient => BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(STORAGE_NAMES.exportsContainer);

beforeAll(async () => {
  azurite = await startAzurite({ location: `${freshDataDir('blob-lease')}/azurite` });
  await exportsOfAnInstance().createIfNotExists();
});

afterAll(async () => {
  await azurite?.stop();
});

/** A promise and the function that settles it. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('BlobLeaseLock', () => {
  it('lets one instance in at a time, and the next once the first is done', async () => {
    const first = BlobLeaseLock.beside(exportsOfAnInstance(), 'one-at-a-time', quiet);
    const second = BlobLeaseLock.beside(exportsOfAnInstance(), 'one-at-a-time', quiet);
    const running = gate();
    const release = gate();
    const held = first.runExclusive(async () => {
      running.open();
      await release.opened;
      return 'first';
    });
    await running.opened;
    expect(await second.runExclusive(async () => 'second')).toEqual({ ran: false });
    release.open();
    expect(await held).toEqual({ ran: true, result: 'first' });
    expect(await second.runExclusive(async () => 'second')).toEqual({ ran: true, result: 'second' });
  });

  it('keeps its blob in a container of its own, not among the exports', async () => {
    await BlobLeaseLock.beside(exportsOfAnInstance(), 'where', quiet).runExclusive(async () => undefined);
    const service = BlobServiceClient.fromConnectionString(azurite.connectionString);
    const names = async (container: string) => {
      const found: string[] = [];
      for await (const blob of service.getContainerClient(container).listBlobsFlat()) found.push(blob.name);
      return found;
    };
    expect(await names(LOCKS_CONTAINER)).toContain('where');
    expect(await names(STORAGE_NAMES.exportsContainer)).not.toContain('where');
  });

  it('releases the lease when the work fails, and passes the failure on', async () => {
    const lock = BlobLeaseLock.beside(exportsOfAnInstance(), 'failing', quiet);
    await expect(lock.runExclusive(async () => { throw new Error('sweep failed'); })).rejects.toThrow('sweep failed');
    expect(await BlobLeaseLock.beside(exportsOfAnInstance(), 'failing', quiet).runExclusive(async () => 'next')).toEqual({ ran: true, result: 'next' });
  });

  it('lets another instance in once a crashed holder’s lease runs out', async () => {
    const lock = BlobLeaseLock.beside(exportsOfAnInstance(), 'crashed', quiet, { leaseSeconds: 15 });
    await lock.runExclusive(async () => undefined);
    // A holder that died mid-sweep: it took a 15-second lease and never released it.
    const blob = new ContainerClient(exportsOfAnInstance().url.replace(/exports$/, LOCKS_CONTAINER), exportsOfAnInstance().credential).getBlobClient('crashed');
    await blob.getBlobLeaseClient().acquireLease(15);
    expect(await lock.runExclusive(async () => 'too early')).toEqual({ ran: false });
    const taken = await waitFor('the lease to run out', async () => {
      const outcome = await lock.runExclusive(async () => 'after expiry');
      return outcome.ran ? outcome : undefined;
    }, 40_000);
    expect(taken).toEqual({ ran: true, result: 'after expiry' });
  });
});

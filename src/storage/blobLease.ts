import { BlobClient, ContainerClient } from '@azure/storage-blob';
import { errorCode, ExclusiveLock, Logger, statusCodeOf } from '../dsr';

/** The container of the bot's lock blobs, beside its exports. */
export const LOCKS_CONTAINER = 'locks';

/**
 * A container beside `sibling` in the same account, reached with the same credential (the
 * account key with Azurite, the managed identity in Azure).
 */
export function siblingContainer(sibling: ContainerClient, name: string): ContainerClient {
  const url = new URL(sibling.url);
  url.pathname = url.pathname.replace(/[^/]+\/?$/, name);
  return new ContainerClient(url.toString(), sibling.credential);
}

export interface BlobLeaseLockOptions {
  /** Lease length, 15 to 60 seconds; renewed while the work runs. */
  leaseSeconds?: number;
}

/**
 * One instance at a time, across every bot instance on the Storage account: the work runs while
 * this instance holds a lease on one blob. A crashed holder's lease expires by itself after
 * `leaseSeconds`; work that runs longer renews it. A lease is a convenience, not a guarantee
 * (a paused process can outlive it), so what the work does must also be safe to repeat.
 */
export class BlobLeaseLock implements ExclusiveLock {
  private ready: Promise<void> | undefined;
  private readonly leaseSeconds: number;
  private readonly blob: BlobClient;

  constructor(
    private readonly container: ContainerClient,
    name: string,
    private readonly log: Logger,
    options: BlobLeaseLockOptions = {},
  ) {
    this.blob = container.getBlobClient(name);
    this.leaseSeconds = options.leaseSeconds ?? 30;
  }

  /** The lock named `name` in the `locks` container beside `sibling`. */
  static beside(sibling: ContainerClient, name: string, log: Logger, options?: BlobLeaseLockOptions): BlobLeaseLock {
    return new BlobLeaseLock(siblingContainer(sibling, LOCKS_CONTAINER), name, log, options);
  }

  async runExclusive<T>(work: () => Promise<T>): Promise<{ ran: true; result: T } | { ran: false }> {
    await this.ensureBlob();
    const lease = this.blob.getBlobLeaseClient();
    try {
      await lease.acquireLease(this.leaseSeconds);
    } catch (error) {
      // 409 LeaseAlreadyPresent: another instance holds it.
      if (statusCodeOf(error) === 409) return { ran: false };
      throw error;
    }
    const renewal = setInterval(() => {
      lease.renewLease().catch((error) => this.log.warn({ lock: this.blob.name, error: errorCode(error) }, 'lease renewal failed'));
    }, (this.leaseSeconds * 1000) / 3);
    renewal.unref();
    try {
      return { ran: true, result: await work() };
    } finally {
      clearInterval(renewal);
      await lease.releaseLease().catch((error) => this.log.warn({ lock: this.blob.name, error: errorCode(error) }, 'lease release failed'));
    }
  }

  /** The container and an empty blob to lease, created once per process. */
  private ensureBlob(): Promise<void> {
    this.ready ??= (async () => {
      await this.container.createIfNotExists();
      try {
        await this.blob.getBlockBlobClient().upload('', 0, { conditions: { ifNoneMatch: '*' } });
      } catch (error) {
        // 409 BlobAlreadyExists or 412: another instance (or an earlier run) created it.
        if (statusCodeOf(error) !== 409 && statusCodeOf(error) !== 412) throw error;
      }
    })().catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }
}

import {
  BlobServiceClient,
  ContainerClient,
  ContainerSASPermissions,
  generateBlobSASQueryParameters,
  SASProtocol,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import { USER_DELEGATION_MAX_DAYS } from '../config';
import { Clock, RawBytes, ServiceExportSpace } from '../dsr';
import { blobServiceOf, sharedKeySasProtocol, USER_DELEGATION_SAS_VERSION } from './blobExportStore';

const MINUTE = 60 * 1000;
const DAY = 24 * 60 * MINUTE;
/** Microsoft: an export takes "usually a few days, up to 30"; the SAS outlives it by a margin. */
const EXPORT_SAS_DAYS = 35;
/**
 * What Graph needs to write its files: create and write blobs, list the container. No read, no
 * delete: whoever obtains the SAS can add files but not take any away or read them.
 */
const GRAPH_PERMISSIONS = 'cwl';

/**
 * One blob container per request in the bot's own Storage account, for a service's export to
 * write into (`dsr-export-<request id>`), handed to the service as a container SAS URL.
 *
 * With the account key (Azurite, or the account of its own that DSR_SERVICE_EXPORT_STORAGE_CONNECTION_STRING
 * names in Azure), a service SAS of 35 days. With the managed identity the account allows no shared
 * key, so the SAS is a user-delegation SAS, which Azure caps at seven days and which cannot be
 * renewed for an operation already running (Graph keeps the URL it was given): an export still
 * writing after seven days fails, and approvers are told and may Retry it. Config refuses that
 * setup outside the sandbox.
 */
export class ServiceExportContainers implements ServiceExportSpace {
  constructor(
    private readonly blobs: BlobServiceClient,
    private readonly clock: Clock,
  ) {}

  async prepare(requestId: string): Promise<string> {
    const container = this.container(requestId);
    await container.createIfNotExists();
    const now = this.clock.now().getTime();
    if (this.blobs.credential instanceof StorageSharedKeyCredential) {
      return container.generateSasUrl({
        permissions: ContainerSASPermissions.parse(GRAPH_PERMISSIONS),
        expiresOn: new Date(now + EXPORT_SAS_DAYS * DAY),
        protocol: sharedKeySasProtocol(container.url),
      });
    }
    const startsOn = new Date(now - 5 * MINUTE);
    const expiresOn = new Date(now + USER_DELEGATION_MAX_DAYS * DAY - 15 * MINUTE);
    const key = await this.blobs.getUserDelegationKey(startsOn, expiresOn);
    const query = generateBlobSASQueryParameters(
      {
        containerName: container.containerName,
        permissions: ContainerSASPermissions.parse(GRAPH_PERMISSIONS),
        startsOn,
        expiresOn,
        protocol: SASProtocol.Https,
        version: USER_DELEGATION_SAS_VERSION,
      },
      key,
      container.accountName,
    ).toString();
    return `${container.url}?${query}`;
  }

  async *files(requestId: string): AsyncIterable<{ path: string; content: RawBytes }> {
    const container = this.container(requestId);
    for await (const blob of container.listBlobsFlat()) {
      const client = container.getBlobClient(blob.name);
      // Each blob is downloaded as the package reads it: the logs are never held whole.
      yield { path: blob.name, content: new RawBytes((async function* () {
        const body = (await client.download()).readableStreamBody;
        if (body) yield* body as AsyncIterable<Buffer>;
      })()) };
    }
  }

  has(requestId: string): Promise<boolean> {
    return this.container(requestId).exists();
  }

  async remove(requestId: string): Promise<boolean> {
    return (await this.container(requestId).deleteIfExists()).succeeded;
  }

  /** In the account `connectionString` names, or else in the bot's own account, beside `exports`. */
  static in(connectionString: string | undefined, exports: ContainerClient, clock: Clock): ServiceExportContainers {
    return new ServiceExportContainers(connectionString ? BlobServiceClient.fromConnectionString(connectionString) : blobServiceOf(exports), clock);
  }

  private container(requestId: string): ContainerClient {
    return this.blobs.getContainerClient(`dsr-export-${requestId.toLowerCase()}`);
  }
}


import { BlobSASPermissions, ContainerClient, SASProtocol } from '@azure/storage-blob';
import { Clock } from '../dsr/clock';
import { ExportStore, PackageWriter } from '../dsr/ports';
import { DsrRequest } from '../dsr/types';
import { ZipPackageWriter } from './exportPackage';

/** Export packages as block blobs, handed out as short-lived read-only SAS links. */
export class BlobExportStore implements ExportStore {
  constructor(
    private readonly container: ContainerClient,
    private readonly clock: Clock,
  ) {}

  async openPackage(request: DsrRequest): Promise<PackageWriter> {
    // One blob per request: a resumed export overwrites the half-written one.
    const blobName = `${request.id}/${request.id}-${request.kind}.zip`;
    const blob = this.container.getBlockBlobClient(blobName);
    return new ZipPackageWriter(
      request,
      blobName,
      (zip) => blob.uploadStream(zip, 4 * 1024 * 1024, 4, { blobHTTPHeaders: { blobContentType: 'application/zip' } }).then(() => undefined),
      () => this.clock.now(),
    );
  }

  /** A read-only link to one package that expires after `days`. */
  async linkFor(blobName: string, days: number): Promise<{ url: string; expiresAt: Date }> {
    const expiresAt = new Date(this.clock.now().getTime() + days * 24 * 60 * 60 * 1000);
    const url = await this.container.getBlockBlobClient(blobName).generateSasUrl({
      permissions: BlobSASPermissions.parse('r'),
      expiresOn: expiresAt,
      // Azurite serves plain http locally; Azure itself only ever answers https.
      protocol: SASProtocol.HttpsAndHttp,
      contentDisposition: `attachment; filename="${blobName.split('/').pop()}"`,
    });
    return { url, expiresAt };
  }
}

import { TokenCredential } from '@azure/core-auth';
import {
  BlobSASPermissions,
  BlobServiceClient,
  ContainerClient,
  generateBlobSASQueryParameters,
  SASProtocol,
  StorageSharedKeyCredential,
  UserDelegationKey,
} from '@azure/storage-blob';
import { isLoopbackHost, USER_DELEGATION_MAX_DAYS } from '../config';
import { AuditHeads, Clock, DsrRequest, ExportStore, PackageWriter } from '../dsr';
import { PackageLanguage, ZipPackageWriter } from './exportPackage';
import { uploadPackage } from './packageUpload';

const MINUTE = 60 * 1000;
const DAY = 24 * 60 * MINUTE;

/**
 * The signed version (`sv`) of user-delegation links: the newest whose signature Azurite 3.35
 * checks (test/storage/managedIdentityStorage.test.ts signs and downloads with it). Azure accepts
 * every published version; the SDK's own default (2026-04-06) adds a field Azurite does not sign.
 */
export const USER_DELEGATION_SAS_VERSION = '2025-07-05';

/**
 * The protocols a link signed with the account key allows: https only, except where the blob
 * endpoint itself is plain http on loopback (Azurite as the sandbox runs it), whose packages an
 * https-only link could not fetch at all and which never carries them off this machine.
 */
export function sharedKeySasProtocol(blobUrl: string): SASProtocol {
  const url = new URL(blobUrl);
  return url.protocol === 'http:' && isLoopbackHost(url.hostname) ? SASProtocol.HttpsAndHttp : SASProtocol.Https;
}

/** What one read-only link to one blob grants, and for how long. */
export interface ReadLinkTerms {
  accountName: string;
  containerName: string;
  blobName: string;
  startsOn: Date;
  expiresOn: Date;
  /** The file name the browser saves the download as. */
  fileName: string;
}

/**
 * The query string of a read-only, https-only SAS for one blob, signed with a user-delegation key
 * (which carries the signing identity's object and tenant id: `skoid`, `sktid`) instead of an
 * account key.
 */
export function userDelegationSasQuery(terms: ReadLinkTerms, key: UserDelegationKey): string {
  return generateBlobSASQueryParameters(
    {
      containerName: terms.containerName,
      blobName: terms.blobName,
      permissions: BlobSASPermissions.parse('r'),
      startsOn: terms.startsOn,
      expiresOn: terms.expiresOn,
      protocol: SASProtocol.Https,
      contentDisposition: `attachment; filename="${terms.fileName}"`,
      version: USER_DELEGATION_SAS_VERSION,
    },
    key,
    terms.accountName,
  ).toString();
}

/**
 * Export packages as block blobs, handed out as short-lived read-only SAS links: signed with the
 * account key when the container was opened from a connection string (Azurite), else with a
 * user-delegation key fetched with the container's Entra credential (the managed identity, on an
 * account that allows no shared keys).
 */
export class BlobExportStore implements ExportStore {
  /**
   * `heads`: the audit log, whose head of the request's chain each manifest records; `language`:
   * the tenant's default language and time zone, for a README whose reader's language is unknown.
   */
  constructor(
    private readonly container: ContainerClient,
    private readonly clock: Clock,
    private readonly heads?: AuditHeads,
    private readonly language?: PackageLanguage,
  ) {}

  async openPackage(request: DsrRequest, part?: string): Promise<PackageWriter> {
    // One blob per request (and part): a resumed export overwrites the half-written one.
    const blobName = `${request.id}/${request.id}-${request.kind}${part ? `-${part}` : ''}.zip`;
    const blob = this.container.getBlockBlobClient(blobName);
    return new ZipPackageWriter(
      request,
      blobName,
      (zip) => uploadPackage(blob, zip, { blobContentType: 'application/zip' }),
      () => this.clock.now(),
      this.heads && (() => this.heads!.writtenHead(request.id)),
      this.language,
    );
  }

  /**
   * A read-only link to one package that expires after `days`. A user-delegation link lives at
   * most seven days less a quarter of an hour, so that its key is still within Azure's seven-day
   * limit if this clock runs a little ahead of Azure's.
   */
  async linkFor(blobName: string, days: number): Promise<{ url: string; expiresAt: Date }> {
    const now = this.clock.now().getTime();
    const blob = this.container.getBlockBlobClient(blobName);
    const fileName = blobName.split('/').pop() ?? blobName;
    if (this.container.credential instanceof StorageSharedKeyCredential) {
      const expiresAt = new Date(now + days * DAY);
      const url = await blob.generateSasUrl({
        permissions: BlobSASPermissions.parse('r'),
        expiresOn: expiresAt,
        protocol: sharedKeySasProtocol(blob.url),
        contentDisposition: `attachment; filename="${fileName}"`,
      });
      return { url, expiresAt };
    }
    const startsOn = new Date(now - 5 * MINUTE); // tolerates clock skew with Azure
    const expiresAt = new Date(Math.min(now + days * DAY, now + USER_DELEGATION_MAX_DAYS * DAY - 15 * MINUTE));
    const key = await this.serviceClient().getUserDelegationKey(startsOn, expiresAt);
    const query = userDelegationSasQuery(
      { accountName: this.container.accountName, containerName: this.container.containerName, blobName, startsOn, expiresOn: expiresAt, fileName },
      key,
    );
    return { url: `${blob.url}?${query}`, expiresAt };
  }

  private serviceClient(): BlobServiceClient {
    return blobServiceOf(this.container);
  }
}

/** The account's blob service, signed in as `container` is (user-delegation keys are asked of the service). */
export function blobServiceOf(container: ContainerClient): BlobServiceClient {
  const url = new URL(container.url);
  url.pathname = url.pathname.split('/').slice(0, -1).join('/');
  return new BlobServiceClient(url.toString(), container.credential as TokenCredential);
}

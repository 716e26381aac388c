import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import archiver from 'archiver';
import { PackageWriter } from '../dsr/ports';
import { DsrRequest, PACKAGE_FOLDERS, SERVICE_LABELS, ServiceName } from '../dsr/types';
import { renderPackageReadme } from './packageReadme';

export interface ManifestFile {
  path: string;
  sha256: string;
  bytes: number;
}

export interface Manifest {
  requestId: string;
  kind: string;
  subject: { aadObjectId: string; upn: string; displayName: string };
  generatedAt: string;
  files: ManifestFile[];
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/**
 * Writes the export ZIP as a stream: one JSON file per service part, then `manifest.json`
 * (SHA-256 of every file) and a readable `README.html`. `upload` consumes the ZIP bytes as
 * they are produced; the whole package is never held in memory.
 */
export class ZipPackageWriter implements PackageWriter {
  private readonly archive = archiver('zip', { zlib: { level: 6 } });
  private readonly files: ManifestFile[] = [];
  private readonly zipHash = createHash('sha256');
  private zipBytes = 0;
  private readonly uploaded: Promise<void>;

  constructor(
    private readonly request: DsrRequest,
    private readonly blobName: string,
    upload: (zip: PassThrough) => Promise<void>,
    private readonly now: () => Date,
  ) {
    const zip = new PassThrough();
    zip.on('data', (chunk: Buffer) => {
      this.zipHash.update(chunk);
      this.zipBytes += chunk.length;
    });
    this.archive.pipe(zip);
    this.uploaded = upload(zip);
    // A failed upload must surface from finish(), not as an unhandled rejection.
    this.uploaded.catch(() => undefined);
  }

  async addFile(path: string, content: unknown): Promise<void> {
    const data = Buffer.from(JSON.stringify(content, null, 2));
    this.append(path, data);
  }

  async finish(): Promise<{ blobName: string; sha256: string; bytes: number }> {
    const { request } = this;
    const manifest: Manifest = {
      requestId: request.id,
      kind: request.kind,
      subject: { aadObjectId: request.subject.aadObjectId, upn: request.subject.upn, displayName: request.subject.displayName },
      generatedAt: this.now().toISOString(),
      files: [...this.files],
    };
    const services = [...new Set(this.files.map((f) => f.path.split('/')[0]))].map((folder) => ({
      label: labelOfFolder(folder),
      files: this.files.filter((f) => f.path.startsWith(`${folder}/`)),
    }));
    this.append('README.html', Buffer.from(renderPackageReadme(manifest, services)));
    this.append('manifest.json', Buffer.from(JSON.stringify({ ...manifest, files: this.files }, null, 2)));
    await this.archive.finalize();
    await this.uploaded;
    return { blobName: this.blobName, sha256: this.zipHash.digest('hex'), bytes: this.zipBytes };
  }

  private append(path: string, data: Buffer): void {
    this.files.push({ path, sha256: sha256(data), bytes: data.length });
    this.archive.append(data, { name: path, date: this.now() });
  }
}

function labelOfFolder(folder: string): string {
  const service = (Object.keys(PACKAGE_FOLDERS) as ServiceName[]).find((s) => PACKAGE_FOLDERS[s] === folder);
  return service ? SERVICE_LABELS[service] : folder;
}

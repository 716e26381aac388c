import { createHash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import archiver from 'archiver';
import { AuditHead, DsrRequest, PackageStoreError, PackageWriter, RawBytes, type StreamedArray } from '../dsr';
import { Locale, resolveLocale, wordsFor } from '../i18n';
import { jsonPieces } from './exportJson';
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
  /**
   * The request's audit chain as it stood when the package was finished: the requester's own copy
   * of a value the bot's audit digests must still agree with.
   */
  auditHead?: AuditHead;
  files: ManifestFile[];
}

/** The tenant's language settings: the README falls back on them when the person's own language is unknown. */
export interface PackageLanguage {
  defaultLocale: Locale;
  timeZone: string;
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** Bytes of JSON text gathered before they go to the archive: fewer, larger writes. */
const CHUNK_BYTES = 64 * 1024;
/**
 * A file smaller than this is stored as it is, not deflated: a deflate stream's set-up costs more
 * CPU than the few hundred bytes it would save (most files of a package are a profile or a short
 * list). Below CHUNK_BYTES, so such a file is whole in its first chunk.
 */
const STORE_BELOW_BYTES = 4 * 1024;

/**
 * Writes the export ZIP as a stream: one JSON file per service part, then `manifest.json`
 * (SHA-256 of every file) and a readable `README.html`. `upload` consumes the ZIP bytes as
 * they are produced; the whole package is never held in memory, and neither is a file: a
 * {@link StreamedArray} in a file's content is read from its service item by item as the archive
 * takes more bytes (backpressure from the upload reaches the service calls), and the file's hash
 * and size are counted on the way. Nothing is stored until {@link finish}: the upload commits
 * only when the ZIP ends, and {@link abort} fails the upload stream instead of ending it.
 */
export class ZipPackageWriter implements PackageWriter {
  private readonly archive = archiver('zip', { zlib: { level: 6 } });
  private readonly zip = new PassThrough();
  private readonly files: ManifestFile[] = [];
  private readonly zipHash = createHash('sha256');
  private zipBytes = 0;
  private readonly uploaded: Promise<void>;
  /** Rejects (with a PackageStoreError) once the archive or the upload fails, or the package is given up. */
  private readonly failed: Promise<never>;
  private failure: PackageStoreError | undefined;
  private fail: (error: PackageStoreError) => void = () => undefined;
  /** A file whose items failed part-way: the package can only be given up. */
  private cutShort: string | undefined;
  private writing = false;
  private state: 'open' | 'finishing' | 'finished' | 'aborted' = 'open';

  constructor(
    private readonly request: DsrRequest,
    private readonly blobName: string,
    upload: (zip: PassThrough) => Promise<void>,
    private readonly now: () => Date,
    /** The request's audit chain head (with this process's entries) for the manifest; none: the manifest has no `auditHead`. */
    private readonly auditHead?: () => Promise<AuditHead | undefined>,
    /** None: English in UTC, the settings' own defaults. */
    private readonly language: PackageLanguage = { defaultLocale: 'en', timeZone: 'UTC' },
  ) {
    this.failed = new Promise<never>((_, reject) => {
      this.fail = reject;
    });
    this.failed.catch(() => undefined);
    this.zip.on('data', (chunk: Buffer) => {
      this.zipHash.update(chunk);
      this.zipBytes += chunk.length;
    });
    // abort() fails the stream on purpose; the upload sees it, nobody else needs to.
    this.zip.on('error', () => undefined);
    this.archive.on('error', (error) => this.breakWith(error));
    this.archive.on('warning', (error) => this.breakWith(error));
    this.archive.pipe(this.zip);
    this.uploaded = upload(this.zip);
    // A failed upload must surface from addFile() or finish(), not as an unhandled rejection.
    this.uploaded.catch((error: unknown) => this.breakWith(error));
  }

  async addFile(path: string, content: unknown): Promise<void> {
    if (this.writing) throw new Error('ZipPackageWriter writes one file at a time.');
    this.usable();
    this.writing = true;
    const hash = createHash('sha256');
    let bytes = 0;
    let itemsFailure: { error: unknown } | undefined;
    // RawBytes are a service's own file (its logs), stored byte for byte; anything else is JSON.
    const text: AsyncIterable<string | Uint8Array> = content instanceof RawBytes ? content : jsonPieces(content);
    async function* chunks(): AsyncGenerator<Buffer> {
      let pending: (string | Uint8Array)[] = [];
      let pendingLength = 0;
      const take = () => {
        const chunk = Buffer.concat(pending.map((piece) => (typeof piece === 'string' ? Buffer.from(piece) : piece)));
        pending = [];
        pendingLength = 0;
        hash.update(chunk);
        bytes += chunk.length;
        return chunk;
      };
      try {
        for await (const piece of text) {
          pending.push(piece);
          pendingLength += piece.length;
          if (pendingLength >= CHUNK_BYTES) yield take();
        }
        if (pendingLength > 0) yield take();
      } catch (error) {
        // The entry ends here, so the archive stays whole for the other services' files; this
        // file is cut short and the package can no longer be finished.
        itemsFailure = { error };
      }
    }
    // Not an error on the source: archiver pipes it on and would wait for its end forever.
    const pieces = chunks();
    const first = await pieces.next();
    const small = first.done || first.value.length < STORE_BELOW_BYTES;
    const source = small ? undefined : Readable.from(prepended(first.value, pieces), { objectMode: false });
    const entry = this.entryWritten(path);
    try {
      this.archive.append(source ?? (first.value || Buffer.alloc(0)), { name: path, date: this.now(), store: small });
      await Promise.race([entry.written, this.failed]);
    } catch (error) {
      // Stops reading the items (their generators are returned), whatever they were waiting for.
      source?.destroy();
      throw error;
    } finally {
      entry.forget();
      this.writing = false;
    }
    if (itemsFailure) {
      this.cutShort ??= path;
      throw itemsFailure.error;
    }
    this.files.push({ path, sha256: hash.digest('hex'), bytes });
  }

  async finish(): Promise<{ blobName: string; sha256: string; bytes: number }> {
    this.usable();
    if (this.cutShort !== undefined) throw new Error(`The package cannot be finished: ${this.cutShort} was cut short.`);
    const { request } = this;
    const head = await Promise.race([this.auditHead?.(), this.failed]);
    const manifest: Manifest = {
      requestId: request.id,
      kind: request.kind,
      subject: { aadObjectId: request.subject.aadObjectId, upn: request.subject.upn, displayName: request.subject.displayName },
      generatedAt: this.now().toISOString(),
      ...(head ? { auditHead: { count: head.count, hash: head.hash } } : {}),
      files: [...this.files],
    };
    const services = [...new Set(this.files.map((f) => f.path.split('/')[0]))].map((folder) => ({
      folder,
      files: this.files.filter((f) => f.path.startsWith(`${folder}/`)),
    }));
    this.appendBuffer('README.html', Buffer.from(renderPackageReadme(manifest, services, this.readerWords())));
    this.appendBuffer('manifest.json', Buffer.from(JSON.stringify({ ...manifest, files: this.files }, null, 2)));
    this.state = 'finishing';
    await Promise.race([this.archive.finalize(), this.failed]);
    await Promise.race([this.uploaded, this.failed]);
    this.state = 'finished';
    return { blobName: this.blobName, sha256: this.zipHash.digest('hex'), bytes: this.zipBytes };
  }

  async abort(): Promise<void> {
    if (this.state === 'finished' || this.state === 'aborted') return;
    this.state = 'aborted';
    const reason = new Error('The export package was given up.');
    this.breakWith(reason);
    // Failing the stream the upload reads (rather than ending it) keeps the upload from committing
    // what it has; the archive is cut loose first, as aborting it ends its output.
    this.archive.unpipe(this.zip);
    this.zip.destroy(reason);
    this.archive.abort();
    await this.uploaded.catch(() => undefined);
  }

  /** The words of the person the package is for: the requester's Teams language, else the subject's Entra one, else the tenant's. */
  private readerWords() {
    const { request, language } = this;
    return wordsFor(resolveLocale(language.defaultLocale, request.requester.locale, request.subject.preferredLanguage), language.timeZone);
  }

  /** Throws why nothing more can be written. */
  private usable(): void {
    if (this.failure) throw this.failure;
    if (this.state !== 'open') throw new Error(`The package is ${this.state}.`);
  }

  private breakWith(error: unknown): void {
    if (this.failure) return;
    this.failure = new PackageStoreError(error);
    this.fail(this.failure);
  }

  /** `written` resolves when the archive has taken the whole entry `name` (its `entry` event); `forget` stops listening. */
  private entryWritten(name: string): { written: Promise<void>; forget: () => void } {
    let onEntry: (entry: archiver.EntryData) => void = () => undefined;
    const written = new Promise<void>((resolve) => {
      onEntry = (entry) => {
        if (entry.name === name) resolve();
      };
      this.archive.on('entry', onEntry);
    });
    return { written, forget: () => this.archive.off('entry', onEntry) };
  }

  private appendBuffer(path: string, data: Buffer): void {
    this.files.push({ path, sha256: sha256(data), bytes: data.length });
    this.archive.append(data, { name: path, date: this.now(), store: data.length < STORE_BELOW_BYTES });
  }
}

async function* prepended(first: Buffer, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  yield first;
  yield* { [Symbol.asyncIterator]: () => rest };
}

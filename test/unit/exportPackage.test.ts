import { createHash, randomBytes } from 'node:crypto';
import type { PassThrough } from 'node:stream';
import yauzl from 'yauzl';
import { PackageStoreError, StreamedArray, streamedArray } from '../../src/dsr';
import { jsonPieces } from '../../src/storage/exportJson';
import { ZipPackageWriter, type Manifest } from '../../src/storage/exportPackage';
import { unzip } from '../support/unzip';
import { sampleRequest } from './sampleRequest';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const NOW = () => new Date('2026-11-22T10:00:00.000Z');

/** An upload that keeps the ZIP bytes, as the blob store's would send them on; `received` grows as they come. */
function memoryUpload() {
  const chunks: Buffer[] = [];
  const upload = {
    received: 0,
    zip: () => Buffer.concat(chunks),
    outcome: undefined as 'committed' | 'failed' | undefined,
    run: (zip: PassThrough) => new Promise<void>((resolve, reject) => {
      zip.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        upload.received += chunk.length;
      });
      // As a block blob upload: committed only when the stream ends, never when it fails.
      zip.on('end', () => {
        upload.outcome = 'committed';
        resolve();
      });
      zip.on('error', (error) => {
        upload.outcome = 'failed';
        reject(error);
      });
    }),
  };
  return upload;
}

/** Twins with random (incompressible) serials, so the ZIP grows while they are written. */
async function* twins(count: number, onItem: (index: number) => void = () => undefined): AsyncGenerator<Record<string, unknown>> {
  for (let i = 0; i < count; i++) {
    onItem(i);
    yield { $dtId: `twin-${i}`, ownerId: 'owner-1', serial: randomBytes(24).toString('hex'), tags: { floor: i % 7 } };
  }
}

const STORED = 0;
const DEFLATED = 8;

/** Each entry's compression method, as the ZIP's central directory records it. */
function compressionMethods(zip: Buffer): Promise<Map<string, number>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (error, file) => {
      if (error || !file) return reject(error);
      const methods = new Map<string, number>();
      file.on('entry', (entry: yauzl.Entry) => {
        methods.set(entry.fileName, entry.compressionMethod);
        file.readEntry();
      });
      file.on('end', () => resolve(methods));
      file.on('error', reject);
      file.readEntry();
    });
  });
}

async function textOf(content: unknown): Promise<string> {
  let text = '';
  for await (const piece of jsonPieces(content)) text += piece;
  return text;
}

describe('ZipPackageWriter', () => {
  it('streams a file of many items into the ZIP as they come, with its SHA-256 and size in the manifest', async () => {
    const upload = memoryUpload();
    const writer = new ZipPackageWriter(sampleRequest(), 'DSR-2026-0042/package.zip', upload.run, NOW);
    const items: unknown[] = [];
    let receivedBeforeLastItem = -1;
    const count = 20_000;
    const source = twins(count, (i) => {
      if (i === count - 1) receivedBeforeLastItem = upload.received;
    });
    // Keeps what it hands over only to compare with the ZIP afterwards.
    const kept = (async function* () {
      for await (const item of source) {
        items.push(item);
        yield item;
      }
    })();
    await writer.addFile('digital-twins/twins.json', streamedArray(kept));
    await writer.addFile('iot-hub/devices.json', { hub: 'contoso-hub', devices: streamedArray(twins(3)), note: undefined });
    await writer.addFile('entra/profile.json', { id: 'x', displayName: 'Megan Bowen' });
    const delivery = await writer.finish();

    // ZIP bytes reached the upload before the last item was read: the file was never whole in memory.
    expect(receivedBeforeLastItem).toBeGreaterThan(100_000);
    expect(upload.outcome).toBe('committed');
    const zip = upload.zip();
    expect(delivery).toEqual({ blobName: 'DSR-2026-0042/package.zip', sha256: sha256(zip), bytes: zip.length });

    const files = await unzip(zip);
    const twinsJson = files.get('digital-twins/twins.json')!;
    expect(twinsJson.toString()).toBe(JSON.stringify(items, null, 2));
    expect(items).toHaveLength(count);
    const devices = JSON.parse(files.get('iot-hub/devices.json')!.toString()) as { hub: string; devices: { $dtId: string }[] };
    expect(devices.hub).toBe('contoso-hub');
    expect(devices.devices.map((d) => d.$dtId)).toEqual(['twin-0', 'twin-1', 'twin-2']);

    const manifest = JSON.parse(files.get('manifest.json')!.toString()) as Manifest;
    expect(manifest.files.map((f) => f.path)).toEqual(['digital-twins/twins.json', 'iot-hub/devices.json', 'entra/profile.json', 'README.html']);
    for (const entry of manifest.files) {
      const bytes = files.get(entry.path)!;
      expect({ path: entry.path, sha256: entry.sha256, bytes: entry.bytes }).toEqual({ path: entry.path, sha256: sha256(bytes), bytes: bytes.length });
    }
    expect(files.get('README.html')!.toString()).toContain(`digital-twins/twins.json</code> (${twinsJson.length.toLocaleString('en-GB')} bytes)`);
  });

  it('stores a small file as it is and deflates a large one; both read back byte for byte', async () => {
    const upload = memoryUpload();
    const writer = new ZipPackageWriter(sampleRequest(), 'p.zip', upload.run, NOW);
    const repeated = Array.from({ length: 2_000 }, (_, i) => ({ $dtId: `twin-${i}`, ownerId: 'owner-1', floor: 'floor-7' }));
    await writer.addFile('entra/profile.json', { id: 'x', displayName: 'Megan Bowen' });
    await writer.addFile('digital-twins/twins.json', streamedArray((async function* () {
      yield* repeated;
    })()));
    await writer.finish();

    const zip = upload.zip();
    const methods = await compressionMethods(zip);
    const files = await unzip(zip);
    expect(methods.get('entra/profile.json')).toBe(STORED);
    expect(methods.get('digital-twins/twins.json')).toBe(DEFLATED);
    expect(files.get('entra/profile.json')!.toString()).toBe(await textOf({ id: 'x', displayName: 'Megan Bowen' }));
    expect(files.get('digital-twins/twins.json')!.toString()).toBe(JSON.stringify(repeated, null, 2));
    // Deflated, the repetitive twins take a fraction of their size.
    expect(zip.length).toBeLessThan(files.get('digital-twins/twins.json')!.length / 5);
  });

  it('records the request\'s audit chain head as it stands at the finish in the manifest and the README', async () => {
    const upload = memoryUpload();
    let head = { count: 5, hash: 'aa'.repeat(32) };
    const writer = new ZipPackageWriter(sampleRequest(), 'p.zip', upload.run, NOW, async () => head);
    await writer.addFile('entra/profile.json', { id: 'x' });
    // The last step's entry is appended after the file is written, before the package is finished.
    head = { count: 6, hash: 'bb'.repeat(32) };
    await writer.finish();
    const files = await unzip(upload.zip());
    const manifest = JSON.parse(files.get('manifest.json')!.toString()) as Manifest;
    expect(manifest.auditHead).toEqual({ count: 6, hash: 'bb'.repeat(32) });
    expect(files.get('README.html')!.toString()).toContain(`held 6 entries, the last with hash <code>${'bb'.repeat(32)}</code>`);

    const without = memoryUpload();
    const plain = new ZipPackageWriter(sampleRequest(), 'p.zip', without.run, NOW);
    await plain.finish();
    expect(Object.keys(JSON.parse((await unzip(without.zip())).get('manifest.json')!.toString()) as Manifest)).not.toContain('auditHead');
  });

  it.each([
    ['the requester\'s Teams language', { locale: 'fr-FR' }, { preferredLanguage: 'es-ES' }, 'fr', 'Préparé pour'],
    ['the subject\'s Entra language when Teams said none', {}, { preferredLanguage: 'es-ES' }, 'es', 'Preparado para'],
    ['the tenant\'s default when neither is known', {}, {}, 'de', 'Erstellt für'],
  ] as const)('writes the README in %s', async (_, requester, subject, locale, prepared) => {
    const upload = memoryUpload();
    const base = sampleRequest();
    const request = sampleRequest({ requester: { ...base.requester, ...requester }, subject: { ...base.subject, ...subject } });
    const writer = new ZipPackageWriter(request, 'p.zip', upload.run, NOW, undefined, { defaultLocale: 'de', timeZone: 'UTC' });
    await writer.addFile('entra/profile.json', { id: 'x' });
    await writer.finish();
    const readme = (await unzip(upload.zip())).get('README.html')!.toString();

    expect(readme).toContain(`<html lang="${locale}">`);
    expect(readme).toContain(prepared);
  });

  it('fails the file whose items fail, writes the next one, and then can only give the package up: nothing is committed', async () => {
    const upload = memoryUpload();
    const writer = new ZipPackageWriter(sampleRequest(), 'p.zip', upload.run, NOW);
    const refused = new Error('the service refused page 2');
    const failing = (async function* () {
      yield* twins(500);
      throw refused;
    })();
    await expect(writer.addFile('digital-twins/twins.json', streamedArray(failing))).rejects.toBe(refused);
    // The archive is still whole: another service's file goes in (its step reports on its own).
    await writer.addFile('entra/profile.json', { id: 'x' });
    await expect(writer.finish()).rejects.toThrow('digital-twins/twins.json was cut short');
    await writer.abort();
    expect(upload.outcome).toBe('failed');
  });

  it('stops reading the items and reports a PackageStoreError when the upload fails', async () => {
    let read = 0;
    let onReturn = () => undefined as void;
    const returned = new Promise<void>((resolve) => { onReturn = resolve; });
    const writer = new ZipPackageWriter(sampleRequest(), 'p.zip', async (zip) => {
      // The store takes 200 kB, then refuses.
      let taken = 0;
      await new Promise<void>((resolve) => zip.on('data', (chunk: Buffer) => {
        taken += chunk.length;
        if (taken > 200_000) resolve();
      }));
      zip.pause();
      throw Object.assign(new Error('403 from the store'), { statusCode: 403 });
    }, NOW);
    const endless = (async function* () {
      try {
        for (;;) yield* twins(100, () => read++);
      } finally {
        onReturn();
      }
    })();
    const error = await writer.addFile('digital-twins/twins.json', streamedArray(endless)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PackageStoreError);
    expect(((error as PackageStoreError).cause as Error).message).toBe('403 from the store');
    // The items are returned (their generator's clean-up runs): were they not, this would time out.
    await returned;
    const readWhenFailed = read;
    await expect(writer.addFile('entra/profile.json', {})).rejects.toBeInstanceOf(PackageStoreError);
    await expect(writer.finish()).rejects.toBeInstanceOf(PackageStoreError);
    await writer.abort();
    expect(read).toBe(readWhenFailed);
  });
});

describe('the JSON text of export content', () => {
  const materialised = (items: unknown[]) => streamedArray((async function* () { yield* items; })());

  it('is what JSON.stringify writes for the same value, whatever is streamed and where', async () => {
    const cases: [unknown, unknown][] = [
      [materialised([]), []],
      [materialised([1, 'two', null, { three: [3] }]), [1, 'two', null, { three: [3] }]],
      [{ outgoing: materialised([{ a: 1 }]), incoming: materialised([]), skipped: undefined }, { outgoing: [{ a: 1 }], incoming: [], skipped: undefined }],
      [[materialised([undefined, { nested: materialised([{ deep: [1, { x: 'y' }] }]) }]), 'tail'], [[undefined, { nested: [{ deep: [1, { x: 'y' }] }] }], 'tail']],
      [{ when: new Date('2026-01-02T03:04:05.000Z'), empty: {}, list: [] }, { when: new Date('2026-01-02T03:04:05.000Z'), empty: {}, list: [] }],
      [{ when: new Date('2026-01-02T03:04:05.000Z'), items: materialised([1]) }, { when: new Date('2026-01-02T03:04:05.000Z'), items: [1] }],
      [{}, {}],
      ['text with "quotes" and \n a line break', 'text with "quotes" and \n a line break'],
    ];
    for (const [content, value] of cases) expect(await textOf(content)).toBe(JSON.stringify(value, null, 2));
  });

  it('reads a streamed array one item at a time, as the text is asked for', async () => {
    let produced = 0;
    const content = new StreamedArray((async function* () {
      for (let i = 0; i < 1000; i++) {
        produced++;
        yield { i };
      }
    })());
    const pieces = jsonPieces({ items: content });
    let text = '';
    while (!text.includes('"i": 2')) text += (await pieces.next()).value as string;
    expect(produced).toBe(3);
    await pieces.return(undefined);
  });
});

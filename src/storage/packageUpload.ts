import { Readable } from 'node:stream';
import type { BlobHTTPHeaders, BlockBlobClient } from '@azure/storage-blob';

/** A block of a package upload, and the most of a package held before its first block goes up. */
export const PACKAGE_BLOCK_BYTES = 4 * 1024 * 1024;
/** Blocks of a larger package uploaded at once. */
const PARALLEL_BLOCKS = 4;

/**
 * Uploads a package as it is written. One that ends within its first block (most do) is stored
 * with one Put Blob; a larger one goes up in staged blocks, its first block included, committed
 * when the stream ends. Either way nothing is stored unless the stream ends without an error.
 * (The SDK's uploadStream always stages and then commits: two calls for a small package.)
 */
export async function uploadPackage(blob: BlockBlobClient, zip: Readable, headers: BlobHTTPHeaders): Promise<void> {
  const chunks = zip[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head: Buffer[] = [];
  let size = 0;
  while (size < PACKAGE_BLOCK_BYTES) {
    const next = await chunks.next();
    if (next.done) {
      await blob.upload(Buffer.concat(head, size), size, { blobHTTPHeaders: headers });
      return;
    }
    head.push(next.value);
    size += next.value.length;
  }
  const whole = Readable.from((async function* () {
    yield* head;
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value;
  })());
  await blob.uploadStream(whole, PACKAGE_BLOCK_BYTES, PARALLEL_BLOCKS, { blobHTTPHeaders: headers });
}

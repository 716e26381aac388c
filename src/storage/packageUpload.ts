import { Readable } from 'node:stream';
import type { BlobHTTPHeaders, BlockBlobClient } from '@azure/storage-blob';

/** A block of a larger package's upload. */
export const PACKAGE_BLOCK_BYTES = 4 * 1024 * 1024;
/**
 * The largest package stored with one Put Blob, and the most of one held before its upload
 * starts. Most packages are a few kilobytes; a larger one goes up in blocks, as before, so a
 * large export's memory stays what uploadStream's own is.
 */
export const SINGLE_PUT_BYTES = 256 * 1024;
/** Blocks of a larger package uploaded at once. */
const PARALLEL_BLOCKS = 4;

/**
 * Uploads a package as it is written. One that ends within SINGLE_PUT_BYTES (most do) is stored
 * with one Put Blob; a larger one goes up in staged blocks, what was read of it included, committed
 * when the stream ends. Either way nothing is stored unless the stream ends without an error.
 * (The SDK's uploadStream always stages and then commits: two calls for a small package.)
 */
export async function uploadPackage(blob: BlockBlobClient, zip: Readable, headers: BlobHTTPHeaders): Promise<void> {
  const chunks = zip[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head: Buffer[] = [];
  let size = 0;
  while (size <= SINGLE_PUT_BYTES) {
    const next = await chunks.next();
    if (next.done) {
      await blob.upload(Buffer.concat(head, size), size, { blobHTTPHeaders: headers });
      return;
    }
    head.push(next.value);
    size += next.value.length;
  }
  const whole = Readable.from((async function* () {
    // Each chunk of the head let go once taken, so memory holds no more than uploadStream's own.
    for (let chunk = head.shift(); chunk; chunk = head.shift()) yield chunk;
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value;
  })());
  await blob.uploadStream(whole, PACKAGE_BLOCK_BYTES, PARALLEL_BLOCKS, { blobHTTPHeaders: headers });
}

import type { IncomingHttpHeaders } from 'node:http';
import { preconditionFailed } from './digitalTwinsErrors';

/**
 * Enforces `If-Match` against a twin's or relationship's current ETag: absent or `*` passes,
 * otherwise one of the listed ETags must equal it.
 * @throws 412 `PreconditionFailed`.
 */
export function checkIfMatch(headers: IncomingHttpHeaders, currentEtag: string): void {
  const header = headers['if-match'];
  if (header === undefined || header.trim() === '*') return;
  if (!header.split(',').map((tag) => tag.trim()).includes(currentEtag)) throw preconditionFailed();
}

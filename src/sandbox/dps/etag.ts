import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { preconditionFailed } from './dpsErrors';

/** A fresh ETag, shaped as DPS's: base64 of a quoted version id. */
export function newEtag(): string {
  return Buffer.from(`"${randomUUID()}"`, 'utf8').toString('base64');
}

/**
 * Enforces `If-Match` against the current ETag: absent or `*` passes, otherwise the value
 * (with or without surrounding quotes, as clients differ) must equal it.
 * @throws 412 on a mismatch.
 */
export function checkIfMatch(headers: IncomingHttpHeaders, currentEtag: string): void {
  const header = headers['if-match'];
  if (header === undefined || header.trim() === '*') return;
  const candidates = header.split(',').map(unquote);
  if (!candidates.includes(unquote(currentEtag))) throw preconditionFailed();
}

/** Whether the request carries an `If-Match` that names a version (not `*`). */
export function hasVersionedIfMatch(headers: IncomingHttpHeaders): boolean {
  const header = headers['if-match'];
  return header !== undefined && header.trim() !== '*';
}

function unquote(value: string): string {
  const trimmed = value.trim().replace(/^W\//, '');
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1) : trimmed;
}

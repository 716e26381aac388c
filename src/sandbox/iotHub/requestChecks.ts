import type { IncomingHttpHeaders } from 'node:http';
import { SandboxHttpError } from '../common';
import { preconditionFailed } from './iotHubErrors';

/**
 * The api-versions the sandbox answers: the one azure-iothub 1.16 sends (2021-04-12) and the one
 * of the reference spec (2020-03-13). Both have the same paths and shapes for what is served here.
 */
export const SUPPORTED_API_VERSIONS: readonly string[] = ['2021-04-12', '2020-03-13'];

/** @throws 400 `InvalidProtocolVersion`, as IoT Hub answers a missing or unknown api-version. */
export function requireApiVersion(query: URLSearchParams): void {
  const version = query.get('api-version');
  if (version === null || !SUPPORTED_API_VERSIONS.includes(version)) {
    throw new SandboxHttpError(400, 'Invalid Api-Version Specified', 'InvalidProtocolVersion');
  }
}

/** What an `If-Match` header asks for: nothing, any version (`*`), or one etag. */
export type IfMatch = { kind: 'absent' } | { kind: 'any' } | { kind: 'etag'; etag: string };

/**
 * Reads `If-Match`. IoT Hub takes the etag quoted or bare, and azure-iothub quotes even the
 * wildcard (`"*"`), so quotes and a weak `W/` prefix are dropped before comparing.
 */
export function readIfMatch(headers: IncomingHttpHeaders): IfMatch {
  const raw = headers['if-match'];
  if (raw === undefined || raw.trim() === '') return { kind: 'absent' };
  const value = raw.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
  return value === '*' ? { kind: 'any' } : { kind: 'etag', etag: value };
}

/** @throws 412 `PreconditionFailed` when `If-Match` names an etag other than `current`. */
export function checkIfMatch(ifMatch: IfMatch, current: string, what: 'Device' | 'Twin'): void {
  if (ifMatch.kind === 'etag' && ifMatch.etag !== current) throw preconditionFailed(what);
}

/** The `ETag` response header IoT Hub sends with an identity or twin: the etag in quotes. */
export function etagHeader(etag: string): Record<string, string> {
  return { ETag: `"${etag}"` };
}

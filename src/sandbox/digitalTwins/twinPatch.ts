import { digitalTwinsError } from './digitalTwinsErrors';
import { newEtag, type StoredTwin } from './digitalTwinsState';

/** One JSON Patch (RFC 6902) operation of the kinds Azure Digital Twins takes on twin properties. */
interface PatchOperation {
  op: 'add' | 'replace' | 'remove';
  segments: string[];
  value?: unknown;
}

/**
 * Checks a JSON Patch document for `PATCH /digitaltwins/{id}`: an array of `add`, `replace` and
 * `remove` operations on properties (paths into `$dtId`, `$etag` or `$metadata` are refused).
 * @throws 400 `JsonPatchInvalid`.
 */
export function parseTwinPatch(body: unknown): PatchOperation[] {
  if (!Array.isArray(body) || body.length === 0) throw invalid('The patch document must be a non-empty JSON array of operations.');
  return body.map((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) throw invalid('Each patch operation must be a JSON object.');
    const { op, path, value } = entry as Record<string, unknown>;
    if (op !== 'add' && op !== 'replace' && op !== 'remove') throw invalid("Only the 'add', 'replace' and 'remove' operations are supported.");
    if (typeof path !== 'string' || !path.startsWith('/') || path === '/') throw invalid('Each operation needs a path to a property.');
    const segments = path.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    if (segments.some((s) => s === '' || s === '__proto__')) throw invalid('A patch path has an empty or reserved segment.');
    if (segments[0].startsWith('$')) throw invalid('Paths into $dtId, $etag or $metadata are not supported by the sandbox.');
    if (op !== 'remove' && value === undefined) throw invalid(`The '${op}' operation needs a value.`);
    return { op, segments, ...(op !== 'remove' && { value }) };
  });
}

/**
 * Applies checked operations to a twin in place, all or nothing (the caller works on a draft),
 * then gives it a new ETag and stamps the changed properties.
 * @throws 400 `JsonPatchInvalid` when a path does not exist as the operation requires.
 */
export function applyTwinPatch(twin: StoredTwin, operations: readonly PatchOperation[], now = new Date()): void {
  const at = now.toISOString();
  for (const { op, segments, value } of operations) {
    const parent = parentOf(twin, segments);
    const name = segments[segments.length - 1];
    const exists = Object.prototype.hasOwnProperty.call(parent, name);
    if (op !== 'add' && !exists) throw invalid(`The '${op}' operation targets a property that does not exist.`);
    if (op === 'remove') delete parent[name];
    else parent[name] = structuredClone(value);
    const top = segments[0];
    if (op === 'remove' && segments.length === 1) delete twin.$metadata[top];
    else twin.$metadata[top] = { lastUpdateTime: at };
  }
  twin.$metadata.$lastUpdateTime = at;
  twin.$etag = newEtag();
}

function parentOf(twin: StoredTwin, segments: readonly string[]): Record<string, unknown> {
  let node: unknown = twin;
  for (const segment of segments.slice(0, -1)) {
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[segment] : undefined;
    if (typeof node !== 'object' || node === null || Array.isArray(node)) throw invalid('A patch path goes through a property that is not an object.');
  }
  return node as Record<string, unknown>;
}

function invalid(message: string) {
  return digitalTwinsError(400, 'JsonPatchInvalid', message);
}

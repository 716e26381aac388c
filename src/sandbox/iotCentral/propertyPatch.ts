import type { SandboxRequest } from '../common';
import { badRequest, iotCentralError } from './iotCentralErrors';

/** The media types the spec's `Devices_UpdateProperties` consumes. */
const PATCH_MEDIA_TYPES = ['application/json', 'application/merge-patch+json'];

type JsonObject = Record<string, unknown>;

/**
 * The body of `PATCH /api/devices/{deviceId}/properties`, checked as the spec declares it: a
 * required JSON object, sent as `application/json` or `application/merge-patch+json`.
 */
export function propertyPatchOf(request: SandboxRequest): JsonObject {
  const contentType = request.headers['content-type'];
  if (contentType !== undefined && !PATCH_MEDIA_TYPES.includes(contentType.split(';')[0].trim().toLowerCase())) {
    throw iotCentralError(415, 'UnsupportedMediaType', `The content type ${JSON.stringify(contentType)} is not supported; send application/json or application/merge-patch+json.`);
  }
  if (!isObject(request.body)) throw badRequest('The request body must be a JSON object of property values.');
  return request.body;
}

/**
 * Applies a patch to a device's property values with JSON merge patch rules (RFC 7396, the
 * `application/merge-patch+json` the operation consumes; device twins treat null the same way):
 * a root property or a component's property is added or replaced, a component object merges
 * into the one there, and a null removes the member, so `{ "deviceInfo": { "ownerEmail": null } }`
 * clears one property of the `deviceInfo` component and leaves its others. Returns a new object.
 */
export function mergeProperties(target: JsonObject, patch: JsonObject): JsonObject {
  const merged: JsonObject = { ...target };
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) delete merged[name];
    else if (isObject(value)) setOwn(merged, name, mergeProperties(isObject(merged[name]) ? merged[name] : {}, value));
    else setOwn(merged, name, structuredClone(value));
  }
  return merged;
}

/** Sets an own member even for a name like `__proto__`, which plain assignment would treat as the prototype. */
function setOwn(target: JsonObject, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
